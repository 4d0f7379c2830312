// Bundled apart (dist/lazy/panelsFeature.js): the metric charts, the comparison, the
// experiments table and the pipeline DAG, with the run table and series code behind them,
// registered on first use (a command, or a panel coming back after a reload) through
// lazy/lazyFeature.ts (see registerFeatures.ts).
export { registerPanels } from '../panels/registerPanels';
