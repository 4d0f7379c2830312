import { strict as assert } from 'node:assert';
import { downsample } from '../../../src/core/runs/downsample';
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
