// MLflow's model registry from mlflow.db without a server: registered_models, model_versions,
// their tags, registered_model_aliases and (MLflow 3) logged_models. The same page reader as
// the Runs view (readConsistent: no lock, retried while a writer commits), with sql.js as the
// fallback for whatever it does not support. A store made before the registry existed (no
// registered_models table) simply has no models.
import type { RecordView, SqlValue } from '../runs/mlflow/sqliteRecord';
import { readConsistent } from '../runs/mlflow/sqliteConsistentRead';
import { Unsupported, type SqliteFile } from '../runs/mlflow/sqlitePages';
import { checkShortRecord, columnPositions, columnReader, readSchema } from '../runs/mlflow/sqliteSchema';
import { snapshotSqlite } from '../runs/mlflow/sqliteSnapshot';
import { loadSqlJs } from '../runs/mlflow/sqliteStoreSource';
import { finishModel, loggedModelStatus, type LoggedModel, type ModelVersion, type RegisteredModel, type RegistryListing } from './types';

/** Text known in advance, as a string and as its UTF-8 bytes (compared in place on a page). */
interface Literal {
  text: string;
  bytes: Uint8Array;
}
const literal = (text: string): Literal => ({ text, bytes: new TextEncoder().encode(text) });

/**
 * A row of a table being read, columns in the order asked (null where the table lacks one).
 * Besides the values, in-place comparisons: most rows repeat the row before (a model's
 * versions and tags are written together) or a common value ("default", "READY"), and not
 * decoding those spares a string per value; on a cold, busy process the garbage collector
 * was the largest part of a listing.
 */
interface Row {
  get(k: number): SqlValue;
  /** Whether column k is this text. */
  is(k: number, lit: Literal): boolean;
  /** A token for column k's text, for `same` on later rows (pages are not rewritten while read). */
  mark(k: number): unknown;
  same(k: number, mark: unknown): boolean;
}
/** Visits the rows of one table; false: no such table. A visitor, not an array per row. */
type TableRows = (table: string, columns: string[], visit: (row: Row) => void) => Promise<boolean>;

const TABLES = ['registered_models', 'model_versions', 'registered_model_tags', 'model_version_tags', 'registered_model_aliases', 'logged_models', 'logged_model_tags'];

export interface SqliteRegistryOptions {
  wasmPath?: string;
  /** MLflow 3.x workspaces: rows of other workspaces are left out (default "default"). */
  workspace?: string;
}

export async function readSqliteRegistry(file: string, options: SqliteRegistryOptions = {}): Promise<RegistryListing> {
  const warnings: string[] = [];
  try {
    const { value, unstable } = await readConsistent(file, async (db) => assemble(pageRows(db, await readSchema(db)), options));
    if (unstable) warnings.push(`${file}: ${unstable}`);
    return { ...value, warnings: [...value.warnings, ...warnings] };
  } catch (err) {
    if (!(err instanceof Unsupported)) throw err;
    warnings.push(`${file}: read through sql.js instead of page by page: ${err.message}`);
  }
  const [SQL, snap] = await Promise.all([loadSqlJs(options.wasmPath), snapshotSqlite(file)]);
  if (snap.unstable) warnings.push(`${file}: ${snap.unstable}`);
  const db = new SQL.Database(snap.bytes);
  try {
    const check = String(db.exec('PRAGMA quick_check(1)')[0]?.values[0]?.[0] ?? '');
    if (check !== 'ok') throw new Error(`${file} is damaged (SQLite quick_check: ${check.slice(0, 200)}); not read`);
    const rows: TableRows = async (table, columns, visit) => {
      const have = new Set((db.exec(`SELECT name FROM pragma_table_info('${table}')`)[0]?.values ?? []).map(([n]) => String(n).toLowerCase()));
      if (!have.size) return false;
      const list = columns.map((c) => (have.has(c) ? `"${c}"` : 'NULL')).join(', ');
      let values: SqlValue[] = [];
      const row: Row = { get: (k) => values[k], is: (k, lit) => values[k] === lit.text, mark: (k) => values[k], same: (k, m) => m !== null && values[k] === m };
      for (values of (db.exec(`SELECT ${list} FROM "${table}"`)[0]?.values ?? []) as SqlValue[][]) visit(row);
      return true;
    };
    const value = await assemble(rows, options);
    return { ...value, warnings: [...warnings, ...value.warnings] };
  } finally {
    db.close();
  }
}

function pageRows(db: SqliteFile, schema: Awaited<ReturnType<typeof readSchema>>): TableRows {
  let prefetched = false;
  return async (name, columns, visit) => {
    const table = schema.table(name);
    if (!table) return false;
    if (!prefetched) {
      prefetched = true;
      const roots = TABLES.map((t) => schema.table(t)?.root).filter((r): r is number => r !== undefined);
      await db.prefetch(roots);
    }
    const present = columns.filter((c) => table.columns.some((t) => t.toLowerCase() === c));
    // A column stored as the rowid (INTEGER PRIMARY KEY) needs columnReader; MLflow's registry tables have none.
    if (present.some((c) => table.columns.findIndex((t) => t.toLowerCase() === c) === table.rowidAlias)) {
      const read = columnReader(table, present);
      const where = columns.map((c) => present.indexOf(c));
      let got: SqlValue[] = [];
      const get = (k: number) => (where[k] < 0 ? null : got[where[k]]);
      const row: Row = { get, is: (k, lit) => get(k) === lit.text, mark: get, same: (k, m) => m !== null && get(k) === m };
      await db.scanTable(table.root, (rowid, record) => {
        got = read(rowid, record);
        visit(row);
      }, read.wanted);
      return true;
    }
    // In place: only the asked columns are decoded, when the visitor asks.
    const at = columns.map((c) => (present.includes(c) ? columnPositions(table, [c])[0] : -1));
    const wanted = at.filter((i) => i >= 0);
    let view: RecordView | undefined;
    const row: Row = {
      get: (k) => (at[k] < 0 || at[k] >= view!.count ? null : view!.value(at[k])),
      is: (k, lit) => at[k] >= 0 && view!.sameText(at[k], lit.bytes, 0, lit.bytes.length),
      mark: (k) => {
        const start = at[k] < 0 ? -1 : view!.textStart(at[k]);
        return start < 0 ? null : { buf: view!.buf, start, length: view!.textLength(at[k]) };
      },
      same: (k, m) => {
        const t = m as { buf: Uint8Array; start: number; length: number } | null;
        return !!t && at[k] >= 0 && view!.sameText(at[k], t.buf, t.start, t.length);
      },
    };
    await db.scanRows(table.root, (_rowid, v) => {
      checkShortRecord(table, wanted, v.count);
      view = v;
      visit(row);
    });
    return true;
  };
}

/** Code-point order: localeCompare's collator costs more to start than this whole listing. */
const byName = (a: { name: string }, b: { name: string }) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);
const utf8 = new TextDecoder();
const str = (v: SqlValue): string => (v === null || v === undefined ? '' : typeof v === 'string' ? v : typeof v === 'object' ? utf8.decode(v) : String(v));
const num = (v: SqlValue): number | undefined => (v === null || v === undefined || v === '' ? undefined : Number(v));

const NONE = literal('None');
const READY = literal('READY');

/** The entry a row's name column names: the row before's when the bytes are the same. */
class ByName<T> {
  private lastMark: unknown = null;
  private last: T | undefined;

  constructor(private readonly map: Map<string, T>) {}

  of(row: Row, k: number): T | undefined {
    if (this.lastMark !== null && row.same(k, this.lastMark)) return this.last;
    this.lastMark = row.mark(k);
    this.last = this.map.get(str(row.get(k)));
    return this.last;
  }
}

/** A column's text, the string of the row before when the bytes are the same (tag keys repeat on every version). */
class RepeatedText {
  private lastMark: unknown = null;
  private last = '';

  of(row: Row, k: number): string {
    if (this.lastMark !== null && row.same(k, this.lastMark)) return this.last;
    this.lastMark = row.mark(k);
    this.last = str(row.get(k));
    return this.last;
  }
}

async function assemble(rows: TableRows, options: SqliteRegistryOptions): Promise<Omit<RegistryListing, 'warnings'> & { warnings: string[] }> {
  const workspace = literal(options.workspace ?? 'default');
  const inWorkspace = (row: Row, k: number) => row.is(k, workspace) || row.get(k) === null || str(row.get(k)) === workspace.text;
  // Each model with its versions by number: tags find their version without building a key string per row.
  const models = new Map<string, { model: RegisteredModel; byVersion: Map<string, ModelVersion> }>();
  await rows('registered_models', ['name', 'creation_time', 'last_updated_time', 'description', 'workspace'], (row) => {
    if (!inWorkspace(row, 4)) return;
    const name = str(row.get(0));
    models.set(name, { model: { name, created: num(row.get(1)), updated: num(row.get(2)), description: str(row.get(3)), tags: {}, aliases: {}, versions: [] }, byVersion: new Map() });
  });
  if (models.size) {
    const cols = ['name', 'version', 'creation_time', 'last_updated_time', 'description', 'current_stage', 'source', 'run_id', 'status', 'storage_location', 'workspace'];
    const modelOf = new ByName(models);
    await rows('model_versions', cols, (row) => {
      const entry = modelOf.of(row, 0);
      if (!entry || !inWorkspace(row, 10)) return;
      const src = str(row.get(6));
      const v: ModelVersion = {
        name: entry.model.name,
        version: str(row.get(1)),
        aliases: [],
        stage: row.is(5, NONE) ? NONE.text : str(row.get(5)) || 'None',
        tags: {},
        status: row.is(8, READY) ? READY.text : str(row.get(8)) || 'READY',
        created: num(row.get(2)),
        updated: num(row.get(3)),
        description: str(row.get(4)),
        source: src,
        storageLocation: str(row.get(9)) || undefined,
        runId: str(row.get(7)) || undefined,
        modelId: src.startsWith('models:/m-') ? src.slice('models:/'.length) : undefined,
      };
      entry.model.versions.push(v);
      entry.byVersion.set(v.version, v);
    });
    const tagModelOf = new ByName(models);
    await rows('registered_model_tags', ['key', 'value', 'name', 'workspace'], (row) => {
      const entry = tagModelOf.of(row, 2);
      if (entry && inWorkspace(row, 3)) entry.model.tags[str(row.get(0))] = str(row.get(1));
    });
    const versionModelOf = new ByName(models);
    const tagKey = new RepeatedText();
    await rows('model_version_tags', ['key', 'value', 'name', 'version', 'workspace'], (row) => {
      const v = versionModelOf.of(row, 2)?.byVersion.get(str(row.get(3)));
      if (v && inWorkspace(row, 4)) v.tags[tagKey.of(row, 0)] = str(row.get(1));
    });
    const aliasModelOf = new ByName(models);
    await rows('registered_model_aliases', ['alias', 'version', 'name', 'workspace'], (row) => {
      const entry = aliasModelOf.of(row, 2);
      if (entry && inWorkspace(row, 3)) entry.model.aliases[str(row.get(0))] = str(row.get(1));
    });
  }
  const logged = new Map<string, LoggedModel>();
  const lmCols = ['model_id', 'experiment_id', 'name', 'artifact_location', 'creation_timestamp_ms', 'status', 'lifecycle_stage', 'source_run_id'];
  await rows('logged_models', lmCols, (row) => {
    const stage = row.get(6);
    if (stage !== null && str(stage) !== 'active') return;
    const id = str(row.get(0));
    logged.set(id, { id, name: str(row.get(2)), experimentId: str(row.get(1)), runId: str(row.get(7)) || undefined, status: loggedModelStatus(row.get(5)), created: num(row.get(4)), artifactLocation: str(row.get(3)), tags: {} });
  });
  if (logged.size) {
    const loggedOf = new ByName(logged);
    await rows('logged_model_tags', ['model_id', 'tag_key', 'tag_value'], (row) => {
      const lm = loggedOf.of(row, 0);
      if (lm) lm.tags[str(row.get(1))] = str(row.get(2));
    });
  }
  const list = [...models.values()].map((e) => finishModel(e.model)).sort(byName);
  return { models: list, loggedModels: [...logged.values()].sort((a, b) => (b.created ?? 0) - (a.created ?? 0)), warnings: [] };
}
