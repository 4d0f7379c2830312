// The Provenance section of Compare Runs: each run's provenance diffed against the first
// compared run's, from the runs' whole tags. Pure (no vscode; the translator is passed in), for the unit tests.
import { diffProvenance, diffSummary } from '../../core/provenance/diff';
import { viewFromTags } from '../../core/provenance/view';
import type { ProvenanceRow } from '../../protocol/panels';
import type { L10n } from '../jobs/jobsModel';

// Past this many runs a row per run says little: the section keeps the first ones.
const MAX_ROWS = 50;

export function provenanceRows(l10n: L10n, runs: readonly { key: string; name: string; tags: Readonly<Record<string, string>> }[]): ProvenanceRow[] {
  if (runs.length < 2) return [];
  const first = viewFromTags(runs[0].tags);
  // A cluster job Slurm or Ray ended (time limit, cancel, lost node): the row says so for either run.
  const endedLine = (name: string, reason: string | undefined) => (reason ? [l10n.t('{0} ended early: {1}', name, reason)] : []);
  const firstEnded = endedLine(runs[0].name, first.endReason);
  return runs.slice(1, MAX_ROWS + 1).map((r) => {
    const v = viewFromTags(r.tags);
    const aspects = diffProvenance(first, v);
    const ended = [...endedLine(r.name, v.endReason), ...firstEnded];
    return { run: r.key, against: runs[0].key, summary: diffSummary(aspects), aspects: aspects.map((a) => ({ ...a, same: a.same ?? null })), unknown: v.unknown, ...(ended.length ? { ended } : {}) };
  });
}
