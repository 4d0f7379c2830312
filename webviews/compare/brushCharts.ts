// Parallel coordinates (params → a metric) and a scatter chart, both on canvas, both with
// brushing: dragging picks runs, which the table then highlights.
import type { Dimension } from './rows';
import { readTheme, withAlpha } from '../shared/theme';
import { drawAxis } from './canvasAxis';

export interface BrushRun {
  key: string;
  name: string;
  color: string;
}

type Scale = { pos(v: number | string | undefined): number | undefined; ticks: { at: number; text: string }[] };

/** A dimension's values mapped onto [0, 1]: numbers linearly, categories evenly spaced. */
export function scaleOf(dim: Dimension): Scale {
  if (dim.numeric) {
    const nums = dim.values.filter((v): v is number => typeof v === 'number' && Number.isFinite(v));
    let lo = Math.min(...nums);
    let hi = Math.max(...nums);
    if (!nums.length) {
      lo = 0;
      hi = 1;
    }
    if (lo === hi) {
      lo -= 0.5;
      hi += 0.5;
    }
    const fmt = (v: number) => String(Number(v.toPrecision(3)));
    return {
      pos: (v) => (typeof v === 'number' && Number.isFinite(v) ? (v - lo) / (hi - lo) : undefined),
      ticks: [0, 0.5, 1].map((t) => ({ at: t, text: fmt(lo + (hi - lo) * t) })),
    };
  }
  const cats = [...new Set(dim.values.filter((v): v is string => typeof v === 'string'))].sort();
  const at = (i: number) => (cats.length === 1 ? 0.5 : i / (cats.length - 1));
  return {
    pos: (v) => (typeof v === 'string' && cats.includes(v) ? at(cats.indexOf(v)) : undefined),
    ticks: cats.slice(0, 12).map((c, i) => ({ at: at(cats.length > 12 ? Math.round((i * (cats.length - 1)) / 11) : i), text: c })),
  };
}

function setupCanvas(canvas: HTMLCanvasElement, height: number): CanvasRenderingContext2D {
  const dpr = window.devicePixelRatio || 1;
  const w = canvas.parentElement?.clientWidth || 600;
  canvas.width = Math.floor(w * dpr);
  canvas.height = Math.floor(height * dpr);
  canvas.style.width = `${w}px`;
  canvas.style.height = `${height}px`;
  const ctx = canvas.getContext('2d')!;
  ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
  return ctx;
}

/** Both charts take the keyboard focus (so Escape reaches them), brush on a drag, and clear on Escape. */
function listenForBrush(canvas: HTMLCanvasElement, start: (e: MouseEvent) => void, clear: () => void): void {
  canvas.tabIndex = 0;
  canvas.setAttribute('role', 'img');
  canvas.addEventListener('mousedown', start);
  canvas.addEventListener('keydown', (e) => {
    if (e.key === 'Escape') clear();
  });
}

/** Parallel coordinates: one vertical axis per dimension; drag on an axis to brush a range. */
export class ParallelChart {
  private dims: Dimension[] = [];
  private runs: BrushRun[] = [];
  private brushes = new Map<number, [number, number]>();
  private highlighted: ReadonlySet<string> | undefined;
  private readonly height = 300;
  private readonly pad = { top: 34, bottom: 26, left: 40, right: 60 };

  constructor(
    readonly canvas: HTMLCanvasElement,
    private readonly onBrush: (keys: Set<string> | undefined) => void,
  ) {
    listenForBrush(canvas, (e) => this.startBrush(e), () => this.clear());
  }

  set(runs: BrushRun[], dims: Dimension[]): void {
    this.runs = runs;
    this.dims = dims;
    this.brushes.clear();
    this.canvas.setAttribute('aria-label', `Parallel coordinates of ${dims.map((d) => d.label).join(', ')}. Drag on an axis to select runs; Escape clears.`);
    this.draw();
  }

  setHighlighted(keys: ReadonlySet<string> | undefined): void {
    this.highlighted = keys;
    this.draw();
  }

  clear(): void {
    this.brushes.clear();
    this.onBrush(undefined);
  }

  private axisX(i: number, width: number): number {
    const n = this.dims.length;
    return n === 1 ? width / 2 : this.pad.left + ((width - this.pad.left - this.pad.right) * i) / (n - 1);
  }

  // Values sit a little inside the axis ends, so a line at an extreme is not hidden under the frame.
  private readonly inset = 6;

  private yOf(t: number): number {
    return this.pad.top + this.inset + (1 - t) * (this.height - this.pad.top - this.pad.bottom - 2 * this.inset);
  }

  draw(): void {
    const ctx = setupCanvas(this.canvas, this.height);
    const width = this.canvas.clientWidth || 600;
    const theme = readTheme();
    ctx.clearRect(0, 0, width, this.height);
    if (!this.dims.length) {
      ctx.fillStyle = theme.foreground;
      ctx.font = `12px ${theme.fontFamily}`;
      ctx.fillText('No param differs between these runs, and no metric was logged.', 12, 24);
      return;
    }
    const scales = this.dims.map(scaleOf);
    for (let pass = 0; pass < 2; pass++) {
      this.runs.forEach((run, r) => {
        const on = !this.highlighted || this.highlighted.has(run.key);
        if ((pass === 0) !== !on) return; // dimmed lines first, highlighted on top
        ctx.strokeStyle = on ? withAlpha(run.color, 0.9) : withAlpha(run.color, 0.12);
        ctx.lineWidth = (on && this.highlighted) || theme.highContrast ? 2 : 1.25;
        ctx.beginPath();
        let moved = false;
        this.dims.forEach((d, i) => {
          const t = scales[i].pos(d.values[r]);
          if (t === undefined) {
            moved = false;
            return;
          }
          const x = this.axisX(i, width);
          const y = this.yOf(t);
          if (moved) ctx.lineTo(x, y);
          else ctx.moveTo(x, y);
          moved = true;
        });
        ctx.stroke();
      });
    }
    this.dims.forEach((d, i) => {
      const x = this.axisX(i, width);
      drawAxis(ctx, theme, {
        start: [x, this.yOf(0)],
        end: [x, this.yOf(1)],
        line: [
          [x, this.pad.top],
          [x, this.height - this.pad.bottom],
        ],
        ticks: scales[i].ticks,
        tickOffset: [4, 4],
        tickAlign: 'left',
        tickChars: 10,
        label: { text: d.id.startsWith('metric:') ? `▸ ${d.label}` : d.label, at: [x, 14], chars: 18 },
      });
      const b = this.brushes.get(i);
      if (b) {
        ctx.fillStyle = withAlpha(theme.foreground, 0.18);
        ctx.fillRect(x - 8, this.yOf(b[1]), 16, this.yOf(b[0]) - this.yOf(b[1]));
      }
    });
  }

  private startBrush(e: MouseEvent): void {
    const rect = this.canvas.getBoundingClientRect();
    const width = rect.width;
    const x = e.clientX - rect.left;
    const axis = this.dims.findIndex((_, i) => Math.abs(this.axisX(i, width) - x) < 14);
    if (axis < 0) return;
    e.preventDefault();
    const tOf = (clientY: number) =>
      Math.min(1, Math.max(0, 1 - (clientY - rect.top - this.pad.top - this.inset) / (this.height - this.pad.top - this.pad.bottom - 2 * this.inset)));
    const t0 = tOf(e.clientY);
    const move = (m: MouseEvent) => {
      const t1 = tOf(m.clientY);
      this.brushes.set(axis, [Math.min(t0, t1), Math.max(t0, t1)]);
      this.emit();
    };
    const up = (m: MouseEvent) => {
      window.removeEventListener('mousemove', move);
      window.removeEventListener('mouseup', up);
      if (Math.abs(m.clientY - e.clientY) < 3) {
        this.brushes.delete(axis);
        this.emit();
      }
    };
    window.addEventListener('mousemove', move);
    window.addEventListener('mouseup', up);
  }

  private emit(): void {
    if (!this.brushes.size) return this.onBrush(undefined);
    const scales = this.dims.map(scaleOf);
    const keys = new Set<string>();
    this.runs.forEach((run, r) => {
      const inside = [...this.brushes].every(([i, [lo, hi]]) => {
        const t = scales[i].pos(this.dims[i].values[r]);
        return t !== undefined && t >= lo - 1e-9 && t <= hi + 1e-9;
      });
      if (inside) keys.add(run.key);
    });
    this.onBrush(keys);
  }
}

/** Scatter of one dimension against another; drag a rectangle to brush. */
export class ScatterChart {
  private x: Dimension | undefined;
  private y: Dimension | undefined;
  private runs: BrushRun[] = [];
  private highlighted: ReadonlySet<string> | undefined;
  private rect: [number, number, number, number] | undefined;
  private readonly height = 300;
  private readonly pad = { top: 16, bottom: 48, left: 64, right: 16 };

  constructor(
    readonly canvas: HTMLCanvasElement,
    private readonly onBrush: (keys: Set<string> | undefined) => void,
  ) {
    listenForBrush(
      canvas,
      (e) => this.startBrush(e),
      () => {
        this.rect = undefined;
        this.onBrush(undefined);
      },
    );
  }

  set(runs: BrushRun[], x: Dimension | undefined, y: Dimension | undefined): void {
    this.runs = runs;
    this.x = x;
    this.y = y;
    this.rect = undefined;
    this.canvas.setAttribute('aria-label', `Scatter of ${y?.label ?? '?'} against ${x?.label ?? '?'}. Drag to select runs; Escape clears.`);
    this.draw();
  }

  setHighlighted(keys: ReadonlySet<string> | undefined): void {
    this.highlighted = keys;
    this.draw();
  }

  /** Where the points go: inset from the frame so none sits on its edge. */
  private plotBox(width: number) {
    const inset = 8;
    return { x0: this.pad.left + inset, x1: width - this.pad.right - inset, y0: this.pad.top + inset, y1: this.height - this.pad.bottom - inset };
  }

  draw(): void {
    const ctx = setupCanvas(this.canvas, this.height);
    const width = this.canvas.clientWidth || 600;
    const theme = readTheme();
    const box = this.plotBox(width);
    ctx.clearRect(0, 0, width, this.height);
    ctx.font = `11px ${theme.fontFamily}`;
    ctx.fillStyle = theme.foreground;
    if (!this.x || !this.y) {
      ctx.fillText('Pick two params or metrics to plot.', 12, 24);
      return;
    }
    const sx = scaleOf(this.x);
    const sy = scaleOf(this.y);
    ctx.strokeStyle = theme.grid;
    ctx.strokeRect(this.pad.left, this.pad.top, width - this.pad.left - this.pad.right, this.height - this.pad.top - this.pad.bottom);
    drawAxis(ctx, theme, {
      start: [box.x0, box.y1],
      end: [box.x1, box.y1],
      ticks: sx.ticks,
      tickOffset: [0, 22],
      tickAlign: 'center',
      tickChars: 12,
      label: { text: this.x.label, at: [(box.x0 + box.x1) / 2, box.y1 + 38], chars: 40 },
    });
    drawAxis(ctx, theme, {
      start: [box.x0, box.y1],
      end: [box.x0, box.y0],
      ticks: sy.ticks,
      tickOffset: [-4, 4],
      tickAlign: 'right',
      tickChars: 9,
      label: { text: this.y.label, at: [12, (box.y0 + box.y1) / 2], chars: 30, vertical: true },
    });
    this.runs.forEach((run, r) => {
      const tx = sx.pos(this.x!.values[r]);
      const ty = sy.pos(this.y!.values[r]);
      if (tx === undefined || ty === undefined) return;
      const on = !this.highlighted || this.highlighted.has(run.key);
      ctx.fillStyle = withAlpha(run.color, on ? 0.95 : 0.2);
      ctx.beginPath();
      ctx.arc(box.x0 + tx * (box.x1 - box.x0), box.y1 - ty * (box.y1 - box.y0), on && this.highlighted ? 5 : 4, 0, Math.PI * 2);
      ctx.fill();
    });
    if (this.rect) {
      const [a, b, c, d] = this.rect;
      ctx.fillStyle = withAlpha(theme.foreground, 0.12);
      ctx.fillRect(Math.min(a, c), Math.min(b, d), Math.abs(c - a), Math.abs(d - b));
    }
  }

  private startBrush(e: MouseEvent): void {
    if (!this.x || !this.y) return;
    const rect = this.canvas.getBoundingClientRect();
    const box = this.plotBox(rect.width);
    const p0 = [e.clientX - rect.left, e.clientY - rect.top];
    e.preventDefault();
    const move = (m: MouseEvent) => {
      this.rect = [p0[0], p0[1], m.clientX - rect.left, m.clientY - rect.top];
      this.emit(box);
    };
    const up = (m: MouseEvent) => {
      window.removeEventListener('mousemove', move);
      window.removeEventListener('mouseup', up);
      if (Math.abs(m.clientX - e.clientX) < 3 && Math.abs(m.clientY - e.clientY) < 3) {
        this.rect = undefined;
        this.onBrush(undefined);
      }
    };
    window.addEventListener('mousemove', move);
    window.addEventListener('mouseup', up);
  }

  private emit(box: { x0: number; x1: number; y0: number; y1: number }): void {
    const [a, b, c, d] = this.rect!;
    const sx = scaleOf(this.x!);
    const sy = scaleOf(this.y!);
    const keys = new Set<string>();
    this.runs.forEach((run, r) => {
      const tx = sx.pos(this.x!.values[r]);
      const ty = sy.pos(this.y!.values[r]);
      if (tx === undefined || ty === undefined) return;
      const px = box.x0 + tx * (box.x1 - box.x0);
      const py = box.y1 - ty * (box.y1 - box.y0);
      if (px >= Math.min(a, c) && px <= Math.max(a, c) && py >= Math.min(b, d) && py <= Math.max(b, d)) keys.add(run.key);
    });
    this.onBrush(keys);
  }
}
