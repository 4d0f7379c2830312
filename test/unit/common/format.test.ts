import { strict as assert } from 'node:assert';
import { formatBytes, formatDuration, plural } from '../../../src/core/common/format';

describe('common/format: one formatter of each kind', () => {
  it('formats sizes like a file manager (powers of 1024)', () => {
    assert.equal(formatBytes(0), '0 B');
    assert.equal(formatBytes(1023), '1023 B');
    assert.equal(formatBytes(1536), '1.5 KB');
    assert.equal(formatBytes(50 * 1024 * 1024), '50 MB');
    assert.equal(formatBytes(3 * 1024 ** 5), '3.0 PB');
    assert.equal(formatBytes(undefined), '');
    assert.equal(formatBytes(Number.NaN), '');
  });

  it('formats durations from seconds to days, empty when unknown', () => {
    assert.equal(formatDuration(0), '0s');
    assert.equal(formatDuration(45_400), '45s');
    assert.equal(formatDuration(185_000), '3m 05s');
    assert.equal(formatDuration((2 * 3600 + 7 * 60) * 1000), '2h 07m');
    assert.equal(formatDuration((3 * 24 + 4) * 3600_000), '3d 4h');
    assert.equal(formatDuration(-1), '');
    assert.equal(formatDuration(Number.NaN), '');
  });

  it('counts in English', () => {
    assert.equal(plural(1, 'run'), '1 run');
    assert.equal(plural(0, 'run'), '0 runs');
    assert.equal(plural(2, 'stage'), '2 stages');
  });
});
