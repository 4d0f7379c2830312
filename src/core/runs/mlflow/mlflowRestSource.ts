// An MLflow tracking server read over its REST API. A failed call is a warning naming
// its URL: the experiments and runs that did answer still load.
import { downsample } from '../downsample';
import type { Experiment, MetricPoint, RunListing, RunSource, RunSummary, WarningSink } from '../types';
import { warningCollector } from '../types';
import { MlflowRestClient, MlflowRestError, type MlflowRestOptions } from './mlflowRestClient';
import { runStatus } from './status';
import { redactTrackingUri } from './trackingUri';

export interface MlflowRestSourceOptions extends MlflowRestOptions {
  includeDeleted?: boolean;
  onWarning?: WarningSink;
  /** Runs per runs/search page (MLflow allows up to 50,000; 1,000 keeps each answer small). */
  pageSize?: number;
  /** The newest this many runs are listed (a warning says when there are more); read at each listing; no limit when unset or 0. */
  maxRuns?: number | (() => number | undefined);
  /**
   * A filter in MLflow's search syntax, read at each listing and sent to the server
   * (runs/search `filter`): only matching runs are listed, wherever they are in the
   * history, so maxRuns does not apply (FILTERED_MAX_RUNS does).
   */
  filter?: () => string | undefined;
}

/**
 * The first runs/search page of a filtered listing asks for this many runs, as the MLflow
 * UI's runs page does: the matches a user looks at first come in one small answer, and
 * the rest follow in pages of `pageSize` (see `onPartial`).
 */
export const FIRST_PAGE_RUNS = 100;

/** A filtered listing follows the server's pages up to this many matches (a filter like `metrics.x > 0` could match a whole server). */
export const FILTERED_MAX_RUNS = 50_000;

/** The server refused the search filter; `filterRejected` is MLflow's message, word for word. */
export class FilterRejectedError extends Error {
  constructor(readonly filterRejected: string) {
    super(`the server refused the filter: ${filterRejected}`);
    this.name = 'FilterRejectedError';
  }
}

export interface ArtifactEntry {
  /** Relative to the run's artifact root, with `/`. */
  path: string;
  isDir: boolean;
  size?: number;
}

type Num = number | string;
interface RestMetric { key: string; value: Num; timestamp?: Num; step?: Num; run_id?: string }
interface RestRun {
  info: { run_id?: string; run_uuid?: string; run_name?: string; experiment_id: string; status?: string | number; start_time?: Num; end_time?: Num; artifact_uri?: string; user_id?: string };
  data?: { metrics?: RestMetric[]; params?: { key: string; value: string }[]; tags?: { key: string; value: string }[] };
}

// runs/search has no documented limit on experiment ids, but proxies cap body sizes.
const EXPERIMENTS_PER_SEARCH = 200;
// get-history-bulk-interval takes at most 100 runs per call (MLflow's limit).
const BULK_RUNS = 100;
const HISTORY_PAGE = 25_000;

/** protobuf JSON writes non-finite doubles as strings; MLflow writes int64 as numbers or strings. */
export function restNumber(v: Num | undefined): number {
  if (v === undefined) return NaN;
  if (typeof v === 'number') return v;
  if (v === 'NaN') return NaN;
  if (v === 'Infinity') return Infinity;
  if (v === '-Infinity') return -Infinity;
  return Number(v);
}

const point = (m: RestMetric): MetricPoint => ({ step: restNumber(m.step ?? 0), timestamp: restNumber(m.timestamp ?? 0), value: restNumber(m.value) });

export class MlflowRestSource implements RunSource {
  readonly kind = 'mlflow-rest';
  readonly client: MlflowRestClient;
  /** Unset until a server answers without get-history-bulk-interval (MLflow < 2.10). */
  private bulkMissing = false;
  /** Aborted on dispose: a source dropped from the view stops waiting on its server. */
  private readonly aborter = new AbortController();

  /** The tracking URI as warnings and ids show it: never with the `user:password@` it may carry. */
  readonly location: string;

  constructor(
    trackingUri: string,
    private readonly options: MlflowRestSourceOptions = {},
  ) {
    this.location = redactTrackingUri(trackingUri);
    const signal = options.signal ? AbortSignal.any([options.signal, this.aborter.signal]) : this.aborter.signal;
    this.client = new MlflowRestClient(trackingUri, { ...options, signal });
  }

  dispose(): void {
    this.aborter.abort();
  }

  /**
   * `onPartial`: with a filter, called after each runs/search page but the last with what
   * has come so far (the newest matches first, MLflow's order), so a view can show the
   * first page while the next ones are read. The promise still resolves with everything.
   */
  async list(signal?: AbortSignal, onPartial?: (soFar: RunListing) => void): Promise<RunListing> {
    const { warnings, warn } = warningCollector(this.options.onWarning);
    const fail = (err: unknown) => warn({ file: err instanceof MlflowRestError ? err.url : this.location, message: restMessage(err) });
    const viewType = this.options.includeDeleted ? 'ALL' : 'ACTIVE_ONLY';
    const experiments: Experiment[] = [];
    try {
      await this.pages<{ experiments?: { experiment_id: string; name: string; lifecycle_stage?: string }[] }>(
        (page_token) => this.client.post('api/2.0/mlflow/experiments/search', { max_results: 1000, view_type: viewType, page_token }, signal),
        (page) => {
          for (const e of page.experiments ?? []) experiments.push({ id: String(e.experiment_id), name: e.name, lifecycleStage: e.lifecycle_stage });
        },
      );
    } catch (err) {
      fail(err);
    }
    const runs: RunSummary[] = [];
    const filter = this.options.filter?.()?.trim() || undefined;
    const maxRuns = (typeof this.options.maxRuns === 'function' ? this.options.maxRuns() : this.options.maxRuns) || Infinity;
    const max = filter ? FILTERED_MAX_RUNS : maxRuns;
    for (let i = 0; i < experiments.length && runs.length < max; i += EXPERIMENTS_PER_SEARCH) {
      const ids = experiments.slice(i, i + EXPERIMENTS_PER_SEARCH).map((e) => e.id);
      const url = this.client.url('api/2.0/mlflow/runs/search');
      try {
        await this.pages<{ runs?: RestRun[] }>(
          (page_token) =>
            this.client.post(
              'api/2.0/mlflow/runs/search',
              {
                experiment_ids: ids,
                filter,
                max_results: Math.min(filter && onPartial && !runs.length ? FIRST_PAGE_RUNS : (this.options.pageSize ?? 1000), max - runs.length),
                run_view_type: viewType,
                order_by: ['attributes.start_time DESC'],
                page_token,
              },
              signal,
            ),
          (page) => {
            for (const r of page.runs ?? []) runs.push(toRun(r));
            if (runs.length >= max && page.next_page_token) {
              warn({
                file: url,
                message: filter
                  ? `listing stopped at the newest ${max} runs matching the filter; narrow the filter for older ones`
                  : `listing stopped at the newest ${max} runs (mlops.mlflow.maxRuns); filter the Runs view (MLOps: Filter Runs…) to find older ones`,
              });
              return false;
            }
            if (filter && onPartial && (page.next_page_token || i + EXPERIMENTS_PER_SEARCH < experiments.length)) onPartial({ experiments, runs: runs.slice(), warnings: warnings.slice() });
            return true;
          },
        );
      } catch (err) {
        // A filter the server refuses fails the whole listing: a partial one would look like few matches.
        if (filter && err instanceof MlflowRestError && err.status === 400 && err.serverMessage) throw new FilterRejectedError(err.serverMessage);
        // The pages that came before the failure are kept.
        fail(err);
      }
    }
    return { experiments, runs, warnings };
  }

  /** Every point of one metric (get-history, paged). */
  async metricHistory(runId: string, key: string, signal?: AbortSignal): Promise<MetricPoint[]> {
    const out: MetricPoint[] = [];
    await this.pages<{ metrics?: RestMetric[] }>(
      (page_token) => this.client.get('api/2.0/mlflow/metrics/get-history', { run_id: runId, metric_key: key, max_results: HISTORY_PAGE, page_token }, signal),
      (page) => {
        for (const m of page.metrics ?? []) out.push(point(m));
      },
    );
    return out;
  }

  /**
   * One metric of many runs, about `maxPoints` points each, for a chart: the server
   * samples them (get-history-bulk-interval); a server without that endpoint gets one
   * get-history per run and the series are downsampled here.
   */
  async metricHistories(runIds: readonly string[], key: string, maxPoints = 500, signal?: AbortSignal): Promise<Map<string, MetricPoint[]>> {
    const out = new Map<string, MetricPoint[]>(runIds.map((id) => [id, []]));
    if (!this.bulkMissing) {
      try {
        for (let i = 0; i < runIds.length; i += BULK_RUNS) {
          const res = await this.client.get<{ metrics?: RestMetric[] }>(
            'ajax-api/2.0/mlflow/metrics/get-history-bulk-interval',
            { run_ids: runIds.slice(i, i + BULK_RUNS), metric_key: key, max_results: maxPoints },
            signal,
          );
          for (const m of res.metrics ?? []) out.get(m.run_id ?? '')?.push(point(m));
        }
        return out;
      } catch (err) {
        if (!(err instanceof MlflowRestError && err.notFound)) throw err;
        this.bulkMissing = true;
      }
    }
    for (const id of runIds) out.set(id, downsample(await this.metricHistory(id, key, signal), Math.max(1, Math.floor(maxPoints / 4))));
    return out;
  }

  /** The entries of one folder of a run's artifacts (the root when `path` is empty). */
  async listArtifacts(runId: string, path = '', signal?: AbortSignal): Promise<ArtifactEntry[]> {
    const out: ArtifactEntry[] = [];
    await this.pages<{ files?: { path: string; is_dir?: boolean; file_size?: Num }[] }>(
      (page_token) => this.client.get('api/2.0/mlflow/artifacts/list', { run_id: runId, path: path || undefined, page_token }, signal),
      (page) => {
        for (const f of page.files ?? []) out.push({ path: f.path, isDir: !!f.is_dir, size: f.file_size === undefined ? undefined : restNumber(f.file_size) });
      },
    );
    return out;
  }

  /** One artifact's bytes, through the server (it proxies or reads the artifact store). */
  downloadArtifact(runId: string, path: string, signal?: AbortSignal): Promise<Buffer> {
    return this.client.bytes('get-artifact', { path, run_uuid: runId }, { signal, timeoutMs: 10 * 60_000 });
  }

  /** The run's page in MLflow's web UI. */
  runUrl(experimentId: string, runId?: string): string {
    return `${this.client.baseUrl}/#/experiments/${encodeURIComponent(experimentId)}${runId ? `/runs/${encodeURIComponent(runId)}` : ''}`;
  }

  /** Follows next_page_token until the last page (or `take` says stop); stops on a token seen before. */
  private async pages<P>(fetchPage: (token: string | undefined) => Promise<P & { next_page_token?: string }>, take: (page: P & { next_page_token?: string }) => boolean | void): Promise<void> {
    const seen = new Set<string>();
    let token: string | undefined;
    do {
      const page = await fetchPage(token);
      if (take(page) === false) return;
      token = page.next_page_token || undefined;
      if (token && seen.has(token)) break;
      if (token) seen.add(token);
    } while (token);
  }
}

function toRun(r: RestRun): RunSummary {
  const id = r.info.run_id ?? r.info.run_uuid ?? '';
  const params: Record<string, string> = {};
  const tags: Record<string, string> = {};
  const metrics: Record<string, MetricPoint> = {};
  for (const p of r.data?.params ?? []) params[p.key] = p.value ?? '';
  for (const t of r.data?.tags ?? []) tags[t.key] = t.value ?? '';
  for (const m of r.data?.metrics ?? []) metrics[m.key] = point(m);
  return {
    id,
    experimentId: String(r.info.experiment_id),
    name: r.info.run_name || tags['mlflow.runName'] || id,
    status: runStatus(r.info.status),
    startTime: r.info.start_time === undefined ? undefined : restNumber(r.info.start_time),
    endTime: r.info.end_time === undefined ? undefined : restNumber(r.info.end_time),
    params,
    tags,
    metrics,
    artifactUri: r.info.artifact_uri,
    userId: r.info.user_id || undefined,
  };
}

function restMessage(err: unknown): string {
  if (err instanceof MlflowRestError) return err.message.slice(err.url.length + 2);
  return err instanceof Error ? err.message : String(err);
}
