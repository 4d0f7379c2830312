// A stand-in for `vscode.l10n` in plain-Node tests: fills `{0}`, `{1}` the way
// vscode.l10n.t does with no translation bundle, so the English text is asserted.
export { untranslated as l10n } from '../../src/core/common/l10n';
