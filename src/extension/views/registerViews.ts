import * as vscode from 'vscode';
import type { MlopsApi } from '../api';
import { registerDataView } from '../data/registerData';
import { registerWorkspacesView } from '../workspaces/registerWorkspaces';
import { registerRunsView } from '../runs/registerRuns';
import { RunColorStore } from '../runs/runColorStore';
import { registerPanels } from '../panels/registerPanels';
import { registerPipelines } from '../pipelines/registerPipelines';
import { registerStageInWorkspace } from '../pipelines/stageInWorkspace';

/** Registers the four MLOps views and what keeps them current. */
export function registerViews(context: vscode.ExtensionContext, log: vscode.LogOutputChannel): MlopsApi['views'] {
  const workspaces = registerWorkspacesView(context, log);
  const colors = new RunColorStore(context.workspaceState, context.extensionUri);
  const runs = registerRunsView(context, log, colors);
  registerPanels(context, { extensionUri: context.extensionUri, log, catalog: runs, colors });
  const data = registerDataView(context, log);
  const pipelines = registerPipelines(context, log);
  registerStageInWorkspace(context, log, pipelines, workspaces.registry);

  return { workspaces, runs, data, pipelines };
}
