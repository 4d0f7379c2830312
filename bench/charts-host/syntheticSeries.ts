// The benchmark's series, packed as the run-store worker transfers them (pointsCodec's
// triples): the noisy decaying loss of bench/charts.bench.mjs (its seed restarting per run), generated
// straight into the array so the worker's own heap stays small.
export function syntheticPacked(run: number, points: number): Float64Array {
  let seed = 42;
  const rand = () => (seed = (seed * 1664525 + 1013904223) >>> 0) / 2 ** 32;
  const out = new Float64Array(points * 3);
  for (let i = 0, j = 0; i < points; i++, j += 3) {
    out[j] = i;
    out[j + 1] = 1.7e12 + i * 1000;
    out[j + 2] = Math.exp(-i / (points / (3 + run / 4))) + 0.05 * rand();
  }
  return out;
}
