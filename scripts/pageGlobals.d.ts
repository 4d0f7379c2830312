// What our pages put on `window` for the scripts that drive them in Chromium, as those
// scripts read it: the webviews' E2E hooks (webviews/metrics, webviews/compare) and the
// chart benchmark's page (bench/charts/oursEntry.ts, bench/charts.bench.mjs).
interface Window {
  mlopsMetrics?: { lastStep(metric: string, runName: string): number | null };
  mlopsCompare?: { rowLabels(): string[]; paramLabels(): string[]; highlighted(): string[] };
  // The benchmark's page: its API and the data handed to it; typed in bench/charts/oursEntry.ts.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  benchOurs?: any;
  data?: unknown;
  posted?: unknown;
}
