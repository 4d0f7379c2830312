// What a page puts on `window` for the scripts that drive it in Chromium, as those scripts
// read it: only the chart benchmark's page (bench/charts/oursEntry.ts, bench/charts.bench.mjs).
// The webviews have no window hooks: E2E asks them through the probe message.
interface Window {
  // The benchmark's page: its API and the data handed to it; typed in bench/charts/oursEntry.ts.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  benchOurs?: any;
  // The chart the memory measure fills, series by series (a MetricChart).
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  memChart?: any;
  data?: unknown;
  posted?: unknown;
}
