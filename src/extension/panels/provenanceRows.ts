// The Provenance section of Compare Runs: each run's provenance diffed against the first
// compared run's, from the runs' whole tags. Pure (no vscode), for the unit tests.
import { diffProvenance, diffSummary } from '../../core/provenance/diff';
import { viewFromTags } from '../../core/provenance/view';
import type { ProvenanceRow } from '../../protocol/panels';

// Past this many runs a row per run says little: the section keeps the first ones.
const MAX_ROWS = 50;

export function provenanceRows(runs: readonly { key: string; tags: Readonly<Record<string, string>> }[]): ProvenanceRow[] {
  if (runs.length < 2) return [];
  const first = viewFromTags(runs[0].tags);
  return runs.slice(1, MAX_ROWS + 1).map((r) => {
    const v = viewFromTags(r.tags);
    const aspects = diffProvenance(first, v);
    return { run: r.key, against: runs[0].key, summary: diffSummary(aspects), aspects: aspects.map((a) => ({ ...a, same: a.same ?? null })), unknown: v.unknown };
  });
}
