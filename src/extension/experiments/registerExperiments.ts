import * as vscode from 'vscode';
import { registerCommand } from '../commandWrapper';
import { registerPanelSerializer } from '../webviews/panelHost';
import { ExperimentsPanel, EXPERIMENTS_VIEW_TYPE, type ExperimentsDeps } from './experimentsPanel';

/** The experiments table: its command (palette and the Runs view's title) and the serializer that reopens it after a reload. */
export function registerExperiments(context: vscode.ExtensionContext, deps: ExperimentsDeps): void {
  context.subscriptions.push(
    // Returns the panel: for a caller in this extension host (the E2E suite).
    registerCommand('mlops.openExperimentsTable', () => ExperimentsPanel.show(deps)),
    // The table keeps its state in workspaceState, not in the webview: nothing to read back here.
    registerPanelSerializer(EXPERIMENTS_VIEW_TYPE, () => undefined, (panel) => void ExperimentsPanel.revive(panel, deps)),
  );
}
