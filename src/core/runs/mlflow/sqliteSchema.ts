// Tables and indexes of an SQLite file as sqlite_schema (page 1) describes them, with
// columns mapped by name from their CREATE statements: MLflow's migrations add columns
// with ALTER TABLE, so positions differ between databases of different ages.
import type { SqlValue } from './sqliteRecord';
import { Unsupported, type SqliteFile } from './sqlitePages';

export interface TableInfo {
  name: string;
  root: number;
  columns: string[];
  /** The INTEGER PRIMARY KEY column: stored as NULL in the record, its value is the rowid. */
  rowidAlias: number;
  hasDefault: boolean[];
}

export interface IndexInfo {
  name: string;
  table: string;
  root: number;
  columns: string[];
}

export interface Schema {
  /** Tables by lower-cased name; columns are parsed on first use, so tables we never read cannot stop us. */
  table(name: string): TableInfo | undefined;
  indexes: IndexInfo[];
}

export async function readSchema(db: SqliteFile): Promise<Schema> {
  const tables = new Map<string, { name: string; root: number; sql: string }>();
  const indexes: IndexInfo[] = [];
  await db.scanTable(1, (_rowid, [type, name, table, root, sql]) => {
    if (typeof sql !== 'string' || typeof root !== 'number' || !root) return;
    if (type === 'table') tables.set(String(name).toLowerCase(), { name: String(name), root, sql });
    else if (type === 'index') {
      const columns = parseCreateIndex(sql);
      if (columns) indexes.push({ name: String(name), table: String(table).toLowerCase(), root, columns });
    }
  });
  const parsed = new Map<string, TableInfo>();
  const table = (name: string) => {
    const key = name.toLowerCase();
    const t = tables.get(key);
    if (!t) return undefined;
    if (!parsed.has(key)) parsed.set(key, { name: t.name, root: t.root, ...parseCreateTable(t.sql) });
    return parsed.get(key);
  };
  return { table, indexes };
}

/** A table's column names and what is special about them, from its CREATE TABLE. */
export function parseCreateTable(sql: string): Omit<TableInfo, 'name' | 'root'> {
  const open = sql.indexOf('(');
  const close = sql.lastIndexOf(')');
  if (open < 0 || close < open) throw new Unsupported(`cannot read the columns of: ${sql.slice(0, 80)}`);
  if (/without\s+rowid/i.test(sql.slice(close))) throw new Unsupported('WITHOUT ROWID tables are not supported');
  const columns: string[] = [];
  const types: string[] = [];
  const hasDefault: boolean[] = [];
  let rowidAlias = -1;
  let tablePk: string[] | undefined;
  for (const def of splitTopLevel(sql.slice(open + 1, close))) {
    const first = /^\s*(\w+)/.exec(def)?.[1]?.toUpperCase();
    if (first && ['CONSTRAINT', 'PRIMARY', 'UNIQUE', 'CHECK', 'FOREIGN'].includes(first)) {
      const pk = /PRIMARY\s+KEY\s*\(([^)]*)\)/i.exec(def);
      if (pk) tablePk = splitTopLevel(pk[1]).map((c) => unquote(c.trim().split(/\s+(?=(?:ASC|DESC|COLLATE)\b)/i)[0]));
      continue;
    }
    const [name, rest] = splitName(def.trim());
    if (/\b(GENERATED|AS)\s*\(/i.test(rest) || /\bGENERATED\b/i.test(rest)) throw new Unsupported(`generated column ${name} is not supported`);
    const type = /^\s*([^]*?)\s*(?:\b(?:CONSTRAINT|PRIMARY|NOT|NULL|UNIQUE|CHECK|DEFAULT|COLLATE|REFERENCES)\b|$)/i.exec(rest)?.[1] ?? '';
    if (/\bPRIMARY\s+KEY\b/i.test(rest) && type.toUpperCase() === 'INTEGER' && !/PRIMARY\s+KEY\s+DESC/i.test(rest)) rowidAlias = columns.length;
    columns.push(name);
    types.push(type.toUpperCase());
    hasDefault.push(/\bDEFAULT\b/i.test(rest));
  }
  if (tablePk?.length === 1) {
    const i = columns.findIndex((c) => c.toLowerCase() === tablePk![0].toLowerCase());
    if (i >= 0 && types[i] === 'INTEGER') rowidAlias = i;
  }
  return { columns, rowidAlias, hasDefault };
}

/** The plain columns of a CREATE INDEX; undefined for partial, expression or collated indexes. */
export function parseCreateIndex(sql: string): string[] | undefined {
  const m = /\bON\s+("[^"]+"|`[^`]+`|\[[^\]]+\]|\w+)\s*\(([^]*)\)\s*$/i.exec(sql.trim());
  if (!m) return undefined;
  const cols = splitTopLevel(m[2]).map((c) => c.trim());
  if (cols.some((c) => /[()]|\bCOLLATE\b|\bDESC\b/i.test(c))) return undefined;
  return cols.map((c) => unquote(c.replace(/\s+ASC$/i, '')));
}

function splitTopLevel(s: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let quote = '';
  let start = 0;
  for (let i = 0; i < s.length; i++) {
    const ch = s[i];
    if (quote) {
      if (ch === quote) quote = '';
    } else if (ch === '"' || ch === "'" || ch === '`') quote = ch;
    else if (ch === '[') quote = ']';
    else if (ch === '(') depth++;
    else if (ch === ')') depth--;
    else if (ch === ',' && depth === 0) {
      out.push(s.slice(start, i));
      start = i + 1;
    }
  }
  out.push(s.slice(start));
  return out.filter((d) => d.trim());
}

function splitName(def: string): [name: string, rest: string] {
  const q = def[0];
  const end = q === '"' || q === '`' || q === "'" ? q : q === '[' ? ']' : '';
  if (end) {
    let i = 1;
    let name = '';
    for (; i < def.length; i++) {
      if (def[i] === end) {
        if (def[i + 1] === end && end !== ']') {
          name += end;
          i++;
          continue;
        }
        break;
      }
      name += def[i];
    }
    return [name, def.slice(i + 1)];
  }
  const m = /^(\S+)([^]*)$/.exec(def)!;
  return [m[1], m[2]];
}

const unquote = (c: string) => splitName(c.trim())[0];

export interface ColumnReader {
  (rowid: number, record: SqlValue[]): SqlValue[];
  /** The record columns the reader looks at, for decoding only those. */
  wanted: boolean[];
}

/** Reads named columns out of a table's records. */
export function columnReader(table: TableInfo, names: string[]): ColumnReader {
  const idx = names.map((n) => {
    const i = table.columns.findIndex((c) => c.toLowerCase() === n.toLowerCase());
    if (i < 0) throw new Unsupported(`table ${table.name} has no column ${n}`);
    return i;
  });
  const read = (rowid: number, record: SqlValue[]) => {
    const out = new Array<SqlValue>(idx.length);
    for (let k = 0; k < idx.length; k++) {
      const i = idx[k];
      if (i === table.rowidAlias) out[k] = record[i] ?? rowid;
      else if (i < record.length) out[k] = record[i];
      // Rows older than an ALTER TABLE ADD COLUMN lack it; its DEFAULT applies, which we do not evaluate.
      else if (table.hasDefault[i]) throw new Unsupported(`a row of ${table.name} predates its column ${table.columns[i]}, whose default we do not evaluate`);
      else out[k] = null;
    }
    return out;
  };
  return Object.assign(read, { wanted: table.columns.map((_, i) => idx.includes(i)) });
}

/** Where named columns lie in a table's records, for reading RecordViews without a copy. */
export function columnPositions(table: TableInfo, names: string[]): number[] {
  return names.map((n) => {
    const i = table.columns.findIndex((c) => c.toLowerCase() === n.toLowerCase());
    if (i < 0) throw new Unsupported(`table ${table.name} has no column ${n}`);
    // Stored as NULL, its value is the rowid: columnReader knows that, a bare position does not.
    if (i === table.rowidAlias) throw new Unsupported(`column ${n} of ${table.name} is its rowid; read it through columnReader`);
    return i;
  });
}

/**
 * For a record holding only `count` columns: rows older than an ALTER TABLE ADD COLUMN
 * lack it, and its DEFAULT applies, which we do not evaluate (NULL when it has none).
 */
export function checkShortRecord(table: TableInfo, positions: number[], count: number): void {
  for (const i of positions) {
    if (i >= count && table.hasDefault[i]) throw new Unsupported(`a row of ${table.name} predates its column ${table.columns[i]}, whose default we do not evaluate`);
  }
}
