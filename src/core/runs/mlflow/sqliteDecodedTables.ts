// What the listing decoded of each table of an mlflow.db, kept between listings of one
// store with the pages it came from (sqlitePageTrace.ts): a refresh after a commit decodes
// only the tables whose pages changed, and builds the runs again from the decoded parts.
// Each part is a value of its own (the params of every run, the tags, ...) that runs of
// successive listings share: the worker's diff (listingDelta.ts) then finds a run whose
// params object is the one it sent before equal at once, without walking its keys.
import { maxOf } from '../../common/arrays';
import type { Experiment, MetricPoint, RunListing, RunSummary } from '../types';
import { PageTrace, samePages, type TracedPages } from './sqlitePageTrace';
import type { SqliteFile } from './sqlitePages';
import type { RecordView } from './sqliteRecord';
import { checkShortRecord, columnPositions, type TableInfo } from './sqliteSchema';
import { runStatus } from './status';

/** Page bytes kept per store (a 1,000-run store's tables take ~2.3 MB); tables beyond it are decoded on every listing. */
const MAX_TRACED_BYTES = 32 << 20;

/** Reads a table's rows: `at` are the positions of the columns asked for, in their order. */
export type TableDecoder<T> = (at: number[]) => { visit(row: RecordView): void; done(): T };

/** A row of `runs` as the listing needs it, before the experiment and lifecycle filters. */
export type RunRow = Omit<RunSummary, 'params' | 'tags' | 'metrics'> & { stage: string };

type ByRun<T> = Map<string, Record<string, T>>;

interface Entry {
  /** What else the decoded value depends on: the table's root, its columns, the page size. */
  key: string;
  value: unknown;
  traced?: TracedPages;
}

interface Composed {
  all: boolean;
  experiments: Experiment[];
  parts: unknown[];
  listing: Omit<RunListing, 'warnings'>;
}

export class DecodedTables {
  private readonly entries = new Map<string, Entry>();
  private composed?: Composed;

  /** The table's decoded rows: the ones kept when every page it read last time is unchanged, else a new decode. */
  async table<T>(db: SqliteFile, table: TableInfo, columns: string[], decoder: TableDecoder<T>): Promise<T> {
    const name = table.name.toLowerCase();
    const key = [table.root, table.columns.join(','), table.hasDefault.join(','), table.rowidAlias, columns.join(','), db.pageSize, db.usable].join('|');
    const held = this.entries.get(name);
    if (held?.key === key && held.traced && (await samePages(db, held.traced))) return held.value as T;
    this.entries.delete(name);
    const at = columnPositions(table, columns);
    const full = maxOf(at) + 1;
    const { visit, done } = decoder(at);
    const trace = new PageTrace();
    await db.scanRows(
      table.root,
      (_rowid, row) => {
        if (row.count < full) checkShortRecord(table, at, row.count);
        visit(row);
      },
      trace,
    );
    const value = done();
    let kept = trace.bytes;
    for (const e of this.entries.values()) kept += e.traced?.bytes.length ?? 0;
    this.entries.set(name, { key, value, traced: kept <= MAX_TRACED_BYTES ? trace.freeze() : undefined });
    return value;
  }

  /**
   * The listing from the decoded tables: the same objects as the last one when no part
   * changed (the run-store worker then answers that the host's listing stands).
   */
  compose(
    experiments: Experiment[],
    all: boolean,
    runRows: RunRow[],
    params: ByRun<string>,
    tags: ByRun<string>,
    metrics: ByRun<MetricPoint>,
  ): Omit<RunListing, 'warnings'> {
    const parts = [runRows, params, tags, metrics];
    const prev = this.composed;
    if (prev && prev.all === all && prev.parts.every((p, i) => p === parts[i]) && sameExperiments(prev.experiments, experiments)) return prev.listing;
    const expIds = new Set(experiments.map((e) => e.id));
    const runs = new Map<string, RunSummary>();
    for (const r of runRows) {
      if ((!all && r.stage !== 'active') || !expIds.has(r.experimentId)) continue;
      runs.set(r.id, {
        id: r.id,
        experimentId: r.experimentId,
        name: r.name,
        status: r.status,
        startTime: r.startTime,
        endTime: r.endTime,
        artifactUri: r.artifactUri,
        userId: r.userId,
        // Shared with the decoded table and the listings before: nobody writes to them.
        params: params.get(r.id) ?? {},
        tags: tags.get(r.id) ?? {},
        metrics: metrics.get(r.id) ?? {},
      });
    }
    for (const r of runs.values()) if (!r.name) r.name = r.tags['mlflow.runName'] ?? r.id;
    const listing = { experiments, runs: [...runs.values()] };
    this.composed = { all, experiments, parts, listing };
    return listing;
  }
}

function sameExperiments(a: Experiment[], b: Experiment[]): boolean {
  return a.length === b.length && a.every((e, i) => e.id === b[i].id && e.name === b[i].name && e.lifecycleStage === b[i].lifecycleStage);
}

/** The decoder of `runs`, for the columns run_uuid, name, status, start_time, end_time, lifecycle_stage, experiment_id, artifact_uri[, user_id]. */
export const readRunRows: TableDecoder<RunRow[]> = ([id, name, status, start, end, stage, exp, uri, user]) => {
  const rows: RunRow[] = [];
  return {
    visit: (row) => {
      rows.push({
        id: row.text(id),
        experimentId: row.text(exp),
        name: row.isNull(name) ? '' : row.text(name),
        status: runStatus(row.value(status)),
        startTime: row.isNull(start) ? undefined : row.number(start),
        endTime: row.isNull(end) ? undefined : row.number(end),
        artifactUri: row.isNull(uri) ? undefined : row.text(uri),
        userId: user === undefined || row.isNull(user) ? undefined : row.text(user),
        stage: row.text(stage),
      });
    },
    done: () => rows,
  };
};

/**
 * The record of the run a row of params, tags or latest_metrics belongs to, made on its
 * first row. MLflow writes a run's rows together, so most rows name the same run as the
 * row before: comparing the id's bytes in place spares a new string and a Map lookup per row.
 */
export class RecordsByRun<T> {
  readonly records: ByRun<T> = new Map();
  private last?: Record<string, T>;
  private buf?: Uint8Array;
  private start = 0;
  private length = -1;

  get(row: RecordView, column: number): Record<string, T> {
    if (this.last && this.buf && row.sameText(column, this.buf, this.start, this.length)) return this.last;
    const start = row.textStart(column);
    this.buf = start >= 0 ? row.buf : undefined;
    this.start = start;
    this.length = start >= 0 ? row.textLength(column) : -1;
    const id = row.text(column);
    let record = this.records.get(id);
    if (!record) this.records.set(id, (record = {}));
    this.last = record;
    return record;
  }
}
