import { readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import type { Range } from '../../../src/core/common/positions';
import { memoryFs, type PipelineFs } from '../../../src/core/pipelines/pipelineFs';

export const EXAMPLES = path.resolve(__dirname, '../../../examples');

/** The range of the `n`th occurrence of `needle` in `text`, for exact-range assertions. */
export function rangeOf(text: string, needle: string, n = 0): Range {
  let at = -1;
  for (let i = 0; i <= n; i++) {
    at = text.indexOf(needle, at + 1);
    if (at < 0) throw new Error(`'${needle}' #${n} not in text`);
  }
  return { start: pos(text, at), end: pos(text, at + needle.length) };
}

/** The offset just inside `needle` (+ `delta`), for placing a cursor. */
export function offsetOf(text: string, needle: string, delta = 0): number {
  const at = text.indexOf(needle);
  if (at < 0) throw new Error(`'${needle}' not in text`);
  return at + delta;
}

function pos(text: string, offset: number) {
  const before = text.slice(0, offset);
  const line = before.split('\n').length - 1;
  return { line, character: offset - (before.lastIndexOf('\n') + 1) };
}

/** examples/ as an in-memory file system: params.yaml and the src/ files. */
export function examplesFs(extra: Record<string, string> = {}): PipelineFs {
  const files: Record<string, string> = { 'params.yaml': readFileSync(path.join(EXAMPLES, 'params.yaml'), 'utf8') };
  for (const f of readdirSync(path.join(EXAMPLES, 'src'))) files[`src/${f}`] = readFileSync(path.join(EXAMPLES, 'src', f), 'utf8');
  return memoryFs({ ...files, ...extra });
}

export const exampleDvcYaml = () => readFileSync(path.join(EXAMPLES, 'dvc.yaml'), 'utf8');
