import { existsSync, readdirSync } from 'node:fs';
import * as path from 'node:path';
import { isRefused, readBoundedTextSync, YAML_JSON_CAP } from '../common/boundedRead';
import type { PipelineFs } from './pipelineFs';

/**
 * A file's text, read synchronously; undefined when it is missing, unreadable or refused
 * (not a regular file, over the YAML/JSON cap, outside `root`). The files read this way are
 * small (pipeline, params and git's own files), and a promise-based read waits for a busy
 * thread pool longer than the read itself takes. `refused` hears why a file was not read.
 */
export function readTextFile(file: string, root?: string, refused?: (message: string) => void): string | undefined {
  try {
    return readBoundedTextSync(file, { cap: YAML_JSON_CAP, root });
  } catch (err) {
    if (isRefused(err)) refused?.(err.message);
    return undefined;
  }
}

/**
 * The pipeline model's file system on node:fs, relative to `folder`. Made fresh per
 * request (or listing) and memoized within it: one validation of a 2,000-stage file asks
 * about the same paths many times, and a later request must see later changes. Files are
 * read only inside `root` (the workspace folder; `folder` when omitted), links resolved.
 */
export function nodePipelineFs(folder: string, root: string = folder): PipelineFs {
  const exists = new Map<string, boolean>();
  const texts = new Map<string, string | undefined>();
  const refused = new Map<string, string>();
  const abs = (p: string) => path.resolve(folder, p);
  return {
    exists(p) {
      let hit = exists.get(p);
      if (hit === undefined) exists.set(p, (hit = existsSync(abs(p))));
      return hit;
    },
    readText(p) {
      if (!texts.has(p)) texts.set(p, readTextFile(abs(p), root, (why) => refused.set(p, why)));
      return texts.get(p);
    },
    list(dir) {
      try {
        return readdirSync(abs(dir || '.'), { withFileTypes: true }).map((d) => (d.isDirectory() ? `${d.name}/` : d.name));
      } catch {
        return [];
      }
    },
    refused: () => refused,
  };
}
