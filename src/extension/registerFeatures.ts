// Every feature of the extension, wired in the one order that works: activate() calls
// this once. Each feature registers itself from its own folder and gets what it needs
// passed in (no service locator), so the order is the dependency graph written down:
// the run colours before the Runs view and the panels that share them, the Runs view
// before the panels that list its runs, the Workspaces view and the Pipelines view
// before running a stage in a workspace, which needs both; the Workspaces view's hosts
// before the Jobs view, whose clusters are reached through them.
import * as vscode from 'vscode';
import type { MlopsApi } from './api';
import type { DataTreeProvider } from './data/dataTree';
import { clusterSettings } from './jobs/clusterSettings';
import type { JobsTreeProvider } from './jobs/jobsTree';
import type { ModelsTreeProvider } from './models/modelsTree';
import { loadLazy } from './lazy/load';
import { registerLazyFeature } from './lazy/lazyFeature';
import { DATA_FEATURE, EXP_LIFECYCLE_FEATURE, JOBS_FEATURE, MODELS_FEATURE, PANELS_FEATURE, PROVENANCE_FEATURE, WORKSPACE_COMMANDS_FEATURE } from './lazy/lazyFeatureIds';
import { setting, settingChanged } from './settings';
import { registerWorkspacesView } from './workspaces/registerWorkspaces';
import { registerRunsView } from './runs/registerRuns';
import { RunColorStore } from './runs/runColorStore';
import type { PanelReviver } from './panels/registerPanels';
import { REVIVED_VIEW_TYPES } from './panels/panelViewTypes';
import { registerPanelSerializers } from './webviews/panelSerializers';
import { registerPipelines } from './pipelines/registerPipelines';
import { registerStageInWorkspace } from './pipelines/stageInWorkspace';
import type { ProvenanceLauncher } from './provenance/launch';

/** Registers the six MLOps views, the panels and what keeps them current; returns the views for the API. */
export function registerFeatures(context: vscode.ExtensionContext, log: vscode.LogOutputChannel): MlopsApi['views'] {
  const { tree: workspaces, launched } = registerWorkspacesView(context, log);
  // Registered by stand-ins: the view's commands load from dist/lazy/workspaceCommandsFeature.js on first use.
  registerLazyFeature(context, log, {
    name: 'Workspace commands',
    ...WORKSPACE_COMMANDS_FEATURE,
    register: () => loadLazy<typeof import('./lazy/workspaceCommandsFeature')>('workspaceCommandsFeature').registerWorkspaceCommands(context, log, workspaces.registry, workspaces, launched),
  });
  const colors = new RunColorStore(context.workspaceState, context.extensionUri);
  context.subscriptions.push(colors);
  const runs = registerRunsView(context, log, colors);
  // Registered by stand-ins: the commands load from dist/lazy/expLifecycleFeature.js on first use.
  registerLazyFeature(context, log, {
    name: 'DVC experiment lifecycle',
    ...EXP_LIFECYCLE_FEATURE,
    register: () => loadLazy<typeof import('./lazy/expLifecycleFeature')>('expLifecycleFeature').registerExpLifecycle(context, log, runs),
  });
  // Registered by stand-ins: the view and its commands load from dist/lazy/dataFeature.js on first use.
  let data: DataTreeProvider | undefined;
  const loadData = registerLazyFeature(context, log, {
    name: 'Data',
    ...DATA_FEATURE,
    register: () => {
      data = loadLazy<typeof import('./lazy/dataFeature')>('dataFeature').registerDataView(context, log);
    },
  });
  // Every launch (reruns, experiments, entry points, runs in a workspace) records what made it through one launcher.
  // Registered by stand-ins (its two commands) and a launcher that loads the real one from
  // dist/lazy/provenanceFeature.js with the first launch: what the launches call is below.
  let launcher: ProvenanceLauncher | undefined;
  const loadProvenance = registerLazyFeature(context, log, {
    name: 'Provenance',
    ...PROVENANCE_FEATURE,
    register: () => {
      launcher = loadLazy<typeof import('./lazy/provenanceFeature')>('provenanceFeature').registerProvenance(context, log, runs, workspaces.registry);
    },
  });
  const realLauncher = () => {
    loadProvenance();
    return launcher as ProvenanceLauncher;
  };
  const lazyLauncher: Pick<ProvenanceLauncher, 'prewarm' | 'begin' | 'client' | 'dispose'> = {
    prewarm: () => realLauncher().prewarm(),
    begin: (req) => realLauncher().begin(req),
    client: () => realLauncher().client(),
    // The real launcher is in context.subscriptions once loaded.
    dispose: () => undefined,
  };
  // The class has private fields, so its type is nominal: this object has all its public ones.
  const provenance = lazyLauncher as ProvenanceLauncher;
  const pipelines = registerPipelines(context, log, provenance);
  // The panels (charts, comparison, experiments table, DAG) are registered by stand-ins and
  // serializers: the first command, or the first panel to come back after a reload, loads
  // them from dist/lazy/panelsFeature.js.
  let revivePanel: PanelReviver | undefined;
  const loadPanels = registerLazyFeature(context, log, {
    name: 'Panels',
    ...PANELS_FEATURE,
    register: () => {
      const deps = { extensionUri: context.extensionUri, log, catalog: runs, colors, state: context.workspaceState };
      revivePanel = loadLazy<typeof import('./lazy/panelsFeature')>('panelsFeature').registerPanels(context, deps, pipelines);
    },
  });
  context.subscriptions.push(
    ...registerPanelSerializers(REVIVED_VIEW_TYPES, (viewType, panel, state) => {
      loadPanels();
      revivePanel?.(viewType, panel, state);
    }),
  );
  registerStageInWorkspace(context, log, pipelines, workspaces.registry, provenance);
  // Clusters are reached through the Workspaces view's hosts: one SSH connection per login node.
  // Registered by stand-ins: the view and its commands load from dist/lazy/jobsFeature.js on
  // first use. The "on Cluster" menu items of the Pipelines and Runs views show where a
  // cluster is configured: their context key is kept here until the feature keeps it.
  let jobs: JobsTreeProvider | undefined;
  const loadJobs = registerLazyFeature(context, log, {
    name: 'Jobs',
    ...JOBS_FEATURE,
    register: () => {
      jobs = loadLazy<typeof import('./lazy/jobsFeature')>('jobsFeature').registerJobsView(context, log, workspaces.registry, pipelines, runs);
    },
  });
  const hasClusters = () => void vscode.commands.executeCommand('setContext', 'mlops.hasClusters', clusterSettings(setting('clusters')).length > 0);
  hasClusters();
  context.subscriptions.push(vscode.workspace.onDidChangeConfiguration((e) => settingChanged(e, 'clusters') && hasClusters()));
  // Models after Runs: a version's source run, its key metric and Compare Versions come from there.
  // Registered by stand-ins: the view and its commands load from dist/lazy/modelsFeature.js on first use.
  let models: ModelsTreeProvider | undefined;
  const loadModels = registerLazyFeature(context, log, {
    name: 'Models',
    ...MODELS_FEATURE,
    register: () => {
      models = loadLazy<typeof import('./lazy/modelsFeature')>('modelsFeature').registerModelsView(context, log, runs, workspaces);
    },
  });

  return {
    workspaces,
    runs,
    // The API's Data, Jobs and Models views (the E2E tests read them) are the real ones: asking for one loads its feature.
    get data(): DataTreeProvider {
      loadData();
      return data as DataTreeProvider;
    },
    pipelines,
    get jobs(): JobsTreeProvider {
      loadJobs();
      return jobs as JobsTreeProvider;
    },
    get models(): ModelsTreeProvider {
      loadModels();
      return models as ModelsTreeProvider;
    },
  };
}
