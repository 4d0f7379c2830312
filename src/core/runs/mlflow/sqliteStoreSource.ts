// MLflow's SQLite store (`mlflow.db`, MLflow's default store since 3.7) read without a
// server. Our own page reader (sqlitePages.ts) reads just the pages of the tables needed,
// whatever the file's size; whatever it does not support falls back to sql.js (SQLite
// compiled to WASM on an in-memory copy, files under 2 GiB), which loads lazily.
import { stat } from 'node:fs/promises';
import type { Database, SqlJsStatic } from 'sql.js';
import type { Experiment, MetricPoint, RunListing, RunSource, RunSummary, SourceWarning, WarningSink } from '../types';
import { sqliteChangeStamp } from './sqliteChangeStamp';
import { readConsistent } from './sqliteConsistentRead';
import { Unsupported, type SqliteFile } from './sqlitePages';
import { columnReader, readSchema, type Schema } from './sqliteSchema';
import type { SqlValue } from './sqliteRecord';
import { snapshotSqlite } from './sqliteSnapshot';
import { TextInterner } from './textInterner';
import { DecodedTables, readRunRows, RecordsByRun } from './sqliteDecodedTables';
import { runStatus } from './status';

export interface SqliteStoreOptions {
  includeDeleted?: boolean;
  onWarning?: WarningSink;
  /** Where sql-wasm.wasm lies when sql.js cannot find it beside its own script (a bundle). */
  wasmPath?: string;
}

let sqlJs: Promise<SqlJsStatic> | undefined;
/** sql.js, loaded once on first use (also by the model registry reader). */
export function loadSqlJs(wasmPath?: string): Promise<SqlJsStatic> {
  sqlJs ??= import('sql.js').then((m) => (m.default as unknown as (c?: object) => Promise<SqlJsStatic>)(wasmPath ? { locateFile: () => wasmPath } : undefined));
  return sqlJs;
}

export class MlflowSqliteSource implements RunSource {
  readonly kind = 'mlflow-sqlite';
  private db?: { db: Database; stamp: string };
  /** The last listing read page by page without warnings, and the file's change stamp taken before it was read. */
  private last?: { stamp: string; listing: Omit<RunListing, 'warnings'> };
  /** Param, tag and metric keys, decoded once each for all listings of this store. */
  private readonly keys = new TextInterner();
  /** The tables last decoded, reused while their pages stay the same. */
  private decoded = new DecodedTables();

  constructor(
    readonly location: string,
    private readonly options: SqliteStoreOptions = {},
  ) {}

  dispose(): void {
    this.db?.db.close();
    this.db = undefined;
    this.last = undefined;
    this.decoded = new DecodedTables();
  }

  /**
   * The experiments and runs. While the file's change stamp (sqliteChangeStamp.ts) is the
   * one taken before the last listing was read, that listing is answered again, the same
   * objects: callers must not change them.
   */
  async list(): Promise<RunListing> {
    const warnings: SourceWarning[] = [];
    // Taken before the read: a commit landing meanwhile changes the next stamp, so it is read then.
    const stamp = sqliteChangeStamp(this.location);
    if (stamp !== undefined && this.last?.stamp === stamp) return { ...this.last.listing, warnings };
    this.last = undefined;
    try {
      const { value, unstable } = await readConsistent(this.location, (db) => this.listPages(db));
      if (unstable) this.warn(warnings, unstable);
      else if (stamp !== undefined) this.last = { stamp, listing: value };
      return { ...value, warnings };
    } catch (err) {
      if (!(err instanceof Unsupported)) throw err;
      this.warn(warnings, `read through sql.js instead of page by page: ${err.message}`);
      return this.listSqlJs(warnings);
    }
  }

  /** The stamp `listing` was read under, when it is this source's last clean listing (sqliteListingSnapshot.ts saves it with it). */
  listingStamp(listing: Pick<RunListing, 'runs'>): string | undefined {
    return this.last && this.last.listing.runs === listing.runs ? this.last.stamp : undefined;
  }

  private warn(warnings: SourceWarning[], message: string): void {
    const w = { file: this.location, message };
    warnings.push(w);
    this.options.onWarning?.(w);
  }

  /** The listing from the tables' own pages; the metrics table itself is never touched. */
  private async listPages(db: SqliteFile): Promise<Omit<RunListing, 'warnings'>> {
    const schema = await readSchema(db);
    const tableOf = (name: string) => {
      const table = schema.table(name);
      if (!table) throw new Unsupported(`${this.location} has no table ${name}; is it an MLflow store?`);
      return table;
    };
    const tables = ['experiments', 'runs', 'params', 'tags', 'latest_metrics'];
    // All their pages in a few large reads first, instead of hundreds of small ones.
    await db.prefetch(tables.map((t) => tableOf(t).root));
    const all = !!this.options.includeDeleted;
    const experiments: Experiment[] = [];
    const exps = tableOf('experiments');
    const readExp = columnReader(exps, ['experiment_id', 'name', 'lifecycle_stage']);
    await db.scanTable(exps.root, (rowid, record) => {
      const [id, name, stage] = readExp(rowid, record);
      if (all || stage === 'active') experiments.push({ id: String(id), name: String(name), lifecycleStage: String(stage) });
    }, readExp.wanted);
    experiments.sort((a, b) => Number(a.id) - Number(b.id));
    // The other tables through the cache of decoded tables: a table whose pages are all as
    // the last listing read them is not decoded again (sqlitePageTrace.ts).
    const decoded = this.decoded;
    const runsTable = tableOf('runs');
    // user_id is in every MLflow schema; a hand-made store without it still lists.
    const userCol = runsTable.columns.some((c) => c.toLowerCase() === 'user_id') ? ['user_id'] : [];
    const runRows = await decoded.table(db, runsTable, ['run_uuid', 'name', 'status', 'start_time', 'end_time', 'lifecycle_stage', 'experiment_id', 'artifact_uri', ...userCol], readRunRows);
    const keys = this.keys;
    const params = await decoded.table(db, tableOf('params'), ['key', 'value', 'run_uuid'], ([key, value, run]) => {
      const byRun = new RecordsByRun<string>();
      return {
        visit: (row) => {
          byRun.get(row, run)[keys.text(row, key)] = row.text(value);
        },
        done: () => byRun.records,
      };
    });
    const tags = await decoded.table(db, tableOf('tags'), ['key', 'value', 'run_uuid'], ([key, value, run]) => {
      const byRun = new RecordsByRun<string>();
      return {
        visit: (row) => {
          byRun.get(row, run)[keys.text(row, key)] = row.isNull(value) ? '' : row.text(value);
        },
        done: () => byRun.records,
      };
    });
    const metrics = await decoded.table(db, tableOf('latest_metrics'), ['key', 'value', 'timestamp', 'step', 'is_nan', 'run_uuid'], ([key, value, timestamp, step, isNan, run]) => {
      const byRun = new RecordsByRun<MetricPoint>();
      return {
        visit: (row) => {
          byRun.get(row, run)[keys.text(row, key)] = { step: row.number(step), timestamp: row.number(timestamp), value: row.truthy(isNan) ? NaN : row.number(value) };
        },
        done: () => byRun.records,
      };
    });
    return decoded.compose(experiments, all, runRows, params, tags, metrics);
  }

  private async listSqlJs(warnings: SourceWarning[]): Promise<RunListing> {
    const db = await this.open(warnings);
    const active = this.options.includeDeleted ? '' : "WHERE lifecycle_stage = 'active'";
    const experiments: Experiment[] = rows(db, `SELECT experiment_id, name, lifecycle_stage FROM experiments ${active} ORDER BY experiment_id`).map(
      ([id, name, stage]) => ({ id: String(id), name: String(name), lifecycleStage: String(stage) }),
    );
    const expIds = new Set(experiments.map((e) => e.id));
    const runs = new Map<string, RunSummary>();
    const user = rows(db, "SELECT 1 FROM pragma_table_info('runs') WHERE name = 'user_id'").length > 0 ? 'user_id' : 'NULL';
    for (const row of rows(db, `SELECT run_uuid, name, status, start_time, end_time, lifecycle_stage, experiment_id, artifact_uri, ${user} FROM runs`)) {
      const run = toRun(row as SqlValue[], !!this.options.includeDeleted, expIds);
      if (run) runs.set(run.id, run);
    }
    for (const [key, value, run] of rows(db, 'SELECT key, value, run_uuid FROM params')) {
      const r = runs.get(String(run));
      if (r) r.params[String(key)] = String(value);
    }
    for (const [key, value, run] of rows(db, 'SELECT key, value, run_uuid FROM tags')) {
      const r = runs.get(String(run));
      if (r) r.tags[String(key)] = value === null ? '' : String(value);
    }
    for (const [key, value, timestamp, step, isNan, run] of rows(db, 'SELECT key, value, timestamp, step, is_nan, run_uuid FROM latest_metrics')) {
      const r = runs.get(String(run));
      if (r) r.metrics[String(key)] = { step: Number(step), timestamp: Number(timestamp), value: isNan ? NaN : Number(value) };
    }
    for (const r of runs.values()) if (!r.name) r.name = r.tags['mlflow.runName'] ?? r.id;
    return { experiments, runs: [...runs.values()], warnings };
  }

  async metricHistory(runId: string, key: string): Promise<MetricPoint[]> {
    try {
      const { value } = await readConsistent(this.location, (db) => historyPages(db, runId, key));
      if (value) return value;
      this.options.onWarning?.({ file: this.location, message: 'no index of the metrics table by run_uuid: metric histories are read through sql.js (files under 2 GiB)' });
    } catch (err) {
      if (!(err instanceof Unsupported)) throw err;
      this.options.onWarning?.({ file: this.location, message: `metric history read through sql.js instead of page by page: ${err.message}` });
    }
    return this.historySqlJs(runId, key);
  }

  private async historySqlJs(runId: string, key: string): Promise<MetricPoint[]> {
    const db = await this.open([]);
    const st = db.prepare('SELECT step, timestamp, value, is_nan FROM metrics WHERE run_uuid = ? AND key = ? ORDER BY timestamp, step');
    try {
      st.bind([runId, key]);
      const out: MetricPoint[] = [];
      while (st.step()) {
        const [step, timestamp, value, isNan] = st.get();
        out.push({ step: Number(step), timestamp: Number(timestamp), value: isNan ? NaN : Number(value) });
      }
      return out;
    } finally {
      st.free();
    }
  }

  /** The database as of now; reused while neither the file nor its WAL changed. */
  private async open(warnings: SourceWarning[]): Promise<Database> {
    const stamp = await stampOf(this.location);
    if (this.db?.stamp === stamp) return this.db.db;
    const { size } = await stat(this.location);
    if (size >= 2 ** 31) {
      throw new Error(`${this.location} is ${(size / 2 ** 30).toFixed(1)} GiB: too large for the sql.js fallback (under 2 GiB), and the page reader could not read it (see the warning before)`);
    }
    const [SQL, snap] = await Promise.all([loadSqlJs(this.options.wasmPath), snapshotSqlite(this.location)]);
    if (snap.unstable) {
      const w = { file: this.location, message: snap.unstable };
      warnings.push(w);
      this.options.onWarning?.(w);
    }
    this.dispose();
    const db = new SQL.Database(snap.bytes);
    // SQLite does not notice b-tree pages shared between parents while it reads: a crafted
    // fan-in would make a scan return the same rows without end. quick_check visits each
    // page once and reports a second reference, so a damaged file is refused up front.
    const check = String(db.exec('PRAGMA quick_check(1)')[0]?.values[0]?.[0] ?? '');
    if (check !== 'ok') {
      db.close();
      throw new Error(`${this.location} is damaged (SQLite quick_check: ${check.slice(0, 200)}); not read`);
    }
    this.db = { db, stamp: snap.unstable ? '' : stamp };
    return db;
  }
}

function toRun([id, name, status, start, end, stage, exp, artifactUri, userId]: SqlValue[], all: boolean, expIds: Set<string>): RunSummary | undefined {
  if ((stage !== 'active' && !all) || !expIds.has(String(exp))) return undefined;
  return {
    id: String(id),
    experimentId: String(exp),
    name: name === null ? '' : String(name),
    status: runStatus(status),
    startTime: start === null ? undefined : Number(start),
    endTime: end === null ? undefined : Number(end),
    artifactUri: artifactUri === null ? undefined : String(artifactUri),
    userId: userId === null || userId === undefined ? undefined : String(userId),
    params: {},
    tags: {},
    metrics: {},
  };
}

/**
 * One run's history of one metric through an index of `metrics` led by run_uuid (MLflow
 * has index_metrics_run_uuid_key_step): a seek, then the rows by rowid. Undefined when
 * the store has no such index.
 */
async function historyPages(db: SqliteFile, runId: string, key: string): Promise<MetricPoint[] | undefined> {
  const schema: Schema = await readSchema(db);
  const table = schema.table('metrics');
  const byRun = schema.indexes.filter((i) => i.table === 'metrics' && i.columns[0]?.toLowerCase() === 'run_uuid');
  const index = byRun.find((i) => i.columns[1]?.toLowerCase() === 'key') ?? byRun[0];
  if (!table || !index) return undefined;
  const prefix: SqlValue[] = index.columns[1]?.toLowerCase() === 'key' ? [runId, key] : [runId];
  const rowids: number[] = [];
  await db.scanIndex(index.root, prefix, (entry) => rowids.push(Number(entry[entry.length - 1])));
  rowids.sort((a, b) => a - b);
  const read = columnReader(table, ['key', 'step', 'timestamp', 'value', 'is_nan']);
  const out: MetricPoint[] = [];
  for (const rowid of rowids) {
    const record = await db.tableRow(table.root, rowid);
    if (!record) throw new Unsupported(`index ${index.name} points at a missing row ${rowid}`);
    const [k, step, timestamp, value, isNan] = read(rowid, record);
    if (k === key) out.push({ step: Number(step), timestamp: Number(timestamp), value: isNan ? NaN : Number(value) });
  }
  return out.sort((a, b) => a.timestamp - b.timestamp || a.step - b.step);
}

async function stampOf(file: string): Promise<string> {
  const parts = await Promise.all([file, `${file}-wal`].map((f) => stat(f).then((s) => `${s.size}:${s.mtimeMs}`, () => '-')));
  return parts.join('|');
}

function rows(db: Database, sql: string): unknown[][] {
  const [result] = db.exec(sql);
  return result ? result.values : [];
}
