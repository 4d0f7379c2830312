import { strict as assert } from 'node:assert';
import type { CompareRun } from '../../src/protocol/panels';
import { buildRows, dimensions, formatDelta, lowerIsBetter } from '../../webviews/compare/rows';

const run = (i: number, params: Record<string, string>, metrics: Record<string, number>): CompareRun => ({
  key: `k${i}`,
  sourceId: 's',
  runId: `r${i}`,
  name: `run ${i}`,
  color: '#000',
  source: 'MLflow',
  status: 'FINISHED',
  params,
  tags: { team: 'a' },
  metrics: Object.fromEntries(Object.entries(metrics).map(([k, v]) => [k, { last: v, min: v - 1, max: v + 1, step: 1 }])),
});

const runs = [run(0, { lr: '0.1', seed: '1', opt: 'sgd' }, { loss: 0.5, acc: 0.8 }), run(1, { lr: '0.01', seed: '1', opt: 'adam' }, { loss: 0.3, acc: 0.9 }), run(2, { lr: '0.1', seed: '1' }, { loss: 0.4, acc: 0.7 })];

describe('comparison rows', () => {
  it('keeps only the params that differ with diff-only (a missing param differs)', () => {
    const all = buildRows(runs, { diffOnly: false, baseline: -1 }).filter((r) => r.kind === 'param').map((r) => r.label);
    assert.deepEqual(all, ['lr', 'opt', 'seed']);
    const diff = buildRows(runs, { diffOnly: true, baseline: -1 }).filter((r) => r.kind === 'param').map((r) => r.label);
    assert.deepEqual(diff, ['lr', 'opt']);
    // Tags all equal: gone too.
    assert.equal(buildRows(runs, { diffOnly: true, baseline: -1 }).filter((r) => r.kind === 'tag').length, 0);
    assert.ok(buildRows(runs, { diffOnly: true, baseline: -1 }).some((r) => r.kind === 'header' && r.label === 'Params (2)'));
  });
  it('marks the best run per metric row: lowest loss, highest accuracy', () => {
    const rows = buildRows(runs, { diffOnly: false, baseline: -1 });
    assert.equal(rows.find((r) => r.label === 'loss (last)')!.best, 1);
    assert.equal(rows.find((r) => r.label === 'acc (last)')!.best, 1);
    assert.equal(rows.find((r) => r.label === 'acc (min)')!.best, 1);
    assert.ok(lowerIsBetter('val_loss') && lowerIsBetter('rmse') && !lowerIsBetter('f1'));
  });
  it('lets the lowerIsBetter / higherIsBetter settings decide the best run before the name guess', () => {
    const best = (label: string, direction: { lower: string[]; higher: string[] }) => buildRows(runs, { diffOnly: false, baseline: -1, direction }).find((r) => r.label === label)!.best;
    // By name: loss goes down (run 1 has 0.3), acc goes up (run 1 has 0.9).
    assert.equal(best('loss (last)', { lower: [], higher: [] }), 1);
    // Told otherwise: the highest loss (run 0, 0.5) and the lowest acc (run 2, 0.7) win.
    assert.equal(best('loss (last)', { lower: [], higher: ['LOSS'] }), 0);
    assert.equal(best('acc (last)', { lower: ['a*'], higher: [] }), 2);
    // Patterns that match nothing leave the guess alone.
    assert.equal(best('acc (last)', { lower: ['val_*'], higher: ['*reward*'] }), 1);
  });
  it('shows deltas to the baseline run and marks the params that changed from it', () => {
    const rows = buildRows(runs, { diffOnly: false, baseline: 0 });
    const loss = rows.find((r) => r.label === 'loss (last)')!;
    assert.equal(loss.delta![0], undefined);
    assert.ok(Math.abs(loss.delta![1]! - -0.2) < 1e-12);
    const lr = rows.find((r) => r.label === 'lr')!;
    assert.deepEqual(lr.changed, [false, true, false]);
    assert.ok(Math.abs(lr.delta![1]! - -0.09) < 1e-12);
    assert.deepEqual(rows.find((r) => r.label === 'opt')!.delta, [undefined, undefined, undefined]);
    assert.equal(formatDelta(-0.2), '−0.2');
    assert.equal(formatDelta(3), '+3');
  });
  it('scales to 500 runs × 1,000 params', () => {
    const many = Array.from({ length: 500 }, (_, i) => run(i, Object.fromEntries(Array.from({ length: 1000 }, (_, j) => [`p${j}`, String((i * j) % 5)])), { loss: i }));
    const t0 = performance.now();
    const rows = buildRows(many, { diffOnly: true, baseline: 3 });
    const ms = performance.now() - t0;
    // (i * j) % 5 is 0 for every run where j is a multiple of 5: those 200 params are equal.
    assert.equal(rows.filter((r) => r.kind === 'param').length, 800);
    assert.ok(ms < 3000, `${ms} ms`);
  });
  it('offers the differing params and the metrics as chart dimensions', () => {
    const dims = dimensions(runs);
    assert.deepEqual(dims.map((d) => d.id), ['param:lr', 'param:opt', 'metric:acc', 'metric:loss']);
    assert.equal(dims[0].numeric, true);
    assert.equal(dims[1].numeric, false);
  });
});
