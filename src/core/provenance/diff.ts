// Two runs' provenance side by side, aspect by aspect, and the one-line summary Compare
// Runs shows: "code: 2 files differ · data: same · image: differs · GPU: A100 vs H100".
import type { ProvenanceView } from './view';

export type Aspect = 'code' | 'data' | 'params' | 'image' | 'GPU' | 'Python' | 'host';

export interface AspectDiff {
  aspect: Aspect;
  /** true same, false differs, undefined when either side is unknown. */
  same: boolean | undefined;
  /** "same", "2 files differ", "A100 vs H100", "unknown for run 2". */
  text: string;
  /** What differs, for a detail line (files, data paths, param keys); at most 20. */
  items: string[];
}

const LIST_MAX = 20;

function mapDiff(a: Record<string, string>, b: Record<string, string>): string[] {
  const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
  return [...keys].filter((k) => a[k] !== b[k]).sort();
}

function unknownText(a: unknown, b: unknown): string {
  if (a === undefined && b === undefined) return 'unknown';
  return a === undefined ? 'unknown for the first run' : 'unknown for the second run';
}

function plainDiff(aspect: Aspect, a: string | undefined, b: string | undefined, vs = true): AspectDiff {
  if (a === undefined || b === undefined) return { aspect, same: undefined, text: unknownText(a, b), items: [] };
  if (a === b) return { aspect, same: true, text: 'same', items: [] };
  return { aspect, same: false, text: vs ? `${a} vs ${b}` : 'differs', items: [] };
}

function countText(n: number, what: string): string {
  return `${n} ${what}${n === 1 ? '' : 's'} differ${n === 1 ? 's' : ''}`;
}

export function diffProvenance(a: ProvenanceView, b: ProvenanceView): AspectDiff[] {
  const out: AspectDiff[] = [];
  // Code: the commit, then (at one commit) the uncommitted changes file by file.
  if (!a.commit || !b.commit) out.push({ aspect: 'code', same: undefined, text: unknownText(a.commit, b.commit), items: [] });
  else if (a.commit !== b.commit) out.push({ aspect: 'code', same: false, text: `commits differ (${a.commit.slice(0, 7)} vs ${b.commit.slice(0, 7)})`, items: [] });
  else if (!a.changes || !b.changes) out.push({ aspect: 'code', same: undefined, text: 'same commit; uncommitted changes unknown', items: [] });
  else {
    const files = mapDiff(a.changes, b.changes);
    out.push({ aspect: 'code', same: !files.length, text: files.length ? countText(files.length, 'file') : 'same', items: files.slice(0, LIST_MAX) });
  }
  for (const [aspect, x, y, what] of [['data', a.data, b.data, 'input'], ['params', a.params, b.params, 'param']] as const) {
    if (!x || !y) out.push({ aspect, same: undefined, text: unknownText(x, y), items: [] });
    else {
      const keys = mapDiff(x, y);
      out.push({ aspect, same: !keys.length, text: keys.length ? countText(keys.length, what) : 'same', items: keys.slice(0, LIST_MAX) });
    }
  }
  // An image is the same when its digest is; a name alone may have been rebuilt.
  const img = (v: ProvenanceView) => (v.image ? `${v.image}@${v.imageDigest ?? '?'}` : undefined);
  out.push(plainDiff('image', img(a), img(b), false));
  // Capture records "unknown" where nvidia-smi is missing: two unknowns are not the same GPU.
  const gpu = (v: ProvenanceView) => (v.gpu && v.gpu !== 'unknown' ? v.gpu : undefined);
  out.push(plainDiff('GPU', gpu(a), gpu(b)));
  out.push(plainDiff('Python', a.python, b.python));
  out.push(plainDiff('host', a.host, b.host));
  return out;
}

export function diffSummary(diffs: readonly AspectDiff[]): string {
  return diffs.filter((d) => d.aspect !== 'host').map((d) => `${d.aspect}: ${d.text}`).join(' · ');
}
