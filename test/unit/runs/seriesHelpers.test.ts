import { strict as assert } from 'node:assert';
import { downsample, downsampleRange } from '../../../src/core/runs/downsample';
import { assignColors, colorOf, needsColors, RUN_PALETTE } from '../../../src/core/runs/runColors';
import { metricCsv } from '../../../src/core/runs/metricsCsv';

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
  it('gives the runs shown together different colours, keeping each run its colour unless one before it in the set has it', () => {
    const a = assignColors(['a', 'b', 'c'], {});
    assert.equal(new Set(Object.values(a)).size, 3);
    const b = assignColors(['c', 'd'], a);
    assert.equal(b.a, a.a);
    assert.equal(b.c, a.c);
    assert.notEqual(b.d, b.c);
    // Coloured apart (each alone: the same first colour), then charted together: the later one moves.
    const x = assignColors(['x'], {});
    const y = assignColors(['y'], x);
    assert.equal(y.y, y.x);
    const together = assignColors(['x', 'y', 'z'], y);
    assert.equal(together.x, x.x, 'the first keeps its colour');
    assert.equal(new Set(['x', 'y', 'z'].map((k) => together[k])).size, 3);
    assert.deepEqual(assignColors(['x', 'y', 'z'], together), together, 'a set already told apart changes nothing');
    assert.deepEqual(assignColors(['x', 'x'], {}), { x: 0 });
    // needsColors says when the store must assign: exactly when assignColors would change something.
    assert.equal(needsColors(['x', 'y'], y), true);
    assert.equal(needsColors(['x', 'y', 'z'], together), false);
    assert.equal(needsColors(['x', 'w'], together), true, 'w has no colour');
    const eleven = Array.from({ length: 11 }, (_, i) => `e${i}`);
    const past = assignColors(eleven, {});
    assert.equal(needsColors(eleven, past), false, 'more runs than colours: two alike is no reason to move');
    assert.deepEqual(assignColors(eleven, past), past);
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
