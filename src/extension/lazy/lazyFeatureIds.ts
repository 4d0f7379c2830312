// The commands and views of each feature that loads on first use (lazy/lazyFeature.ts):
// its stand-ins are registered under these ids at activation. Plain data, so that
// test/unit/lazyFeatures.test.ts can hold each list to what the feature's sources register
// (and to nothing else registering them: a second registration would fail activation).
export interface LazyFeatureIds {
  /** The feature's folders and files under src/extension/ (a startup view's commands are files of its folder). */
  sources: readonly string[];
  commands: readonly string[];
  views: readonly string[];
}

export const MODELS_FEATURE: LazyFeatureIds = {
  sources: ['models'],
  commands: [
    'mlops.refreshModels',
    'mlops.model.showSourceRun',
    'mlops.model.setAlias',
    'mlops.model.removeAlias',
    'mlops.model.setTag',
    'mlops.model.deleteVersion',
    'mlops.model.registerFromRun',
    'mlops.model.compareVersions',
    'mlops.model.registerDvcVersion',
    'mlops.model.serve',
    'mlops.model.stopServing',
    'mlops.model.tryModel',
    'mlops.model.assignStage',
    'mlops.workspace.serveModel',
  ],
  views: ['mlops.models'],
};

export const JOBS_FEATURE: LazyFeatureIds = {
  sources: ['jobs'],
  commands: [
    'mlops.refreshJobs',
    'mlops.submitJob',
    'mlops.job.cancel',
    'mlops.job.copyId',
    'mlops.job.requeue',
    'mlops.job.openShell',
    'mlops.jobs.showAllUsers',
    'mlops.jobs.showMineOnly',
    'mlops.job.showOutput',
    'mlops.job.follow',
    'mlops.runStageOnCluster',
    'mlops.runExperimentOnCluster',
    'mlops.runEntryPointOnCluster',
    'mlops.runAgainOnCluster',
    'mlops.syncToCluster',
    'mlops.job.delete',
    'mlops.startRayClusterOnHosts',
    'mlops.stopRayClusterOnHosts',
    'mlops.setRayToken',
  ],
  views: ['mlops.jobs'],
};

export const DATA_FEATURE: LazyFeatureIds = {
  sources: ['data'],
  commands: [
    'mlops.data.refresh',
    'mlops.data.checkoutVersion',
    'mlops.data.getVersion',
    'mlops.data.compareVersions',
    'mlops.data.pull',
    'mlops.data.push',
    'mlops.data.add',
    'mlops.data.showMetricsTable',
  ],
  views: ['mlops.data'],
};

export const PROVENANCE_FEATURE: LazyFeatureIds = {
  sources: ['provenance'],
  commands: ['mlops.runs.reproduce', 'mlops.runs.cleanupReproductions'],
  views: [],
};

export const EXP_LIFECYCLE_FEATURE: LazyFeatureIds = {
  sources: ['expLifecycle'],
  commands: [
    'mlops.dvcExp.queue',
    'mlops.dvcExp.runNow',
    'mlops.dvcExp.startQueue',
    'mlops.dvcExp.stopQueue',
    'mlops.dvcExp.kill',
    'mlops.dvcExp.showLog',
    'mlops.dvcExp.apply',
    'mlops.dvcExp.branch',
    'mlops.dvcExp.rename',
    'mlops.dvcExp.remove',
    'mlops.dvcExp.push',
    'mlops.dvcExp.pull',
  ],
  views: [],
};

// The editor panels of the Runs and Pipelines views; their serializers stay at activation (webviews/panelSerializers.ts).
export const PANELS_FEATURE: LazyFeatureIds = {
  sources: ['panels', 'experiments', 'pipelines/dagPanel.ts'],
  commands: ['mlops.openMetrics', 'mlops.compareRuns', 'mlops.openExperimentsTable', 'mlops.showPipelineDag'],
  views: [],
};

// The Workspaces view's commands; the view and its Refresh stay at activation (workspaces/registerWorkspaces.ts).
export const WORKSPACE_COMMANDS_FEATURE: LazyFeatureIds = {
  sources: ['workspaces/workspaceCommands.ts'],
  commands: [
    'mlops.launchWorkspace',
    'mlops.relaunchProfile',
    'mlops.workspace.start',
    'mlops.workspace.stop',
    'mlops.workspace.restart',
    'mlops.workspace.remove',
    'mlops.workspace.logs',
    'mlops.workspace.copyDockerRun',
    'mlops.workspace.openTerminal',
    'mlops.workspace.forwardPort',
    'mlops.showPortForwards',
    'mlops.workspace.openJupyter',
    'mlops.workspace.startTensorBoard',
    'mlops.workspace.attachVsCode',
  ],
  views: [],
};

export const LAZY_FEATURES: readonly LazyFeatureIds[] = [MODELS_FEATURE, JOBS_FEATURE, DATA_FEATURE, PROVENANCE_FEATURE, EXP_LIFECYCLE_FEATURE, PANELS_FEATURE, WORKSPACE_COMMANDS_FEATURE];
