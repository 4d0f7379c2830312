// Messages between the extension host and the experiments table webview. The host owns
// the table (runs, filter, sort, groups, column layout: src/core/runs/table) and sends
// the rows to draw as text; the webview draws the rows in view and reports what the
// user does. Both ends check every message on arrival (`parse*`).
import type { ProbeReply, ProbeRequest } from './panels';

export interface TableSortKey {
  column: string;
  desc: boolean;
}

export interface TableColumnMsg {
  id: string;
  label: string;
  /** `attr`, `param`, `metric`, `metricMin`, `metricMax`, `tag`. */
  kind: string;
  /** Right-aligned, tabular digits. */
  numeric: boolean;
  width: number;
  pinned: boolean;
}

/** A column the chooser lists, shown or not. */
export interface ColumnChoiceMsg {
  id: string;
  label: string;
  kind: string;
  shown: boolean;
  pinned: boolean;
}

export interface TableRowMsg {
  /** A run's key (the panels' run key), or a group's id. */
  key: string;
  kind: 'run' | 'group';
  /** Display text per visible column, in column order. */
  cells: string[];
  /** Group rows: the aggregates in full, per column ('' where none). */
  titles?: string[];
  /** Runs: RUNNING, FINISHED, ... (the status dot). */
  status?: string;
  /** Runs: the parent run's key (MLflow's nested runs). */
  parent?: string;
  /** Runs, nested (not while grouped): the level (0 at the top), how many children it has, whether they show. */
  depth?: number;
  children?: number;
  expanded?: boolean;
  /** Runs: shown only because a child of theirs matches the search. */
  context?: boolean;
  /** Groups: how many runs, and whether they are folded away. */
  count?: number;
  collapsed?: boolean;
}

export interface SearchErrorMsg {
  message: string;
  /** 1-based column in the search text. */
  column: number;
}

export type HostToTable =
  /** The whole table as the host's state makes it now: sent after every change. */
  | {
      type: 'rows';
      columns: TableColumnMsg[];
      rows: TableRowMsg[];
      /** Every listed run; `matched`: those the search lets through. */
      total: number;
      matched: number;
      sort: TableSortKey[];
      groupBy: string | null;
      choices: ColumnChoiceMsg[];
      /** Metrics whose min/max columns are on. */
      minMax: string[];
      problems: string[];
      /**
       * A tracking server's search is still paging: the rows are its first pages (the
       * newest matches first) and more are on the way. Absent once every page came.
       */
      loadingMore?: boolean;
      /**
       * Rows still to come in `rowsMore` messages after these: a large table is sent in
       * parts, so the extension host never holds every row's message at once.
       */
      more?: number;
    }
  /** The next part of the rows of the last `rows` message; `more`: rows still to come after these. */
  | { type: 'rowsMore'; width: number; rows: TableRowMsg[]; more: number }
  /** The search text the host holds (restored), and its parse error, if any. */
  | { type: 'search'; text: string; error: SearchErrorMsg | null }
  | ProbeRequest;

export type ExportFormat = 'csv' | 'markdown';
export type OpenAction = 'compare' | 'charts';

export type TableToHost =
  | { type: 'ready' }
  | { type: 'search'; text: string }
  /** A header click; `additive`: with Shift, another sort key. */
  | { type: 'sortClick'; column: string; additive: boolean }
  | { type: 'show'; column: string; shown: boolean }
  | { type: 'pin'; column: string; pinned: boolean }
  /** Moves `column` before `before` (null: to the end). */
  | { type: 'move'; column: string; before: string | null }
  | { type: 'resize'; column: string; width: number }
  | { type: 'groupBy'; column: string | null }
  | { type: 'toggleGroup'; id: string }
  /** Folds or unfolds a parent run's children. */
  | { type: 'toggleNest'; key: string }
  | { type: 'minMax'; metric: string; on: boolean }
  | { type: 'open'; action: OpenAction; keys: string[] }
  | { type: 'export'; format: ExportFormat }
  | { type: 'copy'; text: string }
  | ProbeReply<TableProbe>;

/** What the webview holds and draws (E2E probe): rows in the table, rows in the DOM, and the names drawn. */
export interface TableProbe {
  rows: number;
  domRows: number;
  /** The first column's text of each drawn row, top to bottom. */
  drawn: string[];
  columns: string[];
  selected: string[];
  searchError: string | null;
}

// ---- validation -------------------------------------------------------------------

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const isStr = (v: unknown): v is string => typeof v === 'string';
const isBool = (v: unknown): v is boolean => typeof v === 'boolean';
const isCount = (v: unknown): v is number => Number.isSafeInteger(v) && (v as number) >= 0;
const isStrArray = (v: unknown): v is string[] => Array.isArray(v) && v.every(isStr);
const optional = <T>(v: unknown, check: (x: unknown) => x is T) => v === undefined || check(v);

// A search longer than MLflow's own limit is refused by the parser anyway; this only keeps a message bounded.
const MAX_SEARCH = 64 * 1024;
// A clipboard copy of one row as TSV: generous, but not a way to post the whole store.
const MAX_COPY = 1024 * 1024;

const isSortKey = (v: unknown): v is TableSortKey => isObj(v) && isStr(v.column) && isBool(v.desc);

function isColumn(v: unknown): v is TableColumnMsg {
  return isObj(v) && isStr(v.id) && isStr(v.label) && isStr(v.kind) && isBool(v.numeric) && typeof v.width === 'number' && Number.isFinite(v.width) && isBool(v.pinned);
}

function isChoice(v: unknown): v is ColumnChoiceMsg {
  return isObj(v) && isStr(v.id) && isStr(v.label) && isStr(v.kind) && isBool(v.shown) && isBool(v.pinned);
}

function isRow(v: unknown, width: number): v is TableRowMsg {
  if (!isObj(v) || !isStr(v.key) || (v.kind !== 'run' && v.kind !== 'group')) return false;
  if (!Array.isArray(v.cells) || v.cells.length !== width || !v.cells.every(isStr)) return false;
  if (v.titles !== undefined && !(Array.isArray(v.titles) && v.titles.length === width && v.titles.every(isStr))) return false;
  return (
    optional(v.status, isStr) &&
    optional(v.parent, isStr) &&
    optional(v.count, isCount) &&
    optional(v.collapsed, isBool) &&
    optional(v.depth, isCount) &&
    optional(v.children, isCount) &&
    optional(v.expanded, isBool) &&
    optional(v.context, isBool)
  );
}

const isSearchError = (v: unknown): v is SearchErrorMsg => isObj(v) && isStr(v.message) && isCount(v.column);

export function parseHostToTable(m: unknown): HostToTable | undefined {
  if (!isObj(m)) return undefined;
  switch (m.type) {
    case 'rows': {
      if (!Array.isArray(m.columns) || !m.columns.every(isColumn)) return undefined;
      const width = m.columns.length;
      const ok =
        Array.isArray(m.rows) &&
        m.rows.every((r) => isRow(r, width)) &&
        isCount(m.total) &&
        isCount(m.matched) &&
        Array.isArray(m.sort) &&
        m.sort.every(isSortKey) &&
        (m.groupBy === null || isStr(m.groupBy)) &&
        Array.isArray(m.choices) &&
        m.choices.every(isChoice) &&
        isStrArray(m.minMax) &&
        isStrArray(m.problems) &&
        (m.loadingMore === undefined || typeof m.loadingMore === 'boolean') &&
        optional(m.more, isCount);
      return ok ? (m as HostToTable) : undefined;
    }
    case 'rowsMore': {
      const width = m.width;
      if (!isCount(width) || !isCount(m.more) || !Array.isArray(m.rows)) return undefined;
      return m.rows.every((r) => isRow(r, width)) ? (m as HostToTable) : undefined;
    }
    case 'search':
      return isStr(m.text) && (m.error === null || isSearchError(m.error)) ? (m as HostToTable) : undefined;
    case 'probe':
      return Number.isSafeInteger(m.id) ? (m as HostToTable) : undefined;
    default:
      return undefined;
  }
}

function isProbe(v: unknown): v is TableProbe {
  return isObj(v) && isCount(v.rows) && isCount(v.domRows) && isStrArray(v.drawn) && isStrArray(v.columns) && isStrArray(v.selected) && (v.searchError === null || isStr(v.searchError));
}

export function parseTableToHost(m: unknown): TableToHost | undefined {
  if (!isObj(m)) return undefined;
  const ok = (() => {
    switch (m.type) {
      case 'ready':
        return true;
      case 'search':
        return isStr(m.text) && m.text.length <= MAX_SEARCH;
      case 'sortClick':
        return isStr(m.column) && isBool(m.additive);
      case 'show':
        return isStr(m.column) && isBool(m.shown);
      case 'pin':
        return isStr(m.column) && isBool(m.pinned);
      case 'move':
        return isStr(m.column) && (m.before === null || isStr(m.before));
      case 'resize':
        return isStr(m.column) && typeof m.width === 'number' && Number.isFinite(m.width);
      case 'groupBy':
        return m.column === null || isStr(m.column);
      case 'toggleGroup':
        return isStr(m.id);
      case 'toggleNest':
        return isStr(m.key);
      case 'minMax':
        return isStr(m.metric) && isBool(m.on);
      case 'open':
        return (m.action === 'compare' || m.action === 'charts') && isStrArray(m.keys);
      case 'export':
        return m.format === 'csv' || m.format === 'markdown';
      case 'copy':
        return isStr(m.text) && m.text.length <= MAX_COPY;
      case 'probeReply':
        return Number.isSafeInteger(m.id) && isProbe(m.data);
      default:
        return false;
    }
  })();
  return ok ? (m as TableToHost) : undefined;
}
