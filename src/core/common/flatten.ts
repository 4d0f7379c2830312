// Nested params and metrics flattened to `a.b.c` (or `a/b/c`) leaves: the one walk, shared by
// DVCLive, DVC experiments, the data view's metrics and stage status. Iterative, with a
// nesting cap: a metrics.json nested 20,000 deep (JSON.parse takes it) overflowed the stack
// of the recursive walks and failed the whole listing instead of that one file.

/** Deeper than any real params or metrics file; deeper ones are refused (TooDeepError). */
export const MAX_NESTING = 100;

export class TooDeepError extends Error {
  constructor() {
    super(`nested deeper than ${MAX_NESTING} levels`);
    this.name = 'TooDeepError';
  }
}

const isObject = (v: unknown): v is Record<string, unknown> => !!v && typeof v === 'object' && !Array.isArray(v);

/**
 * Leaves of `obj` as [path, value] in document order, parts joined with `sep` after
 * `prefix`. Lists and scalars are leaves; an empty object is a leaf when `emptyAsLeaf`
 * (dvc.utils.flatten's rule), else it is dropped. Throws TooDeepError past MAX_NESTING.
 */
export function flattenLeaves(obj: unknown, sep: string, prefix = '', emptyAsLeaf = true): [string, unknown][] {
  const out: [string, unknown][] = [];
  if (!isObject(obj)) return out;
  const stack: { entries: [string, unknown][]; at: number; prefix: string }[] = [{ entries: Object.entries(obj), at: 0, prefix }];
  while (stack.length) {
    const top = stack[stack.length - 1];
    if (top.at === top.entries.length) {
      stack.pop();
      continue;
    }
    const [k, v] = top.entries[top.at++];
    if (isObject(v) && Object.keys(v).length) {
      if (stack.length >= MAX_NESTING) throw new TooDeepError();
      stack.push({ entries: Object.entries(v), at: 0, prefix: `${top.prefix}${k}${sep}` });
    } else if (emptyAsLeaf || !isObject(v)) out.push([top.prefix + k, v]);
  }
  return out;
}

/**
 * Visits every entry of `obj` and of the maps nested in it, in document order, a map before
 * its own entries, with its path of keys; when `visit` returns false, the entry's map is not
 * walked into. Lists are not walked into. Throws TooDeepError past MAX_NESTING.
 */
export function walkEntries(obj: unknown, visit: (path: string[], value: unknown) => boolean): void {
  if (!isObject(obj)) return;
  const stack: { entries: [string, unknown][]; at: number; path: string[] }[] = [{ entries: Object.entries(obj), at: 0, path: [] }];
  while (stack.length) {
    const top = stack[stack.length - 1];
    if (top.at === top.entries.length) {
      stack.pop();
      continue;
    }
    const [k, v] = top.entries[top.at++];
    const path = [...top.path, k];
    if (!visit(path, v) || !isObject(v)) continue;
    if (stack.length >= MAX_NESTING) throw new TooDeepError();
    stack.push({ entries: Object.entries(v), at: 0, path });
  }
}
