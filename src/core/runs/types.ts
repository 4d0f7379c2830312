// The shape every run source (MLflow, DVC, DVCLive, TensorBoard) is read into, so the
// views and the headless API treat them alike.

export type RunStatus = 'RUNNING' | 'SCHEDULED' | 'FINISHED' | 'FAILED' | 'KILLED' | 'UNKNOWN';

/** One logged value of a metric. `timestamp` is in milliseconds since the epoch. */
export interface MetricPoint {
  step: number;
  timestamp: number;
  value: number;
}

export interface Experiment {
  id: string;
  name: string;
  /** MLflow's `active` / `deleted`; other sources leave it out. */
  lifecycleStage?: string;
}

export interface RunSummary {
  id: string;
  experimentId: string;
  name: string;
  status: RunStatus;
  /** Milliseconds since the epoch. */
  startTime?: number;
  endTime?: number;
  params: Record<string, string>;
  tags: Record<string, string>;
  /** The latest point of each metric (by step, then timestamp, then value — MLflow's rule). */
  metrics: Record<string, MetricPoint>;
  /** Where MLflow keeps the run's artifacts (`file:///...`, `s3://...`, a path); MLflow sources only. */
  artifactUri?: string;
  /** MLflow's `user_id` of the run (searchable as `attributes.user_id`); MLflow stores only. */
  userId?: string;
}

/** Something a source could not read; everything else still loads. */
export interface SourceWarning {
  /** The file (or URL) at fault. */
  file: string;
  /** Byte offset in `file`, when the fault is at a place in it. */
  offset?: number;
  message: string;
}

export type WarningSink = (warning: SourceWarning) => void;

export interface RunListing {
  experiments: Experiment[];
  runs: RunSummary[];
  warnings: SourceWarning[];
}

export interface RunSource {
  /** `mlflow-file`, `mlflow-sqlite`, `tensorboard`, `dvclive`, ... */
  readonly kind: string;
  /** The folder or file the source reads. */
  readonly location: string;
  /**
   * Experiments and runs with params, tags and latest metrics. `onPartial` (tracking
   * servers with a search filter): what has come so far, while more pages are read.
   */
  list(signal?: AbortSignal, onPartial?: (soFar: RunListing) => void): Promise<RunListing>;
  /** Every point of one metric of one run, in the order logged. */
  metricHistory(runId: string, key: string): Promise<MetricPoint[]>;
  /**
   * The same history as (step, timestamp, value) triples in one Float64Array, for sources
   * that keep points packed (TensorBoard): the worker transfers it without making objects.
   */
  metricHistoryPacked?(runId: string, key: string): Promise<Float64Array>;
  /**
   * One metric of many runs, about `maxPoints` points each, sampled by the source (an
   * MLflow server's get-history-bulk-interval). Sources without it: metricHistory + downsample.
   */
  metricHistories?(runIds: readonly string[], key: string, maxPoints?: number, signal?: AbortSignal): Promise<Map<string, MetricPoint[]>>;
}

/** Formats a warning for a log line: `file@offset: message`. */
export function formatWarning(w: SourceWarning): string {
  return `${w.file}${w.offset !== undefined ? `@${w.offset}` : ''}: ${w.message}`;
}

/** A listing's warnings: kept for the result and passed on to the source's sink as they come. */
export function warningCollector(forward?: WarningSink): { warnings: SourceWarning[]; warn: WarningSink } {
  const warnings: SourceWarning[] = [];
  return {
    warnings,
    warn: (w) => {
      warnings.push(w);
      forward?.(w);
    },
  };
}
