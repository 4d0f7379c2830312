// A stand-in for `vscode.l10n` in plain-Node tests: fills `{0}`, `{1}` the way
// vscode.l10n.t does with no translation bundle, so the English text is asserted.
import type { L10n } from '../../src/extension/jobs/jobsModel';

export const l10n: L10n = { t: (m, ...args) => m.replace(/\{(\d+)\}/g, (_, i: string) => String(args[Number(i)])) };
