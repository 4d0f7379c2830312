import { strict as assert } from 'node:assert';
import { downsample, downsampleRange } from '../../../src/core/runs/downsample';
import { assignColors, colorOf, RUN_PALETTE } from '../../../src/core/runs/runColors';
import { emaSmooth } from '../../../src/core/runs/smoothing';
import { metricCsv } from '../../../src/core/runs/metricsCsv';

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

describe('downsample over time and over a range', () => {
  const pts = Array.from({ length: 100000 }, (_, i) => ({ step: i, timestamp: 1_700_000_000_000 + i * 10, value: Math.cos(i / 500) }));
  it('buckets by timestamp when asked and keeps the spikes', () => {
    const s = pts.map((p) => ({ ...p }));
    s[4242].value = 99;
    s[90001].value = -99;
    const out = downsample(s, 100, 'timestamp');
    assert.ok(out.length <= 400, String(out.length));
    assert.ok(out.some((p) => p.value === 99) && out.some((p) => p.value === -99));
    assert.equal(out[0].step, 0);
    assert.equal(out.at(-1)!.step, 99999);
  });
  it('gives the zoomed range in detail, one point beyond each edge, extremes kept', () => {
    const s = pts.map((p) => ({ ...p }));
    s[50500].value = 42;
    const out = downsampleRange(s, 100, 50000, 51000);
    assert.equal(out[0].step, 49999);
    assert.equal(out.at(-1)!.step, 51001);
    assert.ok(out.length <= 400 && out.length > 100, String(out.length));
    assert.ok(out.some((p) => p.value === 42));
    for (let i = 1; i < out.length; i++) assert.ok(out[i].step > out[i - 1].step);
    // A small range comes back whole: every step in it.
    const fine = downsampleRange(s, 1000, 100, 199);
    assert.equal(fine.length, 102);
    assert.deepEqual(downsampleRange(s, 100, 200000, 300000), []);
  });
});

describe('run colours', () => {
  it('gives the runs shown together different colours and never changes one', () => {
    const a = assignColors(['a', 'b', 'c'], {});
    assert.equal(new Set(Object.values(a)).size, 3);
    const b = assignColors(['c', 'd'], a);
    assert.equal(b.a, a.a);
    assert.equal(b.c, a.c);
    assert.notEqual(b.d, b.c);
    const many = assignColors(Array.from({ length: 25 }, (_, i) => `r${i}`), {});
    const counts = new Map<number, number>();
    for (const i of Object.values(many)) counts.set(i, (counts.get(i) ?? 0) + 1);
    assert.equal(counts.size, RUN_PALETTE.length);
    assert.ok(Math.max(...counts.values()) - Math.min(...counts.values()) <= 1);
    assert.match(colorOf(13), /^#[0-9a-f]{6}$/);
  });
});

describe('metric CSV export', () => {
  it('writes every point with quoting where needed', () => {
    const csv = metricCsv('loss', [{ name: 'a, "b"', id: 'r1', points: [{ step: 1, timestamp: 0, value: 0.5 }, { step: 2, timestamp: 1000, value: NaN }] }]);
    assert.equal(csv, 'run,run_id,metric,step,timestamp,value\n"a, ""b""",r1,loss,1,1970-01-01T00:00:00.000Z,0.5\n"a, ""b""",r1,loss,2,1970-01-01T00:00:01.000Z,NaN\n');
  });

  it('writes an empty time cell for a timestamp Date cannot hold, and every other row', () => {
    const points = [NaN, 1e20, -Infinity, 1000].map((timestamp, step) => ({ step, timestamp, value: step }));
    const csv = metricCsv('loss', [{ name: 'r', id: 'r1', points }]);
    assert.equal(csv, 'run,run_id,metric,step,timestamp,value\nr,r1,loss,0,,0\nr,r1,loss,1,,1\nr,r1,loss,2,,2\nr,r1,loss,3,1970-01-01T00:00:01.000Z,3\n');
  });
});
