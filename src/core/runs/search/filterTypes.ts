// The parsed form of an MLflow run search filter (`metrics.acc > 0.9 and params.opt = 'adam'`).

/** Comparators after parsing: word comparators in upper case, `IS NULL` etc. as one string. */
export type Comparator = '=' | '!=' | '>' | '>=' | '<' | '<=' | 'LIKE' | 'ILIKE' | 'IN' | 'NOT IN' | 'IS NULL' | 'IS NOT NULL';

/** Run attributes MLflow lets a filter name, after its aliases (`created`, `Run name`) are resolved. */
export type RunAttribute = 'run_id' | 'run_name' | 'user_id' | 'status' | 'artifact_uri' | 'start_time' | 'end_time';

export type FilterClause =
  | { kind: 'metric'; key: string; op: '=' | '!=' | '>' | '>=' | '<' | '<='; value: number; column: number }
  | { kind: 'param' | 'tag'; key: string; op: '=' | '!=' | 'LIKE' | 'ILIKE'; value: string; column: number }
  | { kind: 'param' | 'tag'; key: string; op: 'IS NULL' | 'IS NOT NULL'; column: number }
  | { kind: 'attribute'; key: 'start_time' | 'end_time'; op: '=' | '!=' | '>' | '>=' | '<' | '<='; value: number; column: number }
  | { kind: 'attribute'; key: Exclude<RunAttribute, 'start_time' | 'end_time'>; op: '=' | '!=' | 'LIKE' | 'ILIKE'; value: string; column: number }
  | { kind: 'attribute'; key: 'run_id'; op: 'IN' | 'NOT IN'; value: string[]; column: number };

/** Every clause must hold (MLflow's search has only `and`). No clauses: every run matches. */
export interface RunFilter {
  clauses: FilterClause[];
}

export interface FilterError {
  /** Says what was expected and where, e.g. "expected a comparator after metrics.acc at column 12". */
  message: string;
  /** 1-based column (UTF-16 code units) where the fault starts. */
  column: number;
}

export type ParseResult = { ok: true; filter: RunFilter } | { ok: false; error: FilterError };

/** Longer filters are refused before any work: MLflow (sqlparse) itself refuses beyond 10,000 tokens. */
export const MAX_FILTER_LENGTH = 64 * 1024;
/** About what sqlparse's 10,000-token limit lets through. */
export const MAX_FILTER_CLAUSES = 1000;
