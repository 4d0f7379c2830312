// MLflow's model registry from mlflow.db without a server: registered_models, model_versions,
// their tags, registered_model_aliases and (MLflow 3) logged_models. The same page reader as
// the Runs view (readConsistent: no lock, retried while a writer commits), with sql.js as the
// fallback for whatever it does not support. A store made before the registry existed (no
// registered_models table) simply has no models.
import type { SqlValue } from '../runs/mlflow/sqliteRecord';
import { readConsistent } from '../runs/mlflow/sqliteConsistentRead';
import { Unsupported, type SqliteFile } from '../runs/mlflow/sqlitePages';
import { checkShortRecord, columnPositions, columnReader, readSchema } from '../runs/mlflow/sqliteSchema';
import { snapshotSqlite } from '../runs/mlflow/sqliteSnapshot';
import { loadSqlJs } from '../runs/mlflow/sqliteStoreSource';
import { finishModel, loggedModelStatus, type LoggedModel, type RegisteredModel, type RegistryListing } from './types';

/** The rows of one table, columns in the order asked; a column the table lacks reads null. Undefined: no such table. */
type TableRows = (table: string, columns: string[]) => Promise<SqlValue[][] | undefined>;

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
    const rows: TableRows = async (table, columns) => {
      const have = new Set((db.exec(`SELECT name FROM pragma_table_info('${table}')`)[0]?.values ?? []).map(([n]) => String(n).toLowerCase()));
      if (!have.size) return undefined;
      const list = columns.map((c) => (have.has(c) ? `"${c}"` : 'NULL')).join(', ');
      return (db.exec(`SELECT ${list} FROM "${table}"`)[0]?.values ?? []) as SqlValue[][];
    };
    const value = await assemble(rows, options);
    return { ...value, warnings: [...warnings, ...value.warnings] };
  } finally {
    db.close();
  }
}

function pageRows(db: SqliteFile, schema: Awaited<ReturnType<typeof readSchema>>): TableRows {
  let prefetched = false;
  return async (name, columns) => {
    const table = schema.table(name);
    if (!table) return undefined;
    if (!prefetched) {
      prefetched = true;
      const roots = TABLES.map((t) => schema.table(t)?.root).filter((r): r is number => r !== undefined);
      await db.prefetch(roots);
    }
    const present = columns.filter((c) => table.columns.some((t) => t.toLowerCase() === c));
    const out: SqlValue[][] = [];
    // A column stored as the rowid (INTEGER PRIMARY KEY) needs columnReader; MLflow's registry tables have none.
    if (present.some((c) => table.columns.findIndex((t) => t.toLowerCase() === c) === table.rowidAlias)) {
      const read = columnReader(table, present);
      const where = columns.map((c) => present.indexOf(c));
      await db.scanTable(table.root, (rowid, record) => {
        const got = read(rowid, record);
        out.push(where.map((i) => (i < 0 ? null : got[i])));
      }, read.wanted);
      return out;
    }
    // In place: only the asked columns are decoded, one array per row (thousands of versions).
    const at = columns.map((c) => (present.includes(c) ? columnPositions(table, [c])[0] : -1));
    const wanted = at.filter((i) => i >= 0);
    await db.scanRows(table.root, (_rowid, row) => {
      checkShortRecord(table, wanted, row.count);
      const values = new Array<SqlValue>(at.length);
      for (let k = 0; k < at.length; k++) values[k] = at[k] < 0 || at[k] >= row.count ? null : row.value(at[k]);
      out.push(values);
    });
    return out;
  };
}

/** Code-point order: localeCompare's collator costs more to start than this whole listing. */
const byName = (a: { name: string }, b: { name: string }) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);
const str = (v: SqlValue): string => (v === null || v === undefined ? '' : typeof v === 'object' ? new TextDecoder().decode(v) : String(v));
const num = (v: SqlValue): number | undefined => (v === null || v === undefined || v === '' ? undefined : Number(v));

async function assemble(rows: TableRows, options: SqliteRegistryOptions): Promise<Omit<RegistryListing, 'warnings'> & { warnings: string[] }> {
  const workspace = options.workspace ?? 'default';
  const inWorkspace = (v: SqlValue) => v === null || str(v) === workspace;
  const models = new Map<string, RegisteredModel>();
  const modelRows = await rows('registered_models', ['name', 'creation_time', 'last_updated_time', 'description', 'workspace']);
  for (const [name, created, updated, description, ws] of modelRows ?? []) {
    if (!inWorkspace(ws)) continue;
    models.set(str(name), { name: str(name), created: num(created), updated: num(updated), description: str(description), tags: {}, aliases: {}, versions: [] });
  }
  const versions = new Map<string, RegisteredModel['versions'][number]>();
  if (models.size) {
    const cols = ['name', 'version', 'creation_time', 'last_updated_time', 'description', 'current_stage', 'source', 'run_id', 'status', 'storage_location', 'workspace'];
    for (const [name, version, created, updated, description, stage, source, runId, status, storage, ws] of (await rows('model_versions', cols)) ?? []) {
      const model = models.get(str(name));
      if (!model || !inWorkspace(ws)) continue;
      const src = str(source);
      const v = {
        name: model.name,
        version: str(version),
        aliases: [],
        stage: str(stage) || 'None',
        tags: {},
        status: str(status) || 'READY',
        created: num(created),
        updated: num(updated),
        description: str(description),
        source: src,
        storageLocation: str(storage) || undefined,
        runId: str(runId) || undefined,
        modelId: src.startsWith('models:/m-') ? src.slice('models:/'.length) : undefined,
      };
      model.versions.push(v);
      versions.set(`${v.name}\n${v.version}`, v);
    }
    for (const [key, value, name, ws] of (await rows('registered_model_tags', ['key', 'value', 'name', 'workspace'])) ?? []) {
      const model = models.get(str(name));
      if (model && inWorkspace(ws)) model.tags[str(key)] = str(value);
    }
    for (const [key, value, name, version, ws] of (await rows('model_version_tags', ['key', 'value', 'name', 'version', 'workspace'])) ?? []) {
      const v = versions.get(`${str(name)}\n${str(version)}`);
      if (v && inWorkspace(ws)) v.tags[str(key)] = str(value);
    }
    for (const [alias, version, name, ws] of (await rows('registered_model_aliases', ['alias', 'version', 'name', 'workspace'])) ?? []) {
      const model = models.get(str(name));
      if (model && inWorkspace(ws)) model.aliases[str(alias)] = str(version);
    }
  }
  const logged = new Map<string, LoggedModel>();
  const lmCols = ['model_id', 'experiment_id', 'name', 'artifact_location', 'creation_timestamp_ms', 'status', 'lifecycle_stage', 'source_run_id'];
  for (const [id, exp, name, location, created, status, stage, runId] of (await rows('logged_models', lmCols)) ?? []) {
    if (stage !== null && str(stage) !== 'active') continue;
    logged.set(str(id), { id: str(id), name: str(name), experimentId: str(exp), runId: str(runId) || undefined, status: loggedModelStatus(status), created: num(created), artifactLocation: str(location), tags: {} });
  }
  if (logged.size) {
    for (const [id, key, value] of (await rows('logged_model_tags', ['model_id', 'tag_key', 'tag_value'])) ?? []) {
      const lm = logged.get(str(id));
      if (lm) lm.tags[str(key)] = str(value);
    }
  }
  const list = [...models.values()].map(finishModel).sort(byName);
  return { models: list, loggedModels: [...logged.values()].sort((a, b) => (b.created ?? 0) - (a.created ?? 0)), warnings: [] };
}
