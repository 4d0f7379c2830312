import { strict as assert } from 'node:assert';
import { emaSmooth } from '../../../webviews/shared/smoothing';

describe('emaSmooth (TensorBoard debiased EMA)', () => {
  it('keeps the shape: same length, raw at weight 0, a constant stays constant', () => {
    const v = [3, 1, 4, 1, 5, 9, 2, 6];
    assert.deepEqual(emaSmooth(v, 0), v);
    const c = emaSmooth(new Array(50).fill(7), 0.9);
    assert.equal(c.length, 50);
    for (const x of c) assert.ok(Math.abs(x - 7) < 1e-9, String(x));
  });
  it('is debiased: the first point equals the first value, not a fraction of it', () => {
    const s = emaSmooth([10, 10, 20], 0.8);
    assert.ok(Math.abs(s[0] - 10) < 1e-12);
    // Second step: (0.8*0.2*10 + 0.2*10) / (1 - 0.64) = 10; third moves towards 20 but stays under it.
    assert.ok(Math.abs(s[1] - 10) < 1e-12);
    assert.ok(s[2] > 10 && s[2] < 20);
  });
  it('matches the TensorBoard formula on a noisy series and stays within its extremes', () => {
    const v = Array.from({ length: 500 }, (_, i) => Math.sin(i / 7) + (i % 13) / 13);
    const w = 0.6;
    let last = 0;
    const expected = v.map((x, i) => {
      last = last * w + (1 - w) * x;
      return last / (1 - Math.pow(w, i + 1));
    });
    const got = emaSmooth(v, w);
    got.forEach((x, i) => assert.ok(Math.abs(x - expected[i]) < 1e-9, `${i}`));
    const lo = Math.min(...v);
    const hi = Math.max(...v);
    assert.ok(got.every((x) => x >= lo - 1e-9 && x <= hi + 1e-9));
  });
  it('passes NaN and infinities through without poisoning later points', () => {
    const s = emaSmooth([1, NaN, 1, Infinity, 1], 0.5);
    assert.ok(Number.isNaN(s[1]));
    assert.equal(s[3], Infinity);
    assert.ok(Math.abs(s[4] - 1) < 1e-12);
  });
});
