// Two runs' provenance side by side, aspect by aspect, and the one-line summary Compare
// Runs shows: "code: 2 files differ · data: same · image: differs · GPU: A100 vs H100".
import type { L10n } from '../common/l10n';
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

function unknownText(l10n: L10n, a: unknown, b: unknown): string {
  if (a === undefined && b === undefined) return l10n.t('unknown');
  return a === undefined ? l10n.t('unknown for the first run') : l10n.t('unknown for the second run');
}

function plainDiff(l10n: L10n, aspect: Aspect, a: string | undefined, b: string | undefined, vs = true): AspectDiff {
  if (a === undefined || b === undefined) return { aspect, same: undefined, text: unknownText(l10n, a, b), items: [] };
  if (a === b) return { aspect, same: true, text: l10n.t('same'), items: [] };
  return { aspect, same: false, text: vs ? l10n.t('{0} vs {1}', a, b) : l10n.t('differs'), items: [] };
}

function countText(l10n: L10n, n: number, what: 'file' | 'input' | 'param'): string {
  switch (what) {
    case 'file':
      return n === 1 ? l10n.t('1 file differs') : l10n.t('{0} files differ', n);
    case 'input':
      return n === 1 ? l10n.t('1 input differs') : l10n.t('{0} inputs differ', n);
    case 'param':
      return n === 1 ? l10n.t('1 param differs') : l10n.t('{0} params differ', n);
  }
}

/** An aspect's name as the user reads it. */
export function aspectName(l10n: L10n, aspect: Aspect): string {
  switch (aspect) {
    case 'code':
      return l10n.t('code');
    case 'data':
      return l10n.t('data');
    case 'params':
      return l10n.t('params');
    case 'image':
      return l10n.t('image');
    case 'GPU':
      return l10n.t('GPU');
    case 'Python':
      return l10n.t('Python');
    case 'host':
      return l10n.t('host');
  }
}

/** One aspect as a line: "code: 2 files differ". */
export const aspectLine = (l10n: L10n, d: AspectDiff): string => l10n.t('{0}: {1}', aspectName(l10n, d.aspect), d.text);

export function diffProvenance(l10n: L10n, a: ProvenanceView, b: ProvenanceView): AspectDiff[] {
  const out: AspectDiff[] = [];
  // Code: the commit, then (at one commit) the uncommitted changes file by file.
  if (!a.commit || !b.commit) out.push({ aspect: 'code', same: undefined, text: unknownText(l10n, a.commit, b.commit), items: [] });
  else if (a.commit !== b.commit) out.push({ aspect: 'code', same: false, text: l10n.t('commits differ ({0} vs {1})', a.commit.slice(0, 7), b.commit.slice(0, 7)), items: [] });
  else if (!a.changes || !b.changes) out.push({ aspect: 'code', same: undefined, text: l10n.t('same commit; uncommitted changes unknown'), items: [] });
  else {
    const files = mapDiff(a.changes, b.changes);
    out.push({ aspect: 'code', same: !files.length, text: files.length ? countText(l10n, files.length, 'file') : l10n.t('same'), items: files.slice(0, LIST_MAX) });
  }
  for (const [aspect, x, y, what] of [['data', a.data, b.data, 'input'], ['params', a.params, b.params, 'param']] as const) {
    if (!x || !y) out.push({ aspect, same: undefined, text: unknownText(l10n, x, y), items: [] });
    else {
      const keys = mapDiff(x, y);
      out.push({ aspect, same: !keys.length, text: keys.length ? countText(l10n, keys.length, what) : l10n.t('same'), items: keys.slice(0, LIST_MAX) });
    }
  }
  // An image is the same when its digest is; a name alone may have been rebuilt.
  const img = (v: ProvenanceView) => (v.image ? `${v.image}@${v.imageDigest ?? '?'}` : undefined);
  out.push(plainDiff(l10n, 'image', img(a), img(b), false));
  // Capture records "unknown" where nvidia-smi is missing: two unknowns are not the same GPU.
  const gpu = (v: ProvenanceView) => (v.gpu && v.gpu !== 'unknown' ? v.gpu : undefined);
  out.push(plainDiff(l10n, 'GPU', gpu(a), gpu(b)));
  out.push(plainDiff(l10n, 'Python', a.python, b.python));
  out.push(plainDiff(l10n, 'host', a.host, b.host));
  return out;
}

export function diffSummary(l10n: L10n, diffs: readonly AspectDiff[]): string {
  return diffs.filter((d) => d.aspect !== 'host').map((d) => aspectLine(l10n, d)).join(' · ');
}
