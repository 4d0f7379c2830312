import { strict as assert } from 'node:assert';
import { holdPacked, type HeldSeries } from '../../../src/core/runs/heldSeries';
import { encodePoints } from '../../../src/core/runs/isolated/pointsCodec';
import { APPEND_POINTS_PER_PX, refreshSeries, type SeriesRefreshInput } from '../../../src/extension/panels/metricsRefresh';

const points = (n: number, from = 0) => Array.from({ length: n }, (_, i) => ({ step: from + i, timestamp: 1.7e12 + (from + i) * 250, value: Math.exp(-(from + i) / 20) }));
const held = (n: number): HeldSeries => holdPacked(encodePoints(points(n)));

function input(before: HeldSeries | undefined, now: HeldSeries, more: Partial<SeriesRefreshInput> = {}): SeriesRefreshInput & { reads: number } {
  const i: SeriesRefreshInput & { reads: number } = {
    metric: 'loss',
    run: 'src\nr1',
    before,
    latest: undefined,
    appended: 0,
    width: 800,
    reads: 0,
    read: async () => {
      i.reads++;
      return now;
    },
    ...more,
  };
  return i;
}

describe('metrics panel refresh of a live series (what MetricsPanel posts)', () => {
  it('does not read the history when the listing says the last point is the same', async () => {
    const before = held(10);
    const i = input(before, held(11), { latest: { step: 9, timestamp: 1.7e12 + 9 * 250 } });
    assert.equal(await refreshSeries(i), undefined);
    assert.equal(i.reads, 0);
  });

  it('appends only the points logged since, and counts them', async () => {
    const i = input(held(10), held(13), { latest: { step: 12, timestamp: 1.7e12 + 12 * 250 }, appended: 5 });
    const r = await refreshSeries(i);
    assert.ok(r && r.message.type === 'append');
    assert.deepEqual([...r.message.data.step], [10, 11, 12]);
    assert.deepEqual([...r.message.data.time], [10, 11, 12].map((s) => 1.7e12 + s * 250));
    assert.equal(r.appended, 8);
    assert.equal(r.history.length, 13);
  });

  it('posts nothing when the history read has no new point', async () => {
    assert.equal(await refreshSeries(input(held(10), held(10))), undefined);
  });

  it('sends the whole series again when the history got shorter (a rewritten run)', async () => {
    const r = await refreshSeries(input(held(10), held(4), { appended: 6 }));
    assert.ok(r && r.message.type === 'series');
    assert.equal(r.message.total, 4);
    assert.equal(r.appended, 0);
  });

  it('sends the whole series downsampled once the appends pass the points a pixel may hold', async () => {
    const width = 100;
    const r = await refreshSeries(input(held(10), held(10 + width * APPEND_POINTS_PER_PX), { width, appended: 1 }));
    assert.ok(r && r.message.type === 'series');
    assert.equal(r.message.total, 10 + width * APPEND_POINTS_PER_PX);
    assert.ok(r.message.data.step.length < r.message.total);
    assert.equal(r.appended, 0);
  });

  it('a first read with nothing held appends every point', async () => {
    const r = await refreshSeries(input(undefined, held(3)));
    assert.ok(r && r.message.type === 'append');
    assert.equal(r.message.data.step.length, 3);
  });
});
