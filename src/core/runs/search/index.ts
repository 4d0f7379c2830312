// Search with MLflow's run filter syntax over listed runs: parseRunFilter, then matchesRun.
export { parseRunFilter } from './parseFilter';
export { matchesRun } from './matchRun';
export { likeMatch } from './likePattern';
export { MAX_FILTER_CLAUSES, MAX_FILTER_LENGTH } from './filterTypes';
export type { FilterClause, FilterError, ParseResult, RunFilter } from './filterTypes';
