import { strict as assert } from 'node:assert';
import { downsampleColumns, downsampleHeld, downsampleHeldRange, downsampleRange, type XKey } from '../../../src/core/runs/downsample';
import { columnAt, heldBytes, heldHistory, heldPoint, heldSlice, holdPacked } from '../../../src/core/runs/heldSeries';
import { decodePoints, encodePoints } from '../../../src/core/runs/isolated/pointsCodec';
import { metricCsv } from '../../../src/core/runs/metricsCsv';
import type { MetricPoint, RunSource } from '../../../src/core/runs/types';
import { toColumns } from '../../../src/protocol/panels';

/** A seeded generator, so a failure names a series that can be made again. */
function rng(seed: number): () => number {
  return () => (seed = (seed * 1664525 + 1013904223) >>> 0) / 2 ** 32;
}

/** Series that exercise every column form and every path of the downsampler. */
function cases(): Record<string, MetricPoint[]> {
  const r = rng(7);
  const n = 20000;
  const base = Array.from({ length: n }, (_, i) => ({ step: i, timestamp: 1.7e12 + i * 1000, value: Math.sin(i / 300) + r() * 0.1 }));
  const specials = base.map((p, i) => ({ ...p, value: i % 997 === 0 ? NaN : i % 1999 === 0 ? Infinity : i % 2003 === 0 ? -Infinity : i === 5 ? -0 : p.value }));
  // Duplicate steps (a run resumed from a checkpoint logs some steps again) and irregular float timestamps.
  const duplicates = base.map((p, i) => ({ step: Math.floor(i / 3), timestamp: 1.7e12 + i * 997.25 + r(), value: Math.fround(p.value) }));
  const unordered = base.slice();
  [unordered[0], unordered[15000]] = [unordered[15000], unordered[0]];
  const nanSteps = base.map((p, i) => (i === 9000 ? { ...p, step: NaN, timestamp: NaN } : p));
  const bigSteps = base.map((p, i) => ({ ...p, step: i * 1e9 + (i % 7), timestamp: 1.7e12 + i * 3 + (i % 5) }));
  const negativeZero = base.map((p, i) => ({ ...p, step: i === 0 ? -0 : i }));
  return { base, specials, duplicates, unordered, nanSteps, bigSteps, negativeZero, short: base.slice(0, 30), empty: [] };
}

describe('held series (the metrics panel keeps histories as typed columns)', () => {
  for (const [name, points] of Object.entries(cases())) {
    it(`${name}: packed path gives exactly what the object path gives`, () => {
      const held = holdPacked(encodePoints(points));
      assert.equal(held.length, points.length);
      for (let i = 0; i < points.length; i++) assert.deepEqual(heldPoint(held, i), points[i], `point ${i}`);
      for (const x of ['step', 'timestamp'] as XKey[]) {
        for (const width of [1, 100, 1200]) {
          assert.deepEqual(downsampleHeld(held, width, x), downsampleColumns(points, width, x), `${x} ${width}`);
          if (!points.length) continue;
          const a = points[Math.floor(points.length * 0.4)][x];
          const b = points[Math.floor(points.length * 0.6)][x];
          for (const [lo, hi] of [[a, b], [b + 1e15, b + 2e15], [-Infinity, Infinity]])
            assert.deepEqual(downsampleHeldRange(held, width * 3, lo, hi, x), toColumns(downsampleRange(points, width * 3, lo, hi, x)), `${x} ${width} [${lo}, ${hi}]`);
        }
      }
      assert.deepEqual(heldSlice(held, 3, points.length), toColumns(points.slice(3)));
      assert.equal(metricCsv('m', [{ name: 'r', id: '1', points: held }]), metricCsv('m', [{ name: 'r', id: '1', points }]));
    });
  }

  it('stores each column as narrow as it can without changing a number', () => {
    const { base, duplicates, specials } = cases();
    const b = holdPacked(encodePoints(base));
    assert.equal(b.step.kind, 'seq');
    assert.equal(b.timestamp.kind, 'seq');
    assert.equal(b.value.kind, 'f64');
    assert.equal(heldBytes(b), base.length * 8);
    const d = holdPacked(encodePoints(duplicates));
    assert.equal(d.step.kind, 'int');
    assert.equal(d.timestamp.kind, 'f64');
    assert.equal(d.value.kind, 'f32');
    // -0 and NaN do not survive an Int32 offset: the value column falls back to Float64.
    const s = holdPacked(encodePoints(specials));
    assert.ok(Object.is(columnAt(s.value, 5), -0));
    assert.ok(Number.isNaN(columnAt(s.value, 0)));
  });

  it('takes a packed history as the source hands it over, and packs one that only has objects', async () => {
    const points = cases().specials.slice(0, 50);
    const packedSource = { metricHistoryPacked: async () => encodePoints(points), metricHistory: async () => assert.fail('objects asked for') } as unknown as RunSource;
    const objectSource = { metricHistory: async () => points } as unknown as RunSource;
    for (const source of [packedSource, objectSource]) {
      const held = await heldHistory(source, 'run', 'loss');
      assert.deepEqual(decodePoints(encodePoints(Array.from({ length: held.length }, (_, i) => heldPoint(held, i)))), points);
    }
  });
});
