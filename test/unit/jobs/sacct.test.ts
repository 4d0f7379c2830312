import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { SEP } from '../../../src/core/jobs/slurm/fields';
import { parseSacct, parseSacctSize, type StepCount } from '../../../src/core/jobs/slurm/sacct';
import type { ClusterWarning } from '../../../src/core/jobs/types';

// Real sacct output of Slurm 22.05.8 with slurmdbd (fixtures/README.md).
const text = readFileSync(path.join(__dirname, 'fixtures', 'sacct.txt'), 'utf8');

describe('sacct reader', () => {
  it('folds the steps into their job: states, exit codes, elapsed, MaxRSS from the steps, our label, array tasks', () => {
    const w: ClusterWarning[] = [];
    const recs = parseSacct(text, w);
    assert.deepEqual(w, []);
    assert.deepEqual(
      recs.map((r) => [r.jobId, r.name, r.user, r.state, r.raw, r.exitCode, r.signal, r.elapsedSec, r.maxRssBytes, r.ours]),
      [
        ['369', 'limit', 'root', 'timeout', 'TIMEOUT', 0, undefined, 80, 3244 * 1024, true],
        ['370', 'ok', 'root', 'completed', 'COMPLETED', 0, undefined, 2, 66228 * 1024, true],
        ['371', 'fails', 'root', 'failed', 'FAILED', 3, undefined, 0, undefined, true],
        ['372', 'two | words', 'root', 'cancelled', 'CANCELLED by 0', 0, undefined, 2, 3180 * 1024, true],
        ['374', 'steps', 'root', 'completed', 'COMPLETED', 0, undefined, 0, undefined, false],
        ['375', 'theirs', 'nobody', 'completed', 'COMPLETED', 0, undefined, 1, 3256 * 1024, false],
        ['376', 'arr', 'root', 'completed', 'COMPLETED', 0, undefined, 0, undefined, true],
        ['373', 'arr', 'root', 'completed', 'COMPLETED', 0, undefined, 0, undefined, true],
      ],
    );
    const task = recs.find((r) => r.jobId === '376')!;
    assert.deepEqual([task.arrayJobId, task.arrayTaskId], ['373', '0']);
    assert.equal(recs.find((r) => r.jobId === '373')!.arrayTaskId, '1');
    const ok = recs[1];
    assert.deepEqual(
      [ok.partition, ok.nodeList, ok.submitTime, ok.startTime, ok.endTime, ok.workDir, ok.tres, ok.source],
      ['gpu', 'vm', '2026-12-06T14:47:25', '2026-12-06T14:47:25', '2026-12-06T14:47:27', '/tmp/sacct16-exp/fx dir', 'billing=1,cpu=1,node=1', 'sacct'],
    );
  });

  it('counts each job’s step rows and those not ended, by JobIDRaw', () => {
    const counts = new Map<string, StepCount>();
    const recs = parseSacct(text, [], Infinity, undefined, counts);
    assert.deepEqual(counts.get('374'), { steps: 3, open: 0 });
    // The array's tasks by their own JobIDRaw.
    assert.deepEqual([counts.get('376'), counts.get('373')], [{ steps: 1, open: 0 }, { steps: 1, open: 0 }]);
    for (const r of recs) assert.equal(counts.get(r.jobId)?.open, 0, r.jobId);
    // A step still running (no End yet, as sacct prints it then).
    const running = text.replace(/^(374\.1\x1f(?:[^\x1f\n]*\x1f){3})COMPLETED((?:\x1f[^\x1f\n]*){4}\x1f)[^\x1f\n]*/m, '$1RUNNING$2Unknown');
    assert.notEqual(running, text);
    const c2 = new Map<string, StepCount>();
    parseSacct(running, [], Infinity, undefined, c2);
    assert.deepEqual(c2.get('374'), { steps: 3, open: 1 });
  });

  it('keeps the last N jobs; a cut line and an orphan step are dropped with a warning, not a failure', () => {
    assert.deepEqual(parseSacct(text, [], 2).map((r) => r.jobId), ['376', '373']);
    const lines = text.trimEnd().split('\n');
    const w: ClusterWarning[] = [];
    // The answer cut mid-line, and starting at a step whose job row was before the cut.
    const cut = [...lines.slice(1), lines[0].slice(0, 20)].join('\n');
    const recs = parseSacct(cut, w);
    assert.equal(recs[0].jobId, '370');
    assert.equal(recs.length, 7);
    assert.match(w[0].message, /1 line\(s\) not in the expected shape/);
    assert.equal(w[0].part, 'history');
    // A crafted huge answer is bounded.
    const many = Array.from({ length: 50 }, (_, i) => `${i}${SEP}${i}${SEP}n${SEP}u${SEP}COMPLETED${SEP}0:0${SEP}1${SEP}${SEP}${SEP}${SEP}${SEP}p${SEP}${SEP}${SEP}${SEP}${SEP}`).join('\n');
    const w2: ClusterWarning[] = [];
    assert.equal(parseSacct(many, w2, Infinity, { maxRecords: 10, maxLineLength: 1000 }).length, 10);
    assert.match(w2[0].message, /only the first 10/);
  });

  it("sizes in sacct's units", () => {
    assert.deepEqual(['66076K', '1.50M', '2G', '512', '0', '', 'n/a'].map(parseSacctSize), [66076 * 1024, 1572864, 2 * 1024 ** 3, 512, 0, undefined, undefined]);
  });
});
