// Only the charts smooth, as the slider moves, so the one implementation lives with them
// (it was in core and reached the webview bundles through a re-export in src/protocol).
/**
 * TensorBoard's smoothing: an exponential moving average debiased like Adam's moments, so
 * the first points are not pulled towards zero. `weight` is the slider's 0..1 (0 = raw).
 * Non-finite values pass through unchanged and do not disturb the average, as in
 * TensorBoard, so a NaN step still shows as a gap instead of poisoning what follows.
 */
export function emaSmooth(values: ArrayLike<number>, weight: number): number[] {
  const w = Math.min(Math.max(weight, 0), 0.999);
  const out = new Array<number>(values.length);
  let last = 0;
  let n = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (!Number.isFinite(v)) {
      out[i] = v;
      continue;
    }
    last = last * w + (1 - w) * v;
    n++;
    out[i] = w === 0 ? v : last / (1 - Math.pow(w, n));
  }
  return out;
}
