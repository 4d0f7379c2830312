// "1 model" / "12 models": one message per form, so a translation can decline its noun.
import * as vscode from 'vscode';

export const modelCount = (n: number): string => (n === 1 ? vscode.l10n.t('1 model') : vscode.l10n.t('{0} models', n));
export const versionCount = (n: number): string => (n === 1 ? vscode.l10n.t('1 version') : vscode.l10n.t('{0} versions', n));
