// A layered drawing of the pipeline DAG: stages in columns by depth (upstream on the
// left), ordered within a column by the barycenter of their upstream stages so edges
// cross less. Small on purpose: pipelines have tens of stages, not thousands.

export interface LayoutNode {
  id: string;
  layer: number;
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface LayoutOptions {
  nodeWidth?: number;
  nodeHeight?: number;
  gapX?: number;
  gapY?: number;
  /** Width of a character of the label, to widen a column for long stage names. */
  charWidth?: number;
}

/**
 * `upstream`: stage → the stages it depends on. Cycles (a broken pipeline) are cut where
 * found, so the drawing still shows every stage.
 */
export function layoutDag(ids: string[], upstream: Map<string, string[]>, opts: LayoutOptions = {}): { nodes: LayoutNode[]; width: number; height: number } {
  const { nodeHeight = 36, gapX = 64, gapY = 18, charWidth = 7.5 } = opts;
  const known = new Set(ids);
  const layer = new Map<string, number>();
  const visiting = new Set<string>();
  const depth = (id: string): number => {
    const done = layer.get(id);
    if (done !== undefined) return done;
    if (visiting.has(id)) return 0; // a cycle: cut here
    visiting.add(id);
    let d = 0;
    for (const up of upstream.get(id) ?? []) if (known.has(up) && up !== id) d = Math.max(d, depth(up) + 1);
    visiting.delete(id);
    layer.set(id, d);
    return d;
  };
  for (const id of ids) depth(id);

  const columns: string[][] = [];
  for (const id of ids) (columns[layer.get(id)!] ??= []).push(id);
  const pos = new Map<string, number>();
  columns.forEach((col, c) => {
    if (c > 0) {
      const bary = (id: string) => {
        const ups = (upstream.get(id) ?? []).filter((u) => pos.has(u));
        return ups.length ? ups.reduce((s, u) => s + pos.get(u)!, 0) / ups.length : Number.MAX_SAFE_INTEGER;
      };
      col.sort((a, b) => bary(a) - bary(b));
    }
    col.forEach((id, i) => pos.set(id, i));
  });

  const nodes: LayoutNode[] = [];
  let x = 0;
  let height = 0;
  columns.forEach((col, c) => {
    const width = Math.max(opts.nodeWidth ?? 120, ...col.map((id) => Math.ceil(id.length * charWidth) + 36));
    col.forEach((id, i) => {
      const y = i * (nodeHeight + gapY);
      nodes.push({ id, layer: c, x, y, width, height: nodeHeight });
      height = Math.max(height, y + nodeHeight);
    });
    x += width + gapX;
  });
  // Centre each column vertically against the tallest one.
  for (const col of columns) {
    const colNodes = nodes.filter((n) => col.includes(n.id));
    const colHeight = colNodes.length ? colNodes[colNodes.length - 1].y + nodeHeight : 0;
    for (const n of colNodes) n.y += (height - colHeight) / 2;
  }
  return { nodes, width: Math.max(0, x - gapX), height };
}
