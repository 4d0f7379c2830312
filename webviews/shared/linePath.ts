// The line of one faceted series, built for what the host sends: already cut to a few
// points per pixel, x ascending. uPlot's own linear builder walks every point of the
// facet through two closures per point and re-buckets them per pixel, which is most of a
// first render of 20 runs; this walks only the points in view (plus one either side) with
// the scale's arithmetic inlined, and still merges the points that share a pixel column.
import uPlot from 'uplot';

const fallback = uPlot.paths.linear!();

/** Index of the first x >= `v` in ascending `xs`. */
function lowerBound(xs: ArrayLike<number>, v: number): number {
  let lo = 0;
  let hi = xs.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (xs[mid] < v) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

type Facet = [ArrayLike<number>, ArrayLike<number | null>];

export const directLinear: uPlot.Series.PathBuilder = (u, seriesIdx, idx0, idx1) => {
  const series = u.series[seriesIdx];
  const sx = u.scales[series.facets?.[0]?.scale ?? 'x'];
  const sy = u.scales[series.facets?.[1]?.scale ?? 'y'];
  const linearY = sy.distr === 1 || sy.distr === 3;
  if ((u as unknown as { mode: number }).mode !== 2 || sx.ori !== 0 || sx.dir !== 1 || sx.distr !== 1 || !linearY || sx.min == null || sx.max == null || sy.min == null || sy.max == null) {
    return fallback(u, seriesIdx, idx0, idx1);
  }
  const [xs, ys] = (u.data as unknown as Facet[])[seriesIdx];
  const { left, top, width, height } = u.bbox;
  const log = sy.distr === 3;
  const ty = (v: number) => (log ? Math.log10(v) : v);
  const x0 = sx.min;
  const kx = width / (sx.max - sx.min || 1);
  const y0 = ty(sy.min);
  const ky = height / (ty(sy.max) - y0 || 1);
  const bottom = top + height;
  // One point beyond each edge, so the line runs out of the plot (the bounds clip cuts it).
  const from = Math.max(idx0, lowerBound(xs, sx.min) - 1);
  const to = Math.min(idx1, lowerBound(xs, sx.max) + 1);

  const stroke = new Path2D();
  let pen = false;
  let col = NaN;
  let colX = 0;
  let inY = 0;
  let minY = 0;
  let maxY = 0;
  let outY = 0;
  // A pixel column's points become at most 4 vertices: in, its extremes, out.
  const flush = () => {
    if (minY !== maxY) {
      if (inY !== minY && outY !== minY) stroke.lineTo(colX, minY);
      if (inY !== maxY && outY !== maxY) stroke.lineTo(colX, maxY);
      stroke.lineTo(colX, outY);
    }
  };
  for (let i = from; i <= to; i++) {
    const v = ys[i];
    if (v == null || (log && v <= 0)) {
      if (pen) flush();
      pen = false;
      col = NaN;
      continue;
    }
    const px = left + (xs[i] - x0) * kx;
    const py = bottom - (ty(v) - y0) * ky;
    const c = Math.round(px);
    if (pen && c === col) {
      outY = py;
      if (py < minY) minY = py;
      else if (py > maxY) maxY = py;
      continue;
    }
    if (pen) {
      flush();
      stroke.lineTo(px, py);
    } else stroke.moveTo(px, py);
    pen = true;
    col = c;
    colX = px;
    inY = minY = maxY = outY = py;
  }
  if (pen) flush();
  return { stroke, fill: null, clip: null, flags: 0 };
};
