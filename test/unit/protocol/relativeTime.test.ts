import { strict as assert } from 'node:assert';
import { toColumns } from '../../../src/protocol/panels';
import { axisSecondsToTime, relativeTimeOrigin, timeToAxisSeconds } from '../../../src/protocol/relativeTime';

// The host (points) and the webview (columns) call the same rule; these pin it down.
describe('relative time origin (host and webview)', () => {
  const at = (ts: number[]) => [ts.length, (i: number) => ts[i]] as const;

  it("takes the run's start time when the store has one", () => {
    assert.equal(relativeTimeOrigin(5000, ...at([9000, 7000])), 5000);
    assert.equal(relativeTimeOrigin(0, ...at([9000])), 0, 'a start at the epoch is still a start');
  });

  it('else the earliest finite timestamp of the first 1000 points, else 0', () => {
    assert.equal(relativeTimeOrigin(undefined, ...at([9000, 7000, 8000])), 7000);
    assert.equal(relativeTimeOrigin(undefined, ...at([NaN, 9000, -Infinity, 8000])), 8000, 'non-finite times are skipped');
    const late = [...Array.from({ length: 1000 }, (_, i) => 2000 + i), 1];
    assert.equal(relativeTimeOrigin(undefined, ...at(late)), 2000, 'only the first 1000 points are searched');
    assert.equal(relativeTimeOrigin(undefined, ...at([])), 0);
    assert.equal(relativeTimeOrigin(undefined, ...at([NaN])), 0);
  });

  it('gives the same origin from points and from their columns', () => {
    const points = [3, 1, 2].map((s) => ({ step: s, timestamp: 1_700_000_000_000 + s * 1000, value: s }));
    const cols = toColumns(points);
    assert.equal(
      relativeTimeOrigin(undefined, points.length, (i) => points[i].timestamp),
      relativeTimeOrigin(undefined, cols.time.length, (i) => cols.time[i]),
    );
  });

  it('maps a timestamp to axis seconds and back', () => {
    const origin = 1_700_000_000_000;
    assert.equal(timeToAxisSeconds(origin + 1500, origin), 1.5);
    assert.equal(axisSecondsToTime(1.5, origin), origin + 1500);
    assert.equal(axisSecondsToTime(timeToAxisSeconds(1_700_000_123_456, 0), 0), 1_700_000_123_456);
  });
});
