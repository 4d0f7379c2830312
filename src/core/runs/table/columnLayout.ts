// Which columns show, in which order, pinned or not, how wide: the user's choice over the
// columns the runs have. Kept per workspace by the panel; columns that appear later (a
// new param) take their default place: after the others of their kind, shown unless a tag.
import type { TableColumn } from './columns';

export interface ColumnLayout {
  /** Column ids in the user's order; ids not listed follow in their natural order. */
  order: string[];
  /** Shown though hidden by default (tags). */
  shown: string[];
  /** Hidden though shown by default. */
  hidden: string[];
  /** Stuck to the left edge while the table scrolls sideways, in this order. */
  pinned: string[];
  /** Widths in CSS pixels, per column id. */
  widths: Record<string, number>;
}

export const DEFAULT_LAYOUT: ColumnLayout = { order: [], shown: [], hidden: [], pinned: ['attr:name'], widths: {} };

export const MIN_WIDTH = 40;
export const MAX_WIDTH = 2000;

/**
 * Tags are off by default: MLflow writes a dozen `mlflow.*` system tags per run, and a
 * table of them hides the params and metrics one came for. The chooser shows them.
 */
export function shownByDefault(col: TableColumn): boolean {
  return col.kind !== 'tag';
}

export function isShown(layout: ColumnLayout, col: TableColumn): boolean {
  if (layout.hidden.includes(col.id)) return false;
  return shownByDefault(col) || layout.shown.includes(col.id);
}

/** Every column in display order: pinned first (in pin order), then the user's order, then the rest as they come. */
export function orderedColumns(all: readonly TableColumn[], layout: ColumnLayout): TableColumn[] {
  const rank = new Map(layout.order.map((id, i) => [id, i]));
  const natural = new Map(all.map((c, i) => [c.id, i]));
  const pinRank = new Map(layout.pinned.map((id, i) => [id, i]));
  // Unlisted columns sit right after the listed column that precedes them naturally, so a new param lands among the params.
  const anchor = (c: TableColumn): number => {
    const r = rank.get(c.id);
    if (r !== undefined) return r;
    for (let i = natural.get(c.id)! - 1; i >= 0; i--) {
      const prev = rank.get(all[i].id);
      if (prev !== undefined) return prev + 0.5;
    }
    return -0.5;
  };
  return [...all].sort((a, b) => {
    const pa = pinRank.get(a.id);
    const pb = pinRank.get(b.id);
    if (pa !== undefined || pb !== undefined) return (pa ?? Infinity) - (pb ?? Infinity);
    return anchor(a) - anchor(b) || natural.get(a.id)! - natural.get(b.id)!;
  });
}

/** The visible columns, in display order. */
export function visibleColumns(all: readonly TableColumn[], layout: ColumnLayout): TableColumn[] {
  return orderedColumns(all, layout).filter((c) => isShown(layout, c));
}

export function setShown(layout: ColumnLayout, col: TableColumn, show: boolean): ColumnLayout {
  const hidden = layout.hidden.filter((id) => id !== col.id);
  const shown = layout.shown.filter((id) => id !== col.id);
  if (show && !shownByDefault(col)) shown.push(col.id);
  if (!show && shownByDefault(col)) hidden.push(col.id);
  return { ...layout, hidden, shown };
}

export function setPinned(layout: ColumnLayout, id: string, pin: boolean): ColumnLayout {
  const pinned = layout.pinned.filter((p) => p !== id);
  if (pin) pinned.push(id);
  return { ...layout, pinned };
}

/** Moves `id` to just before `before` (or to the end), writing down the whole current order. */
export function moveColumn(all: readonly TableColumn[], layout: ColumnLayout, id: string, before: string | undefined): ColumnLayout {
  const ids = orderedColumns(all, layout).map((c) => c.id).filter((c) => c !== id);
  const at = before === undefined ? ids.length : ids.indexOf(before);
  ids.splice(at < 0 ? ids.length : at, 0, id);
  return { ...layout, order: ids };
}

export function setWidth(layout: ColumnLayout, id: string, width: number): ColumnLayout {
  const w = Math.round(Math.min(MAX_WIDTH, Math.max(MIN_WIDTH, width)));
  return { ...layout, widths: { ...layout.widths, [id]: w } };
}
