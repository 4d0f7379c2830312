import { strict as assert } from 'node:assert';
import { compactListingSoon, compactRuns, isCompactMetrics } from '../../../src/core/runs/compactListing';
import type { MetricPoint, RunSummary } from '../../../src/core/runs/types';

const odd = [NaN, -0, 0, Infinity, -Infinity, 1e-300, 2 ** 53 + 2, -(2 ** 40), Number.MAX_VALUE, 0.1];

function runOf(i: number, metrics: Record<string, MetricPoint>): RunSummary {
  return {
    id: `r${i}`,
    experimentId: String(i % 3),
    name: `run-${i}`,
    status: 'FINISHED',
    startTime: 1.7e12 + i,
    params: { optimizer: i % 2 ? 'adam' : 'sgd', lr: String(i / 10) },
    tags: { 'mlflow.user': 'alice' },
    metrics,
    userId: 'alice',
  };
}

/** Each run as a plain deep copy made before compaction (what the reader returned until now). */
function plainCopy(runs: RunSummary[]): RunSummary[] {
  return JSON.parse(JSON.stringify(runs, (_k, v: unknown) => (typeof v === 'number' && !Number.isFinite(v) ? `#${v}` : v)), (_k, v: unknown) =>
    typeof v === 'string' && v.startsWith('#') ? Number(v.slice(1)) : v,
  ) as RunSummary[];
}

function sample(): RunSummary[] {
  const runs: RunSummary[] = [];
  for (let i = 0; i < 60; i++) {
    const metrics: Record<string, MetricPoint> = {};
    // Three shapes: two keys, the same two in the other order, and a key of its own.
    const keys = i % 3 === 0 ? ['loss', 'acc'] : i % 3 === 1 ? ['acc', 'loss'] : ['acc', `only_${i}`];
    keys.forEach((k, j) => (metrics[k] = { step: i * 10 + j, timestamp: 1.7e12 + i * 1000 + j + 0.5, value: odd[(i + j) % odd.length] }));
    runs.push(runOf(i, metrics));
  }
  return runs;
}

describe('compactRuns (packed latest metrics)', () => {
  it('reads back every point, key and key order as the plain records held them', () => {
    const runs = sample();
    const before = plainCopy(runs);
    // -0 does not survive JSON: put it back where the sample has it.
    before.forEach((r, i) => Object.keys(r.metrics).forEach((k) => Object.is(runs[i].metrics[k].value, -0) && (r.metrics[k].value = -0)));
    compactRuns(runs);
    for (const [i, run] of runs.entries()) {
      assert.ok(isCompactMetrics(run.metrics), `run ${i} is compact`);
      const want = before[i].metrics;
      assert.deepStrictEqual(Object.keys(run.metrics), Object.keys(want));
      assert.deepStrictEqual(run.metrics, want);
      assert.deepStrictEqual(structuredClone(run.metrics), want);
      assert.deepStrictEqual({ ...run.metrics }, want);
      const forIn: string[] = [];
      for (const k in run.metrics) forIn.push(k);
      assert.deepStrictEqual(forIn, Object.keys(want));
      for (const k of Object.keys(want)) {
        assert.ok(Object.hasOwn(run.metrics, k) && k in run.metrics);
        assert.ok(Object.is(run.metrics[k].value, want[k].value), `${i} ${k}`);
        assert.equal(run.metrics[k].timestamp, want[k].timestamp);
        assert.equal(run.metrics[k].step, want[k].step);
      }
      assert.equal(Object.hasOwn(run.metrics, 'missing'), false);
      assert.equal(run.metrics.missing, undefined);
      assert.equal(JSON.stringify(run), JSON.stringify({ ...run, metrics: { ...run.metrics } }));
      assert.deepStrictEqual({ ...run, metrics: { ...run.metrics } }, { ...before[i], metrics: want });
    }
  });

  it('turns an assigned or added key into a plain property of that run only', () => {
    const runs = sample();
    compactRuns(runs);
    const p = { step: 99, timestamp: 5, value: 0.5 };
    runs[0].metrics.loss = p;
    runs[0].metrics.extra = p;
    assert.equal(runs[0].metrics.loss, p);
    assert.deepStrictEqual(Object.keys(runs[0].metrics), ['loss', 'acc', 'extra']);
    assert.notDeepStrictEqual(runs[3].metrics.loss, p);
    delete runs[0].metrics.acc;
    assert.deepStrictEqual(Object.keys(runs[0].metrics), ['loss', 'extra']);
  });

  it('leaves records that are not all numeric points, empty or already compact as they are', () => {
    const bad = { loss: { step: 1, timestamp: 2, value: '3' } } as unknown as Record<string, MetricPoint>;
    const runs = [runOf(0, bad), runOf(1, {}), runOf(2, { a: { step: 0, timestamp: 0, value: 1 } })];
    compactRuns(runs);
    assert.equal(runs[0].metrics, bad);
    assert.equal(isCompactMetrics(runs[1].metrics), false);
    const compact = runs[2].metrics;
    assert.ok(isCompactMetrics(compact));
    compactRuns(runs);
    assert.equal(runs[2].metrics, compact);
  });

  it('shares repeated short strings between runs and keeps their values', () => {
    const runs = sample().map((r) => ({ ...r, experimentId: `${r.experimentId}`.padStart(1), params: { ...r.params }, tags: { ...r.tags } }));
    const before = plainCopy(runs);
    compactRuns(runs);
    runs.forEach((r, i) => {
      assert.equal(r.experimentId, before[i].experimentId);
      assert.deepStrictEqual(r.params, before[i].params);
      assert.deepStrictEqual(r.tags, before[i].tags);
      assert.equal(r.userId, 'alice');
    });
  });

  it('compactListingSoon packs the runs a slice per macrotask after handing the listing back', async () => {
    const runs = Array.from({ length: 4500 }, (_, i) => runOf(i, { loss: { step: i, timestamp: i, value: i / 7 } }));
    const listing = compactListingSoon({ runs });
    assert.equal(listing.runs, runs);
    assert.equal(runs.filter((r) => isCompactMetrics(r.metrics)).length, 0, 'nothing before the caller had the runs');
    for (let turns = 0; runs.some((r) => !isCompactMetrics(r.metrics)); turns++) {
      assert.ok(turns < 1000, 'packed within a bounded number of turns');
      await new Promise((r) => setImmediate(r));
    }
    runs.forEach((r, i) => assert.deepStrictEqual(r.metrics, { loss: { step: i, timestamp: i, value: i / 7 } }));
  });
});
