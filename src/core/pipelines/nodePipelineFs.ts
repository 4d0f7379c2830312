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

/** What a folder's file system answered: shared by the requests of one FsMemo's life. */
export interface FsMemo {
  exists: Map<string, boolean>;
  texts: Map<string, string | undefined>;
  refused: Map<string, string>;
}

export const newFsMemo = (): FsMemo => ({ exists: new Map(), texts: new Map(), refused: new Map() });

/**
 * The pipeline model's file system on node:fs, relative to `folder`, memoized in `memo`:
 * one validation of a 2,000-stage file asks about the same paths many times. A fresh memo
 * per request sees every change; the language server keeps one across requests until a
 * file changes (see languageHandlers.ts), since 2,000 deps checked on disk per keystroke
 * were a large part of answering an edit. Files are read only inside `root` (the
 * workspace folder; `folder` when omitted), links resolved. `refused` lists the files
 * this file system read (or found in the memo) that were not read, with why.
 */
export function nodePipelineFs(folder: string, root: string = folder, memo: FsMemo = newFsMemo()): PipelineFs {
  const { exists, texts } = memo;
  const refused = new Map<string, string>();
  const abs = (p: string) => path.resolve(folder, p);
  return {
    exists(p) {
      let hit = exists.get(p);
      if (hit === undefined) exists.set(p, (hit = existsSync(abs(p))));
      return hit;
    },
    readText(p) {
      if (!texts.has(p)) texts.set(p, readTextFile(abs(p), root, (why) => memo.refused.set(p, why)));
      const why = memo.refused.get(p);
      if (why !== undefined) refused.set(p, why);
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
