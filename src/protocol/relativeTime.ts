// The "relative" x axis of the metric charts: seconds since the run began. The webview
// draws with it and the host maps a zoomed range on it back to timestamps (to send that
// range's detail), so both must take the same origin: one rule, here.

/** How many of a series' first points are searched for its earliest time. */
const ORIGIN_SCAN = 1000;

/**
 * Where relative time counts from, in ms since the epoch: the run's start time when the
 * store has one, else the earliest finite timestamp among the series' first points, else 0.
 * `timeAt(i)` reads the i-th point's timestamp (the host has points, the webview columns).
 */
export function relativeTimeOrigin(startTime: number | undefined, count: number, timeAt: (i: number) => number): number {
  if (startTime !== undefined) return startTime;
  let min = Infinity;
  for (let i = 0; i < Math.min(count, ORIGIN_SCAN); i++) {
    const t = timeAt(i);
    if (Number.isFinite(t) && t < min) min = t;
  }
  return Number.isFinite(min) ? min : 0;
}

/** A timestamp (ms) as x on a time axis: seconds after `origin` (0 for wall time). */
export const timeToAxisSeconds = (t: number, origin: number): number => (t - origin) / 1000;

/** The inverse: x seconds on a time axis back to a timestamp in ms. */
export const axisSecondsToTime = (x: number, origin: number): number => x * 1000 + origin;
