// The version-number ranges the REST reader asks model-versions/search in: they must cover
// every number once, whatever the first page of models suggested (the real server answers
// them in test/integration/models/mlflowRegistry.test.ts).
import { strict as assert } from 'node:assert';
import { versionCuts, versionRangeFilters } from '../../../src/core/models/mlflowRestRegistry';

const models = (...newest: (number | string)[]) => newest.map((v, i) => ({ name: `m${i}`, latest_versions: [{ version: String(v) }] }));

/** Which range of `cuts` a version number falls in, by evaluating the filters as MLflow would. */
function rangesOf(filters: string[], n: number): number[] {
  return filters.flatMap((f, i) => (f.split(' AND ').every((c) => {
    const [, op, x] = /^version_number (<=|>) (\d+)$/.exec(c)!;
    return op === '<=' ? n <= Number(x) : n > Number(x);
  }) ? [i] : []));
}

describe('REST registry: version ranges', () => {
  it('200 models × 25 versions: 4 ranges of about 1,250 versions each', () => {
    const cuts = versionCuts(models(...Array<number>(200).fill(25)));
    assert.deepEqual(cuts, [7, 13, 19]);
    assert.deepEqual(versionRangeFilters(cuts), ['version_number <= 7', 'version_number > 7 AND version_number <= 13', 'version_number > 13 AND version_number <= 19', 'version_number > 19']);
  });

  it('a small registry is one search', () => {
    assert.deepEqual(versionCuts(models(3, 5, 1)), []);
    assert.deepEqual(versionCuts([]), []);
  });

  it('every version number lands in exactly one range, also beyond what the models named', () => {
    for (const cuts of [versionCuts(models(1, 2, 900, 3000)), versionCuts(models(2, 2), 3), versionCuts(models(...Array<number>(50).fill(40), 5000))]) {
      const filters = versionRangeFilters(cuts);
      for (const n of [1, 2, 3, 7, 40, 899, 900, 901, 2999, 3000, 3001, 10 ** 9]) assert.equal(rangesOf(filters, n).length, 1, `version ${n} in ${filters.join(' | ')}`);
    }
  });

  it('cuts rise strictly and stay below the newest version; junk versions are ignored', () => {
    const cuts = versionCuts(models(1, 1, 1, 1, 1, 1, 'x', '1e400', -3, 20_000), 4);
    assert.ok(cuts.every((c, i) => Number.isInteger(c) && c > 0 && c < 20_000 && (i === 0 || c > cuts[i - 1])), String(cuts));
    // Asked for more ranges than there are version numbers: as many as there are.
    assert.deepEqual(versionCuts(models(2, 2), 4), [1]);
    assert.ok(versionCuts(models(...Array<number>(1000).fill(1000)), 50).length <= 3, 'at most 4 searches');
  });
});
