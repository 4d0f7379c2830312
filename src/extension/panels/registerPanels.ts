import * as vscode from 'vscode';
import { registerCommand } from '../commandWrapper';
import { parseMetricsViewState, parseRunRefs } from '../../protocol/panels';
import { ComparePanel, COMPARE_VIEW_TYPE } from './comparePanel';
import { MetricsPanel, METRICS_VIEW_TYPE } from './metricsPanel';
import { registerPanelSerializer } from '../webviews/panelHost';
import { resolveRunArgs, type PanelDeps } from './panelRuns';

/**
 * The metric-chart and comparison panels: their commands (from the Runs view's checked
 * runs, a run's context menu, or by command with run ids) and the serializers that bring
 * them back after a window reload from the state their webviews saved.
 */
export function registerPanels(context: vscode.ExtensionContext, deps: PanelDeps): void {
  context.subscriptions.push(
    registerCommand('mlops.openMetrics', async (arg?: unknown) => {
      const refs = await resolveRunArgs(deps.catalog, arg, vscode.l10n.t('MLOps: Open Metric Charts'));
      if (!refs) return undefined;
      // The panel itself: for a caller in this extension host (the E2E suite), not serialisable.
      return MetricsPanel.show(deps, refs);
    }),
    registerCommand('mlops.compareRuns', async (arg?: unknown) => {
      const refs = await resolveRunArgs(deps.catalog, arg, vscode.l10n.t('MLOps: Compare Runs'));
      if (!refs) return undefined;
      return ComparePanel.show(deps, refs);
    }),
    registerPanelSerializer(METRICS_VIEW_TYPE, parseMetricsViewState, (panel, state) => void MetricsPanel.revive(panel, deps, state)),
    registerPanelSerializer(COMPARE_VIEW_TYPE, parseRunRefs, (panel, refs) => void ComparePanel.revive(panel, deps, refs)),
  );
}
