// Latency of a served model over N repeats of one request: p50/p95 by nearest rank (the
// figure a served request actually took, never an interpolation between two).

export interface LatencyStats {
  n: number;
  minMs: number;
  p50Ms: number;
  p95Ms: number;
  maxMs: number;
}

/** Nearest-rank percentile of sorted values: the smallest value with at least p% at or below it. */
export function percentile(sorted: readonly number[], p: number): number {
  if (!sorted.length) return NaN;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1];
}

export function latencyStats(samplesMs: readonly number[]): LatencyStats | undefined {
  if (!samplesMs.length) return undefined;
  const sorted = [...samplesMs].sort((a, b) => a - b);
  return { n: sorted.length, minMs: sorted[0], p50Ms: percentile(sorted, 50), p95Ms: percentile(sorted, 95), maxMs: sorted[sorted.length - 1] };
}
