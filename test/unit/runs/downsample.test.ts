import { strict as assert } from 'node:assert';
import { downsample, downsampleColumns } from '../../../src/core/runs/downsample';
import { toColumns } from '../../../src/protocol/panels';
import { isLater, latestOf } from '../../../src/core/runs/latest';

const series = (values: number[]) => values.map((value, step) => ({ step, timestamp: step, value }));

describe('downsample', () => {
  it('returns a series that fits as it is', () => {
    const s = series([1, 2, 3]);
    assert.deepEqual(downsample(s, 10), s);
  });
  it('keeps every spike and both ends, in order, within 4 points per pixel', () => {
    const values = Array.from({ length: 100000 }, (_, i) => Math.sin(i / 100));
    values[31337] = 50;
    values[77777] = -50;
    const out = downsample(series(values), 200);
    assert.ok(out.length <= 800, `${out.length}`);
    assert.ok(out.some((p) => p.value === 50) && out.some((p) => p.value === -50));
    assert.equal(out[0].step, 0);
    assert.equal(out[out.length - 1].step, 99999);
    for (let i = 1; i < out.length; i++) assert.ok(out[i].step > out[i - 1].step);
  });
  it('gives the same points as columns, also for series logged out of order (the bounds pass)', () => {
    const values = Array.from({ length: 50000 }, (_, i) => Math.cos(i / 300));
    values[123] = 9;
    const sorted = series(values);
    const cols = downsampleColumns(sorted, 100);
    assert.ok(cols.step instanceof Float64Array && cols.step.length <= 400 && cols.step.length > 100);
    assert.deepEqual(cols, toColumns(downsample(sorted, 100)));
    assert.ok(cols.value.includes(9));
    // Out of order: the first pass gives up and the bounds come from every point, so a
    // late step that is below the first one still lands in the first bucket.
    const shuffled = sorted.slice();
    [shuffled[0], shuffled[40000]] = [shuffled[40000], shuffled[0]];
    const out = downsample(shuffled, 100);
    assert.ok(out.some((p) => p.step === 0) && out.some((p) => p.step === 40000) && out.some((p) => p.value === 9));
    assert.deepEqual(downsampleColumns(shuffled, 100), toColumns(out));
    // A series that fits comes back whole.
    assert.deepEqual(downsampleColumns(series([3, 1, 2]), 10), toColumns(series([3, 1, 2])));
  });
  it('cuts the buckets exactly as the bucket formula says, also for large and uneven steps', () => {
    // The M4 rule spelt out plainly, to hold the fast path for series in step order to it.
    const reference = (pts: { step: number; value: number }[], width: number) => {
      const lo = pts[0].step;
      const scale = width / (pts[pts.length - 1].step - lo || 1);
      const groups = new Map<number, number[]>();
      pts.forEach((p, i) => {
        const b = Math.min(width - 1, Math.floor((p.step - lo) * scale));
        groups.set(b, [...(groups.get(b) ?? []), i]);
      });
      const keep = new Set<number>();
      for (const idx of groups.values()) {
        const byValue = [...idx].sort((a, b) => pts[a].value - pts[b].value || a - b);
        keep.add(idx[0]).add(idx[idx.length - 1]).add(byValue[0]).add(byValue[byValue.length - 1]);
      }
      return [...keep].sort((a, b) => a - b).map((i) => pts[i].step);
    };
    let seed = 7;
    const rand = () => ((seed = (seed * 1664525 + 1013904223) >>> 0) / 2 ** 32);
    for (const offset of [0, 1e9, 1e12]) {
      let step = offset;
      const pts = Array.from({ length: 20000 }, () => ({ step: (step += 1 + Math.floor(rand() * 5)), timestamp: 0, value: rand() }));
      assert.deepEqual(
        downsample(pts, 333).map((p) => p.step),
        reference(pts, 333),
        `steps from ${offset}`,
      );
    }
  });
  it('does not let NaN hide the extremes', () => {
    const values = Array.from({ length: 1000 }, (_, i) => (i % 2 ? NaN : i));
    const out = downsample(series(values), 1);
    assert.ok(out.some((p) => p.value === 998) && out.some((p) => p.value === 0));
  });
});

describe('latest metric (MLflow rule)', () => {
  it('orders by step, then timestamp, then value; NaN never wins a tie', () => {
    assert.deepEqual(latestOf([{ step: 2, timestamp: 1, value: 0 }, { step: 1, timestamp: 9, value: 9 }]), { step: 2, timestamp: 1, value: 0 });
    assert.equal(latestOf([{ step: 1, timestamp: 5, value: 1 }, { step: 1, timestamp: 5, value: 3 }, { step: 1, timestamp: 5, value: 2 }])!.value, 3);
    assert.equal(isLater({ step: 1, timestamp: 1, value: NaN }, { step: 1, timestamp: 1, value: 0 }), false);
  });
});
