// Messages between the metrics-across-revisions panel (webviews/revisionMetrics) and
// the extension host (src/extension/data/revisionMetricsPanel.ts).

export interface RevisionMetricsColumn {
  /** `file:key`, the key of `RevisionMetricsRow.values`. */
  id: string;
  file: string;
  key: string;
  direction: 'max' | 'min';
  best?: number;
  bestRevs: string[];
}

export interface RevisionMetricsRow {
  rev: string;
  kind: 'workspace' | 'branch' | 'tag' | 'commit';
  commit?: string;
  subject?: string;
  date?: string;
  values: Record<string, number>;
}

export type HostToRevisionMetrics =
  | { type: 'table'; project: string; recentCommits: number; rows: RevisionMetricsRow[]; columns: RevisionMetricsColumn[]; problems: string[] }
  | { type: 'loading' }
  | { type: 'error'; message: string };

export type RevisionMetricsToHost = { type: 'ready' } | { type: 'refresh' } | { type: 'setRecentCommits'; count: number };

/** Checks a message from the webview (it is untrusted input to the host). */
export function parseRevisionMetricsToHost(v: unknown): RevisionMetricsToHost | undefined {
  if (!v || typeof v !== 'object') return undefined;
  const m = v as Record<string, unknown>;
  if (m.type === 'ready' || m.type === 'refresh') return { type: m.type };
  if (m.type === 'setRecentCommits' && typeof m.count === 'number' && Number.isInteger(m.count) && m.count >= 0 && m.count <= 1000) return { type: 'setRecentCommits', count: m.count };
  return undefined;
}

export const columnId = (file: string, key: string) => `${file}:${key}`;
