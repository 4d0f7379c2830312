// The Provenance section of Compare Runs: each run's provenance diffed against the first
// compared run's, from the runs' whole tags, every text localized here (the webview shows
// what the host sends). Pure (no vscode; the translator is passed in), for the unit tests.
import type { L10n } from '../../core/common/l10n';
import { aspectLine, diffProvenance, diffSummary } from '../../core/provenance/diff';
import { pieceName, viewFromTags } from '../../core/provenance/view';
import type { ProvenanceRow } from '../../protocol/panels';

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
    const aspects = diffProvenance(l10n, first, v);
    const ended = [...endedLine(r.name, v.endReason), ...firstEnded];
    return {
      run: r.key,
      against: runs[0].key,
      heading: l10n.t('{0} vs {1}', r.name, runs[0].name),
      summary: diffSummary(l10n, aspects),
      aspects: aspects.map((a) => ({ ...a, same: a.same ?? null, label: aspectLine(l10n, a) })),
      unknown: v.unknown,
      notRecorded: v.unknown.length ? l10n.t('not recorded: {0}', v.unknown.map((p) => pieceName(l10n, p)).join(', ')) : '',
      ...(ended.length ? { ended } : {}),
    };
  });
}
