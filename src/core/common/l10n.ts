// The translator core code that renders user-visible text is handed: `vscode.l10n` in the
// extension host, a placeholder filler in plain-Node tests and for files that stay English.
// Calls stay `l10n.t('literal', …)` so scripts/l10n-export.mjs finds them (it scans src/core too).

/** `vscode.l10n`'s shape. */
export interface L10n {
  t(message: string, ...args: Array<string | number | boolean>): string;
}

/** Fills `{0}`, `{1}` as VS Code's translator does with no bundle: for text written to a file that is English by design (a reproduce report). */
export const untranslated: L10n = { t: (m, ...args) => m.replace(/\{(\d+)\}/g, (_, i: string) => String(args[Number(i)])) };
