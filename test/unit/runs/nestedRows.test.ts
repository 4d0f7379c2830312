import { strict as assert } from 'node:assert';
import type { RunSummary } from '../../../src/core/runs/types';
import { parseRunFilter } from '../../../src/core/runs/search';
import { buildTableView, contextAncestors, parseTableState, toggleExpanded, DEFAULT_TABLE_STATE, type TableRun, type ViewRow } from '../../../src/core/runs/table';

// A run of store `s`; `parent` names another run of the same store (MLflow's mlflow.parentRunId).
function run(id: string, acc: number, parent?: string): TableRun {
  const tags: Record<string, string> = parent ? { 'mlflow.parentRunId': parent } : {};
  const r: RunSummary = { id, experimentId: '0', name: id, status: 'FINISHED', params: {}, tags, metrics: { acc: { step: 0, timestamp: 0, value: acc } } };
  return { key: `s\n${id}`, run: r, source: 'MLflow', experiment: 'Default', parentKey: parent ? `s\n${parent}` : undefined };
}

// `name@depth` per row, `+`/`-` for a folded/unfolded parent, `?` for a context row.
function show(runs: TableRun[], rows: ViewRow[]): string[] {
  return rows.map((r) => {
    if (r.kind !== 'run' || !('depth' in r)) return 'flat';
    return `${runs[r.run].run.id}@${r.depth}${r.children ? (r.expanded ? '-' : '+') : ''}${r.context ? '?' : ''}`;
  });
}

const key = (id: string) => `s\n${id}`;
const byAcc = [{ column: 'metric:acc', desc: false }];

describe('experiments table: nested runs', () => {
  // p has children c1, c2 (c2 has g); q is a plain run; o names a parent that is not listed.
  const runs = [run('p', 0.5), run('c1', 0.9, 'p'), run('q', 0.4), run('c2', 0.1, 'p'), run('g', 0.3, 'c2'), run('o', 0.2, 'gone')];

  it('folds every parent by default; a parent without listed children and an orphan are plain rows', () => {
    const v = buildTableView(runs, [], { sort: byAcc, nesting: { expanded: new Set() } }, 0);
    assert.deepEqual(show(runs, v.rows), ['o@0', 'q@0', 'p@0+']);
    assert.equal(v.matched, 6);
  });

  it('unfolded parents show their children indented, the sort applied within each level', () => {
    const asc = buildTableView(runs, [], { sort: byAcc, nesting: { expanded: new Set([key('p'), key('c2')]) } }, 0);
    assert.deepEqual(show(runs, asc.rows), ['o@0', 'q@0', 'p@0-', 'c2@1-', 'g@2', 'c1@1']);
    const desc = buildTableView(runs, [], { sort: [{ column: 'metric:acc', desc: true }], nesting: { expanded: new Set([key('p')]) } }, 0);
    assert.deepEqual(show(runs, desc.rows), ['p@0-', 'c1@1', 'c2@1+', 'q@0', 'o@0']);
  });

  it('a search that matches a child shows its parents too, unfolded and marked; they are not counted as matches', () => {
    const f = parseRunFilter('metrics.acc < 0.35');
    assert.ok(f.ok);
    const v = buildTableView(runs, [], { filter: f.filter, sort: byAcc, nesting: { expanded: new Set() } }, 0);
    // g (0.3) matches: c2 (0.1) matches too; p is context. o (0.2) matches on its own.
    assert.deepEqual(show(runs, v.rows), ['o@0', 'p@0-?', 'c2@1+']);
    assert.equal(v.matched, 3);
    // c2 matches, so it is folded like any parent until the user unfolds it.
    const open = buildTableView(runs, [], { filter: f.filter, sort: byAcc, nesting: { expanded: new Set([key('c2')]) } }, 0);
    assert.deepEqual(show(runs, open.rows), ['o@0', 'p@0-?', 'c2@1-', 'g@2']);
    // The user folds the context parent during this search.
    const folded = buildTableView(runs, [], { filter: f.filter, sort: byAcc, nesting: { expanded: new Set(), foldedContext: new Set([key('p')]) } }, 0);
    assert.deepEqual(show(runs, folded.rows), ['o@0', 'p@0+?']);
  });

  it('runs that nest nothing are top-level leaves in the sort order', () => {
    const flat = [run('x', 0.3), run('y', 0.1), run('z', 0.2)];
    const v = buildTableView(flat, [], { sort: byAcc, nesting: { expanded: new Set() } }, 0);
    assert.deepEqual(show(flat, v.rows), ['y@0', 'z@0', 'x@0']);
  });

  it('grouping makes the rows flat', () => {
    const v = buildTableView(runs, [], { sort: [], groupBy: 'attr:status', nesting: { expanded: new Set([key('p')]) } }, 0);
    assert.equal(v.rows.filter((r) => r.kind === 'run').length, 6);
    assert.ok(v.rows.every((r) => r.kind === 'group' || !('depth' in r)));
  });

  it('a cycle of parent tags ends: every run appears once, the ancestor walk stops', () => {
    const cyc = [run('a', 1, 'b'), run('b', 2, 'a'), run('c', 3, 'c')];
    const v = buildTableView(cyc, [], { sort: byAcc, nesting: { expanded: new Set([key('a'), key('b')]) } }, 0);
    assert.equal(v.rows.length, 3);
    assert.deepEqual(new Set(v.rows.map((r) => (r.kind === 'run' ? cyc[r.run].run.id : ''))), new Set(['a', 'b', 'c']));
    assert.deepEqual(contextAncestors(cyc, [0]), [1]);
  });

  it('a chain of 100,000 nested runs unfolded: no recursion (a recursive walk overflows the stack here), bounded time', () => {
    const n = 100_000;
    const chain = Array.from({ length: n }, (_, i) => run(`r${i}`, i, i ? `r${i - 1}` : undefined));
    const t0 = performance.now();
    const v = buildTableView(chain, [], { sort: [], nesting: { expanded: new Set(chain.map((r) => r.key)) } }, 0);
    const ms = performance.now() - t0;
    assert.equal(v.rows.length, n);
    const last = v.rows[n - 1];
    assert.ok(last.kind === 'run' && 'depth' in last && last.depth === n - 1);
    // Loose: the CI machine is shared; the point is linear work, not a benchmark.
    assert.ok(ms < 5000, `${ms} ms`);
  });

  it('the unfolded parents are kept per workspace, read back from a saved state', () => {
    const s = toggleExpanded(DEFAULT_TABLE_STATE, key('p'));
    assert.deepEqual(s.expanded, [key('p')]);
    assert.deepEqual(toggleExpanded(s, key('p')).expanded, []);
    assert.deepEqual(parseTableState(JSON.parse(JSON.stringify(s))).expanded, [key('p')]);
    assert.deepEqual(parseTableState({ expanded: 'nope' }).expanded, []);
  });
});
