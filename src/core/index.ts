// The pure core as a Node library (dist/core.js), for benchmarks and scripts.
export { errorMessage } from './common/errors';
export { LineIndex, type Position, type Range } from './common/positions';
export type { PipelineDiagnostic, Severity } from './pipelines/diagnostics';
export { parseYaml } from './pipelines/yamlDocument';
export { listDvcStages, type StageSummary } from './pipelines/dvcStages';
export { validatePipelineFile, pipelineFileKind, type PipelineFileKind } from './pipelines/languageService';
export { computePipelineStatus, findDvcRoot, type PipelineStatus, type StageStatusEntry } from './pipelines/status/stageStatus';
export { HashCache } from './pipelines/status/dvcHash';
export type { Experiment, MetricPoint, RunListing, RunSource, RunStatus, RunSummary, SourceWarning, WarningSink } from './runs/types';
export { formatWarning } from './runs/types';
export { downsample } from './runs/downsample';
export { EventFileReader } from './runs/tensorboard/eventFileReader';
export { TensorBoardSource } from './runs/tensorboard/tensorboardSource';
export { MlflowFileStoreSource } from './runs/mlflow/fileStoreSource';
export { MlflowSqliteSource } from './runs/mlflow/sqliteStoreSource';
export { DvcLiveSource } from './runs/dvc/dvcliveSource';
