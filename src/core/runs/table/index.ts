// The experiments table's pure core: columns and cell values, sort, filter, groups with
// aggregates, the user's column layout, and exports. The panel is src/extension/experiments.
export * from './columns';
export * from './sort';
export * from './aggregate';
export * from './cellText';
export * from './tableView';
export * from './nestedRows';
export * from './exportTable';
export * from './columnLayout';
export * from './tableState';
