import { strict as assert } from 'node:assert';
import { idRanges, SacctHistoryCache } from '../../../src/core/jobs/slurm/historyCache';
import type { JobRecord } from '../../../src/core/jobs/types';

// The answers here are shaped as parseSacct returns them; that the remote side and sacct
// give the same history both ways is the integration test's (test/integration/jobs/sacct.test.ts).
function job(jobId: string, endTime: string | undefined, maxRssBytes?: number): JobRecord {
  return { jobId, name: 'j', user: 'ann', state: 'completed', raw: 'COMPLETED', partition: 'gpu', nodeList: 'vm', source: 'sacct', ...(endTime ? { endTime } : {}), ...(maxRssBytes !== undefined ? { maxRssBytes } : {}) };
}

describe('sacct history cache', () => {
  it('job ids as ranges, numeric ones only, sorted and without repeats', () => {
    assert.equal(idRanges(['7', '1', '2', '3', '9', '10', '3', '373_1', 'x']), '1-3,7,9-10');
    assert.equal(idRanges([]), '');
  });

  it('reads in full first; then names the settled jobs; their MaxRSS comes from the cache', () => {
    const c = new SacctHistoryCache();
    assert.deepEqual(c.plan('mine:200'), { mode: 'full' });
    const now = '2026-12-06T15:30:00';
    // 10 and 11 ended more than 5 minutes before the cluster's clock; 12 just now (its steps may still come).
    c.merge('mine:200', { mode: 'full' }, [job('10', '2026-12-06T15:20:00', 4096), job('11', '2026-12-06T15:24:59'), job('12', '2026-12-06T15:29:00', 1)], now, true);
    const plan = c.plan('mine:200');
    assert.deepEqual(plan, { mode: 'known', ranges: '10-11' });
    // The next answer: job rows only for 10 and 11 (no MaxRSS), 12 with its steps again.
    const merged = c.merge('mine:200', plan, [job('10', '2026-12-06T15:20:00'), job('11', '2026-12-06T15:24:59'), job('12', '2026-12-06T15:29:00', 2048)], '2026-12-06T15:34:30', true);
    assert.deepEqual(merged, [job('10', '2026-12-06T15:20:00', 4096), job('11', '2026-12-06T15:24:59'), job('12', '2026-12-06T15:29:00', 2048)]);
    assert.deepEqual(c.plan('mine:200'), { mode: 'known', ranges: '10-12' });
    // A job that left the history (older than the window, or requeued) leaves the cache.
    c.merge('mine:200', c.plan('mine:200'), [job('11', '2026-12-06T15:24:59'), job('12', '2026-12-06T15:29:00')], '2026-12-06T15:35:00', true);
    assert.deepEqual(c.plan('mine:200'), { mode: 'known', ranges: '11-12' });
  });

  it('a job whose step rows have all ended is settled at once; one with a step still open, or that ran and shows no steps yet, waits', () => {
    const c = new SacctHistoryCache();
    const now = '2026-12-06T15:30:00';
    const neverRan = { ...job('13', '2026-12-06T15:29:59'), nodeList: '' };
    const cancelledPending = { ...job('14', '2026-12-06T15:29:59'), nodeList: 'None assigned' };
    const steps = new Map([
      ['10', { steps: 2, open: 0 }],
      ['11', { steps: 2, open: 1 }],
    ]);
    c.merge('k', { mode: 'full' }, [job('10', '2026-12-06T15:29:59', 7), job('11', '2026-12-06T15:29:59'), job('12', '2026-12-06T15:29:59'), neverRan, cancelledPending], now, true, steps);
    assert.deepEqual(c.plan('k'), { mode: 'known', ranges: '10,13-14' });
  });

  it('a kept job with another End (requeued after it ended, run again) goes without the old MaxRSS, and the next read is a full one', () => {
    const c = new SacctHistoryCache({ settleSeconds: 0 });
    c.merge('k', { mode: 'full' }, [job('10', '2026-12-06T15:00:00', 7)], '2026-12-06T15:00:00', true);
    const plan = c.plan('k');
    assert.equal(plan.mode, 'known');
    assert.deepEqual(c.merge('k', plan, [job('10', '2026-12-06T15:09:00')], '2026-12-06T15:10:00', true), [job('10', '2026-12-06T15:09:00')]);
    assert.equal(c.plan('k').mode, 'full');
  });

  it('a time in another format (SLURM_TIME_FORMAT) never settles: such jobs are asked for each time', () => {
    const c = new SacctHistoryCache();
    c.merge('k', { mode: 'full' }, [job('10', 'Dec 6 15:20'), job('11', '2026-12-06T15:00:00')], '2026-12-06T15:30:00', true);
    assert.deepEqual(c.plan('k'), { mode: 'known', ranges: '11' });
    c.merge('k', { mode: 'full' }, [job('11', '2026-12-06T15:00:00')], undefined, true);
    assert.deepEqual(c.plan('k'), { mode: 'full' });
  });

  it('reads in full again after a change of whose jobs or how many, after a warning, and every fullEvery refreshes', () => {
    const c = new SacctHistoryCache({ fullEvery: 3, settleSeconds: 0 });
    const answer = [job('1', '2026-12-06T15:00:00', 5)];
    const now = '2026-12-06T15:00:00';
    c.merge('mine:200', { mode: 'full' }, answer, now, true);
    assert.equal(c.plan('all:200').mode, 'full');
    assert.equal(c.plan('mine:50').mode, 'full');
    const modes: string[] = [];
    for (let i = 0; i < 6; i++) {
      const p = c.plan('mine:200');
      modes.push(p.mode);
      // A full answer has the steps' MaxRSS; one naming job 1 as known has its row only.
      const merged = c.merge('mine:200', p, [job('1', '2026-12-06T15:00:00', p.mode === 'full' ? 5 : undefined)], now, true);
      assert.equal(merged[0].maxRssBytes, 5);
    }
    assert.deepEqual(modes, ['known', 'known', 'full', 'known', 'known', 'full']);
    // A warning (a part failed or was cut): the answer is passed on, nothing of it is kept.
    const p = c.plan('mine:200');
    assert.equal(p.mode, 'known');
    assert.deepEqual(c.merge('mine:200', p, [job('1', '2026-12-06T15:00:00')], now, false), [job('1', '2026-12-06T15:00:00', 5)]);
    assert.equal(c.plan('mine:200').mode, 'full');
  });

  it('an answer for another key than the cache holds does not borrow its MaxRSS', () => {
    const c = new SacctHistoryCache({ settleSeconds: 0 });
    c.merge('mine:200', { mode: 'full' }, [job('1', '2026-12-06T15:00:00', 5)], '2026-12-06T15:00:00', true);
    const plan = c.plan('mine:200');
    assert.deepEqual(c.merge('all:200', plan, [job('1', '2026-12-06T15:00:00')], '2026-12-06T15:00:00', true), [job('1', '2026-12-06T15:00:00')]);
  });
});
