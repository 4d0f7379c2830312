import type { DvcStage, DvcStages, OutRef } from './dvcModel';
import { pushAll } from '../common/arrays';

/**
 * Which outputs a path touches, in O(depth) per lookup: the outputs at the path itself, at
 * a parent folder (a dep inside an output folder) and under it (a dep on a folder that
 * holds outputs). A 2,000-stage file stays linear instead of comparing every pair.
 */
export class OutputIndex {
  private readonly exact = new Map<string, OutRef[]>();
  private readonly under = new Map<string, OutRef[]>();

  /** `extra`: outputs written with `${}`, expanded to the paths they stand for. */
  constructor(model: DvcStages, extra: OutRef[] = []) {
    const extraOf = new Map<DvcStage, OutRef[]>();
    for (const o of extra) push(extraOf, o.stage, o);
    for (const stage of model.stages) {
      const more = extraOf.get(stage);
      for (const out of more ? [...stage.outs, ...more] : stage.outs) {
        if (!out.resolved) continue;
        push(this.exact, out.resolved, out);
        for (const parent of parents(out.resolved)) push(this.under, parent, out);
      }
    }
  }

  /** Outputs equal to the path or in a folder above it. */
  atOrAbove(path: string): OutRef[] {
    const hits = [...(this.exact.get(path) ?? [])];
    for (const parent of parents(path)) pushAll(hits, this.exact.get(parent) ?? []);
    return hits;
  }

  /** Outputs strictly below the path. */
  below(path: string): OutRef[] {
    return this.under.get(path) ?? [];
  }

  /** Every output that overlaps the path. */
  overlapping(path: string): OutRef[] {
    return [...this.atOrAbove(path), ...this.below(path)];
  }
}

function push<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

function parents(path: string): string[] {
  const out: string[] = [];
  for (let i = path.indexOf('/'); i > 0; i = path.indexOf('/', i + 1)) out.push(path.slice(0, i));
  return out;
}

/** Upstream stages of each stage: those producing something it depends on. */
export function upstreamEdges(model: DvcStages, outputs: OutputIndex): Map<DvcStage, Set<DvcStage>> {
  const edges = new Map<DvcStage, Set<DvcStage>>();
  for (const stage of model.stages) {
    const ups = new Set<DvcStage>();
    for (const dep of stage.deps) {
      if (dep.resolved) for (const out of outputs.overlapping(dep.resolved)) ups.add(out.stage);
    }
    edges.set(stage, ups);
  }
  return edges;
}

/** Strongly connected components that are cycles (two stages or more, or a stage feeding itself). */
export function findCycles(edges: Map<DvcStage, Set<DvcStage>>): DvcStage[][] {
  // Tarjan's algorithm, iterative so a long chain of stages cannot overflow the stack.
  let counter = 0;
  const index = new Map<DvcStage, number>();
  const low = new Map<DvcStage, number>();
  const onStack = new Set<DvcStage>();
  const stack: DvcStage[] = [];
  const cycles: DvcStage[][] = [];
  for (const start of edges.keys()) {
    if (index.has(start)) continue;
    const work: { node: DvcStage; it: Iterator<DvcStage> }[] = [];
    const enter = (node: DvcStage) => {
      index.set(node, counter);
      low.set(node, counter++);
      stack.push(node);
      onStack.add(node);
      work.push({ node, it: (edges.get(node) ?? new Set()).values() });
    };
    enter(start);
    while (work.length) {
      const top = work[work.length - 1];
      const next = top.it.next();
      if (!next.done) {
        const w = next.value;
        if (!index.has(w)) enter(w);
        else if (onStack.has(w)) low.set(top.node, Math.min(low.get(top.node)!, index.get(w)!));
        continue;
      }
      work.pop();
      if (work.length) {
        const parent = work[work.length - 1].node;
        low.set(parent, Math.min(low.get(parent)!, low.get(top.node)!));
      }
      if (low.get(top.node) === index.get(top.node)) {
        const scc: DvcStage[] = [];
        let w: DvcStage;
        do {
          w = stack.pop()!;
          onStack.delete(w);
          scc.push(w);
        } while (w !== top.node);
        if (scc.length > 1 || edges.get(top.node)?.has(top.node)) cycles.push(scc.reverse());
      }
    }
  }
  return cycles;
}
