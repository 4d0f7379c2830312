// MLflow's nested runs as the table's rows: a parent with its children indented under it,
// folded by default. The tree is nestRuns' (one nesting for the Runs view and the table);
// this only decides which runs take part (the filter's matches and their ancestors) and
// flattens the tree into the visible rows, so virtualisation still sees one flat list.
import { nestRuns, PARENT_RUN_TAG } from '../nesting';
import type { TableRun } from './columns';

export interface NestedRow {
  kind: 'run';
  run: number;
  /** 0 for a top-level run, 1 for its children, ... */
  depth: number;
  /** How many children it has among the rows taking part (0: a leaf, no disclosure triangle). */
  children: number;
  expanded: boolean;
  /**
   * Shown only because a descendant matches the filter (MLflow's UI does the same: it
   * fetches the missing parents of the runs a search returns). Not counted as a match.
   */
  context: boolean;
}

export interface NestingQuery {
  /** Parent run keys the user unfolded (kept per workspace). */
  expanded: ReadonlySet<string>;
  /** Context parents the user folded during this search (they start unfolded: they are there to show a match). */
  foldedContext?: ReadonlySet<string>;
}

/**
 * The matching runs' ancestors that do not match themselves. Walks up `parentKey` from
 * each match with a visited set, so a crafted cycle of parent tags ends, and the whole
 * walk is linear in the number of runs.
 */
export function contextAncestors(runs: readonly TableRun[], matching: readonly number[]): number[] {
  const byKey = new Map<string, number>();
  for (let i = 0; i < runs.length; i++) if (!byKey.has(runs[i].key)) byKey.set(runs[i].key, i);
  const seen = new Set<number>(matching);
  const added: number[] = [];
  for (const start of matching) {
    let p = runs[start].parentKey;
    while (p !== undefined) {
      const i = byKey.get(p);
      if (i === undefined || seen.has(i)) break;
      seen.add(i);
      added.push(i);
      p = runs[i].parentKey;
    }
  }
  return added;
}

type Node = { id: string; tags: Record<string, string>; i: number };

/**
 * The visible rows of `order` (run indexes, already sorted) arranged as a tree: siblings
 * keep `order`'s order, so a sort applies within each level; children of a folded run are
 * left out. Iterative (an explicit stack): a chain of 100,000 nested runs cannot overflow.
 */
export function nestedRows(runs: readonly TableRun[], order: readonly number[], context: ReadonlySet<number>, q: NestingQuery): NestedRow[] {
  // Most stores nest nothing (DVC, TensorBoard, MLflow without nested=True): no tree to build.
  if (!order.some((i) => runs[i].parentKey !== undefined)) return order.map((run) => ({ kind: 'run', run, depth: 0, children: 0, expanded: false, context: false }));
  // The table's keys name runs across stores: the tree is built on them (a parent key is in the child's store).
  const nodes: Node[] = order.map((i) => {
    const p = runs[i].parentKey;
    const tags: Record<string, string> = p ? { [PARENT_RUN_TAG]: p } : {};
    return { id: runs[i].key, tags, i };
  });
  const { roots, children } = nestRuns(nodes);
  const out: NestedRow[] = [];
  const stack: { node: Node; depth: number }[] = [];
  for (let r = roots.length - 1; r >= 0; r--) stack.push({ node: roots[r], depth: 0 });
  while (stack.length) {
    const { node, depth } = stack.pop()!;
    const kids = children.get(node.id) ?? [];
    const isContext = context.has(node.i);
    const expanded = kids.length > 0 && (isContext ? !q.foldedContext?.has(node.id) : q.expanded.has(node.id));
    out.push({ kind: 'run', run: node.i, depth, children: kids.length, expanded, context: isContext });
    if (expanded) for (let k = kids.length - 1; k >= 0; k--) stack.push({ node: kids[k], depth: depth + 1 });
  }
  return out;
}
