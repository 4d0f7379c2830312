// One params file of a stage against what dvc.lock recorded for it, by the rules of DVC's
// ParamsDependency.workspace_status (dvc/dependency/param.py):
// - dvc.lock keeps each tracked name as written in dvc.yaml, with its value as it was: a
//   section (`train`) is one entry holding the nested mapping, a dotted name (`train.lr`)
//   one entry holding the leaf. A name is compared as one value, so an edit anywhere
//   inside a section reads `train: modified`, never `train.lr`.
// - a file tracked whole (`- params.yaml:` with no keys) is compared by its top-level keys.
// - values compare with Python's `==` (pyEquals), since that is what DVC runs.
import { lookupPath, splitKeyPath } from '../paramsFile';

export type ParamChange = 'modified' | 'deleted' | 'new';

/**
 * The changed names of one params file, in DVC's order (the dvc.yaml order; for a whole
 * file, the file's top-level keys, then the ones only dvc.lock has).
 * `current` is the parsed file; `locked` what dvc.lock has for this file.
 */
export function paramsFileChanges(keys: string[] | 'all', current: unknown, locked: Record<string, unknown>): Record<string, ParamChange> {
  const actual: Record<string, unknown> = {};
  if (keys === 'all') {
    if (isMapping(current)) Object.assign(actual, current);
  } else {
    for (const k of keys) {
      const hit = lookupPath(current, splitKeyPath(k));
      if (hit.found) actual[k] = hit.value;
    }
  }
  const names = keys === 'all' ? [...new Set([...Object.keys(actual), ...Object.keys(locked)])] : keys;
  const changes: Record<string, ParamChange> = {};
  for (const name of names) {
    if (!has(actual, name)) changes[name] = 'deleted';
    else if (!has(locked, name)) changes[name] = 'new';
    else if (!pyEquals(actual[name], locked[name])) changes[name] = 'modified';
  }
  return changes;
}

function has(o: Record<string, unknown>, key: string): boolean {
  return Object.prototype.hasOwnProperty.call(o, key);
}

function isMapping(v: unknown): v is Record<string, unknown> {
  return !!v && typeof v === 'object' && !Array.isArray(v);
}

/**
 * Python's `==` on what a YAML load gives: `1 == 1.0 == True` (bool is an int), NaN equals
 * nothing (DVC reports a `.nan` param as modified on every status), mappings compare by
 * their keys whatever the order, lists item by item.
 */
export function pyEquals(a: unknown, b: unknown): boolean {
  const numeric = (v: unknown) => typeof v === 'number' || typeof v === 'boolean';
  if (numeric(a) && numeric(b)) return Number(a) === Number(b);
  if (a === null || a === undefined || b === null || b === undefined) return (a ?? null) === (b ?? null);
  if (Array.isArray(a) || Array.isArray(b)) {
    return Array.isArray(a) && Array.isArray(b) && a.length === b.length && a.every((x, i) => pyEquals(x, b[i]));
  }
  if (isMapping(a) && isMapping(b)) {
    const ka = Object.keys(a);
    return ka.length === Object.keys(b).length && ka.every((k) => has(b, k) && pyEquals(a[k], b[k]));
  }
  return a === b;
}
