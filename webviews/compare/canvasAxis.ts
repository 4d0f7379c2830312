// One axis of the comparison panel's canvas charts: the parallel coordinates' vertical
// axes and the scatter's x and y axes differ only in where they sit and where the text goes.
import type { ChartTheme } from '../shared/theme';

type Point = [number, number];

export interface AxisTick {
  /** Position along the axis, 0 (start) to 1 (end). */
  at: number;
  text: string;
}

export interface AxisSpec {
  /** Where the scale's 0 and 1 fall on the canvas (CSS pixels). */
  start: Point;
  end: Point;
  /** The axis line, when the chart draws one (the scatter's frame is its own). */
  line?: [Point, Point];
  ticks: readonly AxisTick[];
  /** Tick text: its offset from the tick's point, alignment, and length before it is cut. */
  tickOffset: Point;
  tickAlign: CanvasTextAlign;
  tickChars: number;
  label?: { text: string; at: Point; chars: number; vertical?: boolean };
}

export const clip = (s: string, n = 18) => (s.length > n ? `${s.slice(0, n - 1)}…` : s);

export function drawAxis(ctx: CanvasRenderingContext2D, theme: ChartTheme, spec: AxisSpec): void {
  ctx.save();
  ctx.font = `11px ${theme.fontFamily}`;
  ctx.fillStyle = theme.foreground;
  if (spec.line) {
    ctx.strokeStyle = theme.foreground;
    ctx.lineWidth = theme.highContrast ? 2 : 1;
    ctx.beginPath();
    ctx.moveTo(...spec.line[0]);
    ctx.lineTo(...spec.line[1]);
    ctx.stroke();
  }
  ctx.textAlign = spec.tickAlign;
  const [x0, y0] = spec.start;
  const [x1, y1] = spec.end;
  for (const t of spec.ticks) {
    ctx.fillText(clip(t.text, spec.tickChars), x0 + (x1 - x0) * t.at + spec.tickOffset[0], y0 + (y1 - y0) * t.at + spec.tickOffset[1]);
  }
  const label = spec.label;
  if (label) {
    ctx.textAlign = 'center';
    ctx.translate(...label.at);
    if (label.vertical) ctx.rotate(-Math.PI / 2);
    ctx.fillText(clip(label.text, label.chars), 0, 0);
  }
  ctx.restore();
}
