import { strict as assert } from 'node:assert';
import { nestRuns, PARENT_RUN_TAG } from '../../../src/core/runs/nesting';

const run = (id: string, parent?: string): { id: string; tags: Record<string, string> } => ({ id, tags: parent === undefined ? {} : { [PARENT_RUN_TAG]: parent } });
const ids = (rs: readonly { id: string }[] | undefined) => (rs ?? []).map((r) => r.id);

describe('nestRuns (MLflow parent → children)', () => {
  it('puts children under their parent, in list order, at any depth', () => {
    const n = nestRuns([run('c2', 'p'), run('p'), run('g', 'c1'), run('c1', 'p'), run('solo')]);
    assert.deepEqual(ids(n.roots), ['p', 'solo']);
    assert.deepEqual(ids(n.children.get('p')), ['c2', 'c1']);
    assert.deepEqual(ids(n.children.get('c1')), ['g']);
    assert.equal(n.children.has('solo'), false);
  });

  it('leaves a child whose parent is not listed (or is itself, or empty) a root', () => {
    const n = nestRuns([run('a', 'gone'), run('b', 'b'), run('c', '')]);
    assert.deepEqual(ids(n.roots), ['a', 'b', 'c']);
    assert.equal(n.children.size, 0);
  });

  it('cuts a cycle of parent tags: every run shows once, one of the cycle is a root', () => {
    const n = nestRuns([run('x', 'a'), run('a', 'b'), run('b', 'c'), run('c', 'a')]);
    const all = [...ids(n.roots), ...[...n.children.values()].flatMap(ids)].sort();
    assert.deepEqual(all, ['a', 'b', 'c', 'x']);
    assert.equal(n.roots.length, 1);
    // From the root every run is reachable (no run hangs in a detached loop).
    const seen = new Set<string>();
    const stack = [...ids(n.roots)];
    while (stack.length) {
      const id = stack.pop()!;
      seen.add(id);
      stack.push(...ids(n.children.get(id)));
    }
    assert.equal(seen.size, 4);
  });

  it('keeps the first of runs listed twice under one id', () => {
    const n = nestRuns([run('a'), { id: 'a', tags: { [PARENT_RUN_TAG]: 'z' } }, run('z')]);
    assert.deepEqual(ids(n.roots), ['a', 'z']);
  });

  it('a chain of 200,000 runs (crafted tags) is built without recursion, in linear time', () => {
    const n = 200_000;
    const runs = Array.from({ length: n }, (_, i) => run(`r${i}`, i ? `r${i - 1}` : undefined));
    const t = process.hrtime.bigint();
    const out = nestRuns(runs.reverse());
    const ms = Number(process.hrtime.bigint() - t) / 1e6;
    assert.deepEqual(ids(out.roots), ['r0']);
    assert.equal(out.children.get(`r${n - 2}`)![0].id, `r${n - 1}`);
    // Quadratic work would take minutes here; linear is well under a second even on a loaded machine.
    assert.ok(ms < 5000, `${ms} ms`);
  });
});
