import { existsSync, readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import type { PipelineFs } from './pipelineFs';

/**
 * A file's text, read synchronously; undefined when it is missing or unreadable. The files
 * read this way are small (pipeline, params and git's own files), and a promise-based read
 * waits for a busy thread pool longer than the read itself takes.
 */
export function readTextFile(file: string): string | undefined {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
}

/**
 * The pipeline model's file system on node:fs, relative to `folder`. Made fresh per
 * request (or listing) and memoized within it: one validation of a 2,000-stage file asks
 * about the same paths many times, and a later request must see later changes.
 */
export function nodePipelineFs(folder: string): PipelineFs {
  const exists = new Map<string, boolean>();
  const texts = new Map<string, string | undefined>();
  const abs = (p: string) => path.resolve(folder, p);
  return {
    exists(p) {
      let hit = exists.get(p);
      if (hit === undefined) exists.set(p, (hit = existsSync(abs(p))));
      return hit;
    },
    readText(p) {
      if (!texts.has(p)) texts.set(p, readTextFile(abs(p)));
      return texts.get(p);
    },
    list(dir) {
      try {
        return readdirSync(abs(dir || '.'), { withFileTypes: true }).map((d) => (d.isDirectory() ? `${d.name}/` : d.name));
      } catch {
        return [];
      }
    },
  };
}
