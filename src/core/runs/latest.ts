import type { MetricPoint } from './types';

/** MLflow's rule for a run's latest metric value: highest step, then timestamp, then value. */
export function isLater(a: MetricPoint, b: MetricPoint | undefined): boolean {
  if (!b) return true;
  if (a.step !== b.step) return a.step > b.step;
  if (a.timestamp !== b.timestamp) return a.timestamp > b.timestamp;
  // NaN never wins a comparison in Python's max(), so a NaN never replaces a value.
  return a.value > b.value;
}

export function latestOf(points: readonly MetricPoint[]): MetricPoint | undefined {
  let best: MetricPoint | undefined;
  for (const p of points) if (isLater(p, best)) best = p;
  return best;
}
