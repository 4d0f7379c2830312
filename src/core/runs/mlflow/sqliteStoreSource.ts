// MLflow's SQLite store (`mlflow.db`, MLflow's default store since 3.7) read without a
// server, through sql.js (SQLite compiled to WASM: no native module to rebuild for each
// Electron version). sql.js loads lazily, on the first listing.
import { stat } from 'node:fs/promises';
import type { Database, SqlJsStatic } from 'sql.js';
import type { Experiment, MetricPoint, RunListing, RunSource, RunSummary, SourceWarning, WarningSink } from '../types';
import { snapshotSqlite } from './sqliteSnapshot';
import { runStatus } from './status';

export interface SqliteStoreOptions {
  includeDeleted?: boolean;
  onWarning?: WarningSink;
  /** Where sql-wasm.wasm lies when sql.js cannot find it beside its own script (a bundle). */
  wasmPath?: string;
}

let sqlJs: Promise<SqlJsStatic> | undefined;
function loadSqlJs(wasmPath?: string): Promise<SqlJsStatic> {
  sqlJs ??= import('sql.js').then((m) => (m.default as unknown as (c?: object) => Promise<SqlJsStatic>)(wasmPath ? { locateFile: () => wasmPath } : undefined));
  return sqlJs;
}

export class MlflowSqliteSource implements RunSource {
  readonly kind = 'mlflow-sqlite';
  private db?: { db: Database; stamp: string };

  constructor(
    readonly location: string,
    private readonly options: SqliteStoreOptions = {},
  ) {}

  dispose(): void {
    this.db?.db.close();
    this.db = undefined;
  }

  async list(): Promise<RunListing> {
    const warnings: SourceWarning[] = [];
    const db = await this.open(warnings);
    const active = this.options.includeDeleted ? '' : "WHERE lifecycle_stage = 'active'";
    const experiments: Experiment[] = rows(db, `SELECT experiment_id, name, lifecycle_stage FROM experiments ${active} ORDER BY experiment_id`).map(
      ([id, name, stage]) => ({ id: String(id), name: String(name), lifecycleStage: String(stage) }),
    );
    const expIds = new Set(experiments.map((e) => e.id));
    const runs = new Map<string, RunSummary>();
    for (const [id, name, status, start, end, stage, exp] of rows(db, 'SELECT run_uuid, name, status, start_time, end_time, lifecycle_stage, experiment_id FROM runs')) {
      if ((stage !== 'active' && !this.options.includeDeleted) || !expIds.has(String(exp))) continue;
      runs.set(String(id), {
        id: String(id),
        experimentId: String(exp),
        name: name === null ? '' : String(name),
        status: runStatus(status),
        startTime: start === null ? undefined : Number(start),
        endTime: end === null ? undefined : Number(end),
        params: {},
        tags: {},
        metrics: {},
      });
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
    const [SQL, snap] = await Promise.all([loadSqlJs(this.options.wasmPath), snapshotSqlite(this.location)]);
    if (snap.unstable) {
      const w = { file: this.location, message: snap.unstable };
      warnings.push(w);
      this.options.onWarning?.(w);
    }
    this.dispose();
    const db = new SQL.Database(snap.bytes);
    this.db = { db, stamp: snap.unstable ? '' : stamp };
    return db;
  }
}

async function stampOf(file: string): Promise<string> {
  const parts = await Promise.all([file, `${file}-wal`].map((f) => stat(f).then((s) => `${s.size}:${s.mtimeMs}`, () => '-')));
  return parts.join('|');
}

function rows(db: Database, sql: string): unknown[][] {
  const [result] = db.exec(sql);
  return result ? result.values : [];
}
