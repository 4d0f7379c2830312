import { strict as assert } from 'node:assert';
import type { PanelRun } from '../../../src/protocol/panels';
import { groupRuns, meanBand } from '../../../webviews/shared/groupAverage';
import { chartGroups, groupOptions, onHostMessage, restoreMetricsState, setGroupBy, setShowRuns } from '../../../webviews/metrics/state';

const close = (a: number, b: number) => Math.abs(a - b) < 1e-12;
const run = (key: string, fields?: Record<string, string>): PanelRun => ({ key, sourceId: 's', runId: key, name: key, color: '#123456', source: 'MLflow', status: 'FINISHED', fields });

describe('metrics panel: average the group', () => {
  it('mean and sample std (n − 1) at each step of runs logged at the same steps', () => {
    const b = meanBand([
      { x: [0, 1, 2], y: [1, 2, 3] },
      { x: [0, 1, 2], y: [3, 4, 5] },
      { x: [0, 1, 2], y: [2, 6, 4] },
    ]);
    assert.deepEqual(b.x, [0, 1, 2]);
    assert.deepEqual(b.mean, [2, 4, 4]);
    // Step 0: values 1, 3, 2 → sample variance ((1)+(1)+0)/2 = 1 → std 1. Step 1: 2, 4, 6 → var 4 → std 2.
    assert.ok(close(b.hi[0], 3) && close(b.lo[0], 1));
    assert.ok(close(b.hi[1], 6) && close(b.lo[1], 2));
    assert.ok(close(b.hi[2] - b.mean[2], 1));
    assert.deepEqual(b.n, [3, 3, 3]);
  });

  it('runs at different steps are interpolated within their own range, never beyond it', () => {
    // a logs at 0 and 10; b at 5 and 20. At 5, a reads 0.5 (halfway 0 → 1); at 10, b reads 2 (5 → 20 goes 1 → 4).
    const b = meanBand([
      { x: [0, 10], y: [0, 1] },
      { x: [5, 20], y: [1, 4] },
    ]);
    assert.deepEqual(b.x, [0, 5, 10, 20]);
    assert.deepEqual(b.n, [1, 2, 2, 1]);
    assert.ok(close(b.mean[1], 0.75));
    assert.ok(close(b.mean[2], 1.5));
    // One run only: the band closes on the mean.
    assert.equal(b.lo[0], b.mean[0]);
    assert.equal(b.hi[3], 4);
    // Sample std of 0.5 and 1 is |0.5 − 1| / √2.
    assert.ok(close(b.hi[1] - b.mean[1], 0.5 / Math.SQRT2));
  });

  it('gaps (NaN, null) are no value, not zero: the run reads across them; no runs, no points', () => {
    const b = meanBand([
      { x: [0, 1, 2], y: [1, NaN, 3] },
      { x: [0, 1, 2], y: [3, 5, null] },
    ]);
    assert.deepEqual(b.x, [0, 1, 2]);
    // At 1: the first run reads 2 (between 1 and 3), the second 5. At 2 only the first has a value.
    assert.deepEqual(b.mean, [2, 3.5, 3]);
    assert.deepEqual(b.n, [2, 2, 1]);
    assert.deepEqual(meanBand([]).x, []);
  });

  it('no cancellation on large values (Welford)', () => {
    const b = meanBand([
      { x: [0], y: [1e9 + 1] },
      { x: [0], y: [1e9 + 2] },
      { x: [0], y: [1e9 + 3] },
    ]);
    assert.equal(b.mean[0], 1e9 + 2);
    assert.ok(close(b.hi[0] - b.mean[0], 1));
  });

  it('groups runs by a param or tag value, in order of first appearance; runs without one last', () => {
    const runs = [run('a', { 'param:lr': '0.1' }), run('b', { 'param:lr': '0.01' }), run('c'), run('d', { 'param:lr': '0.1' })];
    assert.deepEqual(groupRuns(runs, 'param:lr'), [
      { id: 'v:0.1', label: 'lr = 0.1', members: ['a', 'd'] },
      { id: 'v:0.01', label: 'lr = 0.01', members: ['b'] },
      { id: 'none', label: 'lr (none)', members: ['c'] },
    ]);
  });

  it('the panel groups as the table did when opened from it, offers params then tags, and keeps the choice', () => {
    const runs = [run('a', { 'param:lr': '0.1', 'tag:seed': '1' }), run('b', { 'param:lr': '0.1', 'tag:seed': '2' })];
    const init = (groupBy?: string | null) => ({ type: 'init' as const, runs, metrics: ['loss'], problems: [], ...(groupBy !== undefined ? { groupBy } : {}) });
    const s = onHostMessage(restoreMetricsState(undefined), init('param:lr'));
    assert.equal(s.saved.groupBy, 'param:lr');
    assert.deepEqual(chartGroups(s).map((g) => g.members), [['a', 'b']]);
    assert.deepEqual(groupOptions(runs), [
      { value: 'param:lr', label: 'params.lr' },
      { value: 'tag:seed', label: 'tags.seed' },
    ]);
    // A later init (live update) without groupBy keeps the user's choice.
    const chosen = setShowRuns(setGroupBy(s, 'tag:seed'), false);
    const again = onHostMessage(chosen, init());
    assert.equal(again.saved.groupBy, 'tag:seed');
    assert.equal(again.saved.showRuns, false);
    // A table grouped by a field these runs lack: no groups.
    assert.equal(onHostMessage(restoreMetricsState(undefined), init('param:missing')).saved.groupBy, null);
    assert.deepEqual(chartGroups(setGroupBy(s, null)), []);
  });
});
