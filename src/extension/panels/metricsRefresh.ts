// What the metrics panel posts for one series after the stores were read again while its
// run trains. Kept free of vscode so bench/live-metric.bench.mjs feeds the real webview
// the very message the panel would post.
import { downsampleHeld } from '../../core/runs/downsample';
import { heldPoint, heldSlice, type HeldSeries } from '../../core/runs/heldSeries';
import type { HostToMetrics } from '../../protocol/panels';

// A run logging fast is appended to; past this many appended points per pixel it is
// downsampled again so the webview never holds more than the chart can show.
export const APPEND_POINTS_PER_PX = 4;

export type SeriesMessage = Extract<HostToMetrics, { type: 'series' }>;
export type AppendMessage = Extract<HostToMetrics, { type: 'append' }>;

/** A whole series, downsampled to the chart's width (a first send, or a replacement). */
export function seriesMessage(metric: string, run: string, points: HeldSeries, width: number): SeriesMessage {
  return { type: 'series', metric, run, data: downsampleHeld(points, width), total: points.length };
}

export interface SeriesRefreshInput {
  metric: string;
  run: string;
  /** The history held since the last refresh. */
  before: HeldSeries | undefined;
  /** The listing's latest point of the metric: unchanged means nothing was logged. */
  latest: { step: number; timestamp: number } | undefined;
  /** Points appended since the last full send. */
  appended: number;
  width: number;
  /** Reads the metric's whole history (may throw: the caller keeps what it had). */
  read: () => Promise<HeldSeries>;
}

/** What to hold and post now; undefined when nothing changed. `appended` 0 after a full send. */
export interface SeriesRefresh {
  history: HeldSeries;
  appended: number;
  message: SeriesMessage | AppendMessage;
}

/**
 * Only what is new is sent (an append); a shorter history (the run was rewritten) or too
 * many appended points per pixel send the whole series downsampled again.
 */
export async function refreshSeries(i: SeriesRefreshInput): Promise<SeriesRefresh | undefined> {
  const last = i.before?.length ? heldPoint(i.before, i.before.length - 1) : undefined;
  if (last && i.latest && i.latest.step === last.step && i.latest.timestamp === last.timestamp) return undefined;
  const now = await i.read();
  const had = i.before?.length ?? 0;
  if (now.length < had) return { history: now, appended: 0, message: seriesMessage(i.metric, i.run, now, i.width) };
  if (now.length === had) return undefined;
  const added = heldSlice(now, had, now.length);
  const total = i.appended + added.step.length;
  if (total > i.width * APPEND_POINTS_PER_PX) return { history: now, appended: 0, message: seriesMessage(i.metric, i.run, now, i.width) };
  return { history: now, appended: total, message: { type: 'append', metric: i.metric, run: i.run, data: added } };
}
