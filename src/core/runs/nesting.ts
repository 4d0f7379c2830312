// MLflow's nested runs: a child names its parent in the `mlflow.parentRunId` tag
// (`mlflow.start_run(nested=True)`). The tag is plain text a repository can set to
// anything, so the tree is built without recursion, in linear time, and cycles are cut.

/** The tag MLflow writes on a nested run. */
export const PARENT_RUN_TAG = 'mlflow.parentRunId';

export interface NestableRun {
  id: string;
  tags: Record<string, string>;
}

export interface RunNesting<T extends NestableRun> {
  /** Runs with no parent in the list (their parent is absent, unnamed, themselves, or a cut cycle), in list order. */
  roots: T[];
  /** Children of a run by its id, in list order; runs without children have no entry. */
  children: Map<string, T[]>;
}

/**
 * Parent → children among `runs`. A parent missing from `runs` (deleted, filtered out,
 * beyond maxRuns) leaves the child a root. A cycle of parent tags (a ← b ← a) is cut at
 * the run where the walk found it, which becomes a root; every run appears exactly once.
 */
export function nestRuns<T extends NestableRun>(runs: readonly T[]): RunNesting<T> {
  const byId = new Map<string, T>();
  for (const r of runs) if (!byId.has(r.id)) byId.set(r.id, r);
  // The parent each run is attached to, once decided; undefined = a root.
  const parentOf = new Map<string, string | undefined>();
  const declared = (r: T): string | undefined => {
    const p = r.tags[PARENT_RUN_TAG];
    return p && p !== r.id && byId.has(p) ? p : undefined;
  };
  for (const start of byId.values()) {
    if (parentOf.has(start.id)) continue;
    // Walk up until a decided run, a root or a run already on this walk (a cycle).
    const path: T[] = [];
    const onPath = new Set<string>();
    let cur: T | undefined = start;
    while (cur && !parentOf.has(cur.id) && !onPath.has(cur.id)) {
      path.push(cur);
      onPath.add(cur.id);
      const p = declared(cur);
      cur = p === undefined ? undefined : byId.get(p);
    }
    // `cur` on this walk: the cycle closes at it; cut its link so that it is a root.
    const cut = cur && onPath.has(cur.id) ? cur.id : undefined;
    for (const r of path) parentOf.set(r.id, r.id === cut ? undefined : declared(r));
  }
  const roots: T[] = [];
  const children = new Map<string, T[]>();
  for (const r of byId.values()) {
    const p = parentOf.get(r.id);
    if (p === undefined) roots.push(r);
    else {
      let list = children.get(p);
      if (!list) children.set(p, (list = []));
      list.push(r);
    }
  }
  return { roots, children };
}
