// Entry point: thin on purpose. Each feature registers itself from its own module and
// gets what it needs passed in; heavy dependencies load on first use.
import * as vscode from 'vscode';
import type { MlopsApi } from './api';
import { registerTrustRefresh } from './trust';
import { registerCommands } from './commands';
import { configureCommands } from './commandWrapper';
import { registerLanguageClient } from './languageClient';
import { loadLazy } from './lazy/load';
import { createLog } from './log';
import { watchSelectedInterpreter } from './pipelines/cliTools';
import { allFilters, ClusterLensFilter, RunningWorkspaceWatch } from './pipelines/workspaceLens';
import type { WorkspacesTreeProvider } from './workspaces/workspacesTree';
import { Telemetry, TelemetryEvents } from './telemetry';
import { registerFeatures } from './registerFeatures';
import { setting } from './settings';
import { clusterSettings } from './jobs/clusterSettings';

// Set by the esbuild banner and footer: the first and last lines of dist/extension.js.
declare const __mlopsLoadStart: number | undefined;
declare const __mlopsLoadEnd: number | undefined;

export function activate(context: vscode.ExtensionContext): MlopsApi {
  const activateStart = performance.now();
  const loaded = typeof __mlopsLoadStart === 'number' && typeof __mlopsLoadEnd === 'number';
  const moduleLoadMs = loaded ? __mlopsLoadEnd - __mlopsLoadStart : 0;
  const hostGapMs = loaded ? activateStart - __mlopsLoadEnd : 0;
  const log = createLog(context);

  const telemetry = new Telemetry({
    connectionString: String(context.extension.packageJSON.telemetryConnectionString ?? ''),
    isTelemetryEnabled: () => vscode.env.isTelemetryEnabled,
    createSender: (cs) => {
      const { TelemetryReporter } = loadLazy<typeof import('./lazy/telemetryLib')>('telemetryLib');
      return new TelemetryReporter(cs);
    },
  });
  context.subscriptions.push({ dispose: () => void telemetry.dispose() });
  configureCommands(log, telemetry);

  // dvc / mlflow from the interpreter selected in the Python extension (asked on first use).
  context.subscriptions.push(watchSelectedInterpreter(log));
  const views = registerFeatures(context, log);
  // The API types the views loosely; this one is the Workspaces view's own provider.
  const workspaceLens = new RunningWorkspaceWatch(views.workspaces as WorkspacesTreeProvider, log);
  const clusterLens = new ClusterLensFilter(() => clusterSettings(setting('clusters')).length > 0);
  context.subscriptions.push(workspaceLens, clusterLens);
  const languageClient = registerLanguageClient(context, log, telemetry, allFilters(workspaceLens, clusterLens));
  registerCommands(context, log, languageClient);
  registerTrustRefresh(context);

  const activateMs = performance.now() - activateStart;
  log.info(`MLOps Workbench ${context.extension.packageJSON.version} activated in ${activateMs.toFixed(1)} ms.`);
  telemetry.send(TelemetryEvents.activated, {}, { activateMs });

  return {
    activation: { moduleLoadMs, hostGapMs, activateMs },
    views,
    languageClientReady: () => languageClient.ensureStarted(),
    telemetry,
  };
}

export function deactivate(): void {
  // Everything is in context.subscriptions.
}
