import { strict as assert } from 'node:assert';
import { layoutDag } from '../../../src/core/pipelines/dagLayout';

describe('layoutDag', () => {
  const ups = (o: Record<string, string[]>) => new Map(Object.entries(o));

  it('puts each stage one layer right of its deepest upstream stage', () => {
    const { nodes } = layoutDag(['prepare', 'train', 'evaluate', 'report'], ups({ train: ['prepare'], evaluate: ['prepare', 'train'], report: [] }));
    const layer = Object.fromEntries(nodes.map((n) => [n.id, n.layer]));
    assert.deepEqual(layer, { prepare: 0, report: 0, train: 1, evaluate: 2 });
    const x = Object.fromEntries(nodes.map((n) => [n.id, n.x]));
    assert.ok(x.prepare < x.train && x.train < x.evaluate);
  });

  it('keeps nodes of a layer from overlapping and orders them by their upstream', () => {
    const { nodes, height } = layoutDag(['a', 'b', 'y', 'x'], ups({ x: ['a'], y: ['b'] }));
    const at = Object.fromEntries(nodes.map((n) => [n.id, n]));
    assert.ok(at.x.y < at.y.y, 'x follows a, which is above b');
    assert.ok(Math.abs(at.a.y - at.b.y) >= at.a.height);
    assert.ok(height >= at.b.y + at.b.height);
  });

  it('survives a cycle and widens a column for a long name', () => {
    const { nodes } = layoutDag(['a', 'b', 'a-very-long-stage-name@with-a-matrix-key'], ups({ a: ['b'], b: ['a'] }));
    assert.equal(nodes.length, 3);
    assert.ok(nodes.find((n) => n.id.startsWith('a-very'))!.width > 200);
  });
});
