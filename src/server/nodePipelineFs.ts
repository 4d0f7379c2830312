import { existsSync, readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { PipelineFs } from '../core/pipelines/pipelineFs';

/** The folder of a `file:` URI's file; undefined for other schemes (untitled:, vscode-vfs:). */
export function folderOfUri(uri: string): string | undefined {
  if (!uri.startsWith('file:')) return undefined;
  try {
    return path.dirname(fileURLToPath(uri));
  } catch {
    return undefined;
  }
}

/**
 * The language service's file system on node:fs, relative to a pipeline file's folder.
 * Made fresh per request and memoized within it: one validation of a 2,000-stage file
 * asks about the same paths many times, and a later request must see later changes.
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
      if (!texts.has(p)) {
        let text: string | undefined;
        try {
          text = readFileSync(abs(p), 'utf8');
        } catch {
          text = undefined;
        }
        texts.set(p, text);
      }
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
