import type * as vscode from 'vscode';
import { registerCommand } from '../commandWrapper';
import { ExperimentsPanel, type ExperimentsDeps } from './experimentsPanel';

/** The experiments table's command (palette and the Runs view's title); panels/registerPanels.ts revives it after a reload. */
export function registerExperiments(context: vscode.ExtensionContext, deps: ExperimentsDeps): void {
  context.subscriptions.push(
    // Returns the panel: for a caller in this extension host (the E2E suite).
    registerCommand('mlops.openExperimentsTable', () => ExperimentsPanel.show(deps)),
  );
}
