import { isMap, isSeq, type Node } from 'yaml';
import { LineIndex, type Range } from '../common/positions';
import { documentData } from '../common/yamlData';
import type { PipelineFs } from './pipelineFs';
import { entries } from './yamlNodes';
import { parseYamlCached } from './parseCache';

/** A params/vars file (YAML or JSON, which YAML reads too) with its values and key positions. */
export interface ParamsFile {
  path: string;
  text: string;
  /** The plain data; undefined when the file does not parse to a mapping. */
  data: Record<string, unknown> | undefined;
  root: Node | null;
  lines: LineIndex;
}

/** Extensions we can read; DVC also takes .toml and .py, which we neither read nor check. */
export function isReadableParamsPath(path: string): boolean {
  return /\.(ya?ml|json)$/i.test(path);
}

export function loadParamsFile(fs: PipelineFs, path: string): ParamsFile | undefined {
  const text = fs.readText(path);
  if (text === undefined) return undefined;
  const { doc, lines } = parseYamlCached(text);
  let data = dataOf.get(doc);
  if (!dataOf.has(doc)) dataOf.set(doc, (data = mappingData(doc)));
  return { path, text, data, root: (doc.contents as Node | null) ?? null, lines };
}

// A params file is read for every edit of the dvc.yaml that uses it, and turning its parse
// into data was most of that (6,000 lines: a few ms, twice per edit). The parse is cached
// by the file's text, so its data can be too. Shared: nobody changes it.
const dataOf = new WeakMap<object, Record<string, unknown> | undefined>();

function mappingData(doc: Parameters<typeof documentData>[0]): Record<string, unknown> | undefined {
  try {
    const js = documentData(doc);
    if (js && typeof js === 'object' && !Array.isArray(js)) return js as Record<string, unknown>;
  } catch {
    // An alias bomb, a broken anchor or a collection as a key: unreadable, as for DVC.
  }
  return undefined;
}

/** Splits `a.b[0].c` into `['a', 'b', '0', 'c']`. */
export function splitKeyPath(key: string): string[] {
  return key
    .replace(/\[(\d+)\]/g, '.$1')
    .split('.')
    .filter((s) => s !== '');
}

export type Lookup = { found: true; value: unknown } | { found: false; missing: string };

const lookups = new WeakMap<object, Map<string, Lookup>>();
let lastData: object | undefined;
let lastMemo: Map<string, Lookup> | undefined;

/**
 * lookupPath(file.data, splitKeyPath(key)), remembered per file data: a 2,000-stage file
 * looks up its 4,000 params keys on every edit, in data that changes only with the file.
 */
export function lookupKey(data: Record<string, unknown>, key: string): Lookup {
  // The last file's memo at hand: a validation asks about one file thousands of times.
  if (data !== lastData) {
    lastData = data;
    lastMemo = lookups.get(data);
    if (!lastMemo) lookups.set(data, (lastMemo = new Map()));
  }
  const memo = lastMemo!;
  let hit = memo.get(key);
  if (!hit) memo.set(key, (hit = lookupPath(data, splitKeyPath(key))));
  return hit;
}

/** Follows a dotted path into plain data; says which segment is missing. */
export function lookupPath(data: unknown, path: string[]): Lookup {
  let cur = data;
  for (let i = 0; i < path.length; i++) {
    const seg = path[i];
    if (cur && typeof cur === 'object' && Object.prototype.hasOwnProperty.call(cur, seg)) {
      cur = (cur as Record<string, unknown>)[seg];
    } else {
      return { found: false, missing: path.slice(0, i + 1).join('.') };
    }
  }
  return { found: true, value: cur };
}

/** The key node of a dotted path in a parsed file, for go-to-definition. */
export function keyRangeIn(file: ParamsFile, path: string[]): Range | undefined {
  let node: unknown = file.root;
  let span: [number, number] | undefined;
  for (const seg of path) {
    if (isMap(node)) {
      const hit = [...entries(node)].find(([k]) => k === seg);
      if (!hit) return undefined;
      const key = hit[1].key as Node;
      span = key.range ? [key.range[0], key.range[1]] : undefined;
      node = hit[1].value;
    } else if (isSeq(node) && /^\d+$/.test(seg)) {
      node = node.items[Number(seg)];
      const r = (node as Node | undefined)?.range;
      span = r ? [r[0], r[1]] : undefined;
    } else return undefined;
  }
  return span ? file.lines.rangeOf(span[0], span[1]) : undefined;
}

/** Every key path in the data, parents before children, for completion. */
export function allKeyPaths(data: unknown, prefix = '', out: string[] = [], depth = 0): string[] {
  if (!data || typeof data !== 'object' || Array.isArray(data) || depth > 8) return out;
  for (const [k, v] of Object.entries(data as Record<string, unknown>)) {
    const path = prefix ? `${prefix}.${k}` : k;
    out.push(path);
    allKeyPaths(v, path, out, depth + 1);
  }
  return out;
}

/** A value shown in a hover: scalars as they are, objects as compact JSON, cut short. */
export function showValue(value: unknown): string {
  let s: string;
  try {
    s = typeof value === 'string' ? value : (JSON.stringify(value) ?? String(value));
  } catch {
    s = String(value);
  }
  return s.length > 200 ? s.slice(0, 197) + '...' : s;
}
