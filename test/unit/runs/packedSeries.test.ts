import { strict as assert } from 'node:assert';
import { latestOf } from '../../../src/core/runs/latest';
import { PackedSeries, summarize } from '../../../src/core/runs/tensorboard/packedSeries';
import { StringInterner } from '../../../src/core/runs/tensorboard/stringInterner';
import type { MetricPoint } from '../../../src/core/runs/types';

const pointsOf = (n: number, at = 0): MetricPoint[] =>
  Array.from({ length: n }, (_, i) => ({ step: at + i, timestamp: 1000 + ((i * 7919) % 97), value: Math.sin(i) }));

describe('PackedSeries', () => {
  it('keeps every point in order across chunk boundaries (16, 32, ... points)', () => {
    for (const n of [0, 1, 15, 16, 17, 48, 49, 16384 * 3 + 5]) {
      const s = new PackedSeries();
      const pts = pointsOf(n);
      for (const p of pts) s.push(p.step, p.timestamp, p.value);
      assert.equal(s.length, n);
      assert.deepEqual(s.points(), pts, `n=${n}`);
    }
  });

  it('gives back exactly the numbers pushed when columns fall back from narrow to wide form mid-chunk', () => {
    // Narrow forms (Int32 step differences, Float32 time differences and values) hold
    // until a point does not fit; these series mix both within one chunk, at every position.
    let seed = 7;
    const rand = () => (seed = (seed * 1664525 + 1013904223) >>> 0) / 2 ** 32;
    const odd = [NaN, -0, 0, Infinity, -Infinity, 1e-300, 2 ** 53 + 2, -(2 ** 40), Number.MAX_VALUE, 0.1];
    const pts: MetricPoint[] = [];
    let step = 0;
    let time = 1.7e12 + 0.123;
    for (let i = 0; i < 40000; i++) {
      const r = rand();
      // Mostly small steps and a steady pace, sometimes a jump past Int32 or a clock irregularity.
      step = r < 0.001 ? step + 2 ** 33 : r < 0.002 ? -step : r < 0.003 ? 2 ** 53 + 2 * i : step + 1;
      time = r > 0.998 ? time + rand() * 1e9 : r > 0.997 ? odd[i % odd.length] : time + 10;
      const value = r < 0.5 ? Math.fround(r) : r < 0.9 ? r : odd[i % odd.length];
      pts.push({ step, timestamp: time, value });
    }
    const s = new PackedSeries();
    for (const p of pts) s.push(p.step, p.timestamp, p.value);
    assert.deepStrictEqual(s.points(), pts); // SameValue: -0, NaN and every bit of a double
    for (const first of [-0, NaN]) {
      const t = new PackedSeries();
      t.push(first, first, first);
      t.push(1, 1, 1);
      assert.deepStrictEqual(t.points(), [{ step: first, timestamp: first, value: first }, { step: 1, timestamp: 1, value: 1 }]);
    }
  });

  it('keeps the summary MLflow-latest and the time range as points arrive', () => {
    const s = new PackedSeries();
    const pts: MetricPoint[] = [
      { step: 3, timestamp: 50, value: 1 },
      { step: 1, timestamp: 10, value: 9 },
      { step: 3, timestamp: 50, value: 2 }, // same step and time: the larger value wins
      { step: 3, timestamp: 40, value: 7 },
      { step: 2, timestamp: 90, value: 0 },
    ];
    for (const p of pts) s.push(p.step, p.timestamp, p.value);
    assert.deepEqual(s.summary().latest, latestOf(pts));
    assert.equal(s.summary().minTime, 10);
    assert.equal(s.summary().maxTime, 90);
    assert.deepEqual(summarize(s.packed()), s.summary());
  });

  it('purges steps at or past a step, keeps order, and recomputes the summary', () => {
    const s = new PackedSeries();
    const pts = pointsOf(100);
    for (const p of pts) s.push(p.step, p.timestamp, p.value);
    s.purge(40);
    assert.deepEqual(s.points(), pts.slice(0, 40));
    assert.deepEqual(s.summary().latest, latestOf(pts.slice(0, 40)));
    s.push(40, 5, 1); // appends after a purge
    assert.equal(s.length, 41);
    s.purge(-5);
    assert.equal(s.length, 0);
    assert.equal(s.summary().latest, undefined);
  });

  it('appends another packed series', () => {
    const a = new PackedSeries();
    const b = new PackedSeries();
    for (const p of pointsOf(20)) a.push(p.step, p.timestamp, p.value);
    for (const p of pointsOf(30, 20)) b.push(p.step, p.timestamp, p.value);
    a.append(b.packed());
    assert.deepEqual(a.points(), [...pointsOf(20), ...pointsOf(30, 20)]);
  });
});

describe('StringInterner', () => {
  const bytes = (s: string) => Buffer.from(s, 'utf8');

  it('returns one string for the same bytes, and the right one for different bytes in the same slot', () => {
    const i = new StringInterner();
    const a1 = i.text(bytes('xloss'), 1, 5, 0);
    const a2 = i.text(bytes('yyloss'), 2, 6, 0);
    assert.equal(a1, 'loss');
    assert.equal(a2, 'loss');
    assert.equal(i.text(bytes('lose'), 0, 4, 0), 'lose');
    assert.equal(i.text(bytes('loss'), 0, 4, 0), 'loss');
    assert.equal(i.text(bytes('ünï'), 0, bytes('ünï').length), 'ünï');
  });

  it('tells apart every one of many names (hash buckets checked byte by byte)', () => {
    const i = new StringInterner();
    const names = Array.from({ length: 5000 }, (_, k) => `tag/${k.toString(36)}`);
    for (let round = 0; round < 2; round++) {
      names.forEach((n, k) => assert.equal(i.text(bytes(n), 0, bytes(n).length, k % 70), n));
    }
  });
});
