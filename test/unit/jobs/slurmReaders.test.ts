import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { DEFAULT_LIMITS, exitCode, jobState, parseKeyValues, SEP, splitRecords } from '../../../src/core/jobs/slurm/fields';
import { parseJobcomp } from '../../../src/core/jobs/slurm/jobcomp';
import { parseScontrolJobs } from '../../../src/core/jobs/slurm/scontrol';
import { gpuCounts, gpuTypes, parseSinfo } from '../../../src/core/jobs/slurm/sinfo';
import { snapshotArgv, splitSnapshot } from '../../../src/core/jobs/slurm/snapshotCommand';
import { expandLogPattern, parseSqueue } from '../../../src/core/jobs/slurm/squeue';
import type { ClusterWarning } from '../../../src/core/jobs/types';

// Real Slurm 22.05 output (fixtures/README.md says how it was made).
const fixture = (name: string) => readFileSync(path.join(__dirname, 'fixtures', name), 'utf8');

describe('Slurm readers', () => {
  it('sinfo: partitions, the default one, time limits, GPUs used per type on a busy node', () => {
    const w: ClusterWarning[] = [];
    const parts = parseSinfo(fixture('sinfo-busy.txt'), w);
    assert.deepEqual(w, []);
    assert.deepEqual(
      parts.map((p) => [p.name, p.isDefault, p.availability, p.maxTimeSec]),
      [
        ['gpu', true, 'up', null],
        ['debug', false, 'up', 600],
      ],
    );
    assert.deepEqual(parts[0].nodes, [{ name: 'vm', state: 'allocated', cpusAllocated: 2, cpusTotal: 2, memoryMiB: 4000, memoryAllocatedMiB: 0, gpus: [{ type: 'a100', total: 2, used: 2 }] }]);
    assert.deepEqual(parts[0].gpus, [{ type: 'a100', total: 2, used: 2 }]);
    assert.deepEqual(gpuTypes(parts), ['a100']);
  });

  it('GRES fields with several types, sockets, index lists and untyped GPUs', () => {
    assert.deepEqual([...gpuCounts('gpu:a100:2(S:0-1),gpu:v100:1,shard:8')], [['a100', 2], ['v100', 1]]);
    assert.deepEqual([...gpuCounts('gpu:a100:2(IDX:0,2),gpu:a100:1(IDX:1)')], [['a100', 3]]);
    assert.deepEqual([...gpuCounts('gpu:4')], [['', 4]]);
    assert.deepEqual([...gpuCounts('(null)')], []);
  });

  it('squeue: running, pending (with reason), array tasks, the pending rest of an array, finished ones', () => {
    const w: ClusterWarning[] = [];
    const jobs = parseSqueue(fixture('squeue-busy.txt'), w);
    assert.deepEqual(w, []);
    assert.equal(jobs.length, 15);
    const byId = new Map(jobs.map((j) => [j.id, j]));
    const running = byId.get('12_0')!;
    assert.deepEqual(
      { jobId: running.jobId, arrayJobId: running.arrayJobId, arrayTaskId: running.arrayTaskId, state: running.state, ours: running.ours, gpus: running.gpus, elapsed: running.elapsedSec, end: running.endTime },
      { jobId: '15', arrayJobId: '12', arrayTaskId: '0', state: 'running', ours: true, gpus: 'gres:gpu:a100:1', elapsed: 7, end: undefined },
    );
    assert.equal(running.stdoutPath, '/tmp/mlops-test/slurm-jobs/arr-12_0.out');
    const rest = byId.get('12_[1-2%1]')!;
    assert.deepEqual([rest.state, rest.reason, rest.arrayTaskId, rest.nodeList], ['pending', 'JobArrayTaskLimit', '1-2%1', '']);
    const waiting = byId.get('14')!;
    assert.deepEqual([waiting.state, waiting.reason, waiting.cpus, waiting.ours, waiting.startTime], ['pending', 'Resources', 2, false, undefined]);
    const day = byId.get('13')!;
    assert.deepEqual([day.name, day.timeLimitSec, day.ours], ['two words', 86400, false]);
    const timedOut = byId.get('5')!;
    assert.deepEqual([timedOut.state, timedOut.reason, timedOut.elapsedSec, timedOut.timeLimitSec], ['timeout', 'TimeLimit', 64, 60]);
    assert.equal(byId.get('7')!.workDir, '/tmp/mlops-test/slurm-jobs/run 1866-99be23');
    assert.equal(byId.get('7')!.stdoutPath, '/tmp/mlops-test/slurm-jobs/run 1866-99be23/.mlops/jobs/fails-7.out');
    assert.equal(byId.get('8_1')!.stderrPath, '/tmp/mlops-test/slurm-jobs/run 1866-99be23/.mlops/jobs/grid-8_1.err');
    assert.equal(byId.get('2')!.ours, true, 'a comment of ours with a suffix');
    assert.equal(byId.get('11')!.ours, false);
  });

  it('scontrol -o: an array (pending rest + task), a name with a blank, exit codes', () => {
    const jobs = parseScontrolJobs(fixture('scontrol-array.txt'), []);
    assert.deepEqual(
      jobs.map((j) => [j.id, j.jobId, j.name, j.state, j.exitCode, j.timeLimitSec, j.ours]),
      [
        ['12_[1-2%1]', '12', 'arr', 'pending', 0, null, true],
        ['12_0', '15', 'arr', 'running', 0, null, true],
        ['13', '13', 'two words', 'running', 0, 86400, false],
      ],
    );
    const [c] = parseScontrolJobs(fixture('scontrol-cancelled.txt'), []);
    assert.deepEqual([c.state, c.raw, c.user, c.cpus], ['cancelled', 'CANCELLED', 'root', 2]);
  });

  it('jobcomp: finished jobs with exit codes, times, elapsed and work folders with blanks', () => {
    const w: ClusterWarning[] = [];
    const recs = parseJobcomp(fixture('jobcomp.txt'), w);
    assert.deepEqual(w, []);
    const byId = new Map(recs.map((r) => [r.jobId, r]));
    const failed = byId.get('7')!;
    assert.deepEqual([failed.state, failed.exitCode, failed.signal, failed.workDir, failed.user], ['failed', 3, undefined, '/tmp/mlops-test/slurm-jobs/run 1866-99be23', 'root']);
    const timeout = byId.get('5')!;
    assert.deepEqual([timeout.state, timeout.timeLimitSec, timeout.elapsedSec], ['timeout', 60, 64]);
    assert.deepEqual([byId.get('9')!.arrayJobId, byId.get('9')!.arrayTaskId, byId.get('8')!.arrayTaskId], ['8', '0', '1']);
    assert.ok(recs.every((r) => r.source === 'jobcomp'));
  });

  it('states, exit codes and key=value lines', () => {
    assert.equal(jobState('CANCELLED by 0'), 'cancelled');
    assert.equal(jobState('OUT_OF_MEMORY'), 'out-of-memory');
    assert.equal(jobState('WHATEVER'), 'other');
    assert.deepEqual(exitCode('0:15'), { exitCode: 0, signal: 15 });
    assert.deepEqual(exitCode('2:0'), { exitCode: 2 });
    assert.deepEqual(exitCode('junk'), {});
    const kv = parseKeyValues('JobId=1 WorkDir=/a b/c Comment=x y AllocNode:Sid=h:1');
    assert.deepEqual([...kv], [['JobId', '1'], ['WorkDir', '/a b/c'], ['Comment', 'x y'], ['AllocNode:Sid', 'h:1']]);
  });

  it('log file patterns expand as Slurm expands them', () => {
    const job = { jobId: '9', arrayJobId: '8', arrayTaskId: '0', name: 'grid', user: 'ann' };
    assert.equal(expandLogPattern('/l/%x-%A_%a.out', job), '/l/grid-8_0.out');
    assert.equal(expandLogPattern('/l/%u/%j-100%%.out', job), '/l/ann/9-100%.out');
  });

  it('lines of the wrong shape, overlong lines and entries past the limit become warnings', () => {
    const w: ClusterWarning[] = [];
    const good = `a${SEP}b${SEP}`;
    const text = [good, 'squeue: error: Unable to contact slurm controller', 'x'.repeat(DEFAULT_LIMITS.maxLineLength + 1), good, good].join('\n');
    const rows = splitRecords(text, 2, 'jobs', w, { ...DEFAULT_LIMITS, maxRecords: 2 });
    assert.deepEqual(rows, [['a', 'b'], ['a', 'b']]);
    assert.deepEqual(
      w.map((x) => x.message.replace(/".*"/, '"…"')),
      ['1 line(s) not in the expected shape were skipped, e.g. "…"', `1 line(s) longer than ${DEFAULT_LIMITS.maxLineLength} characters were skipped`, 'only the first 2 entries are shown; 1 more were left out'],
    );
  });

  it('the batched answer splits into its frames; a login banner before them is ignored, a missing end is noticed', () => {
    const n = '@@mlops-0011';
    const text = `Welcome to the cluster\n${n} meta\nuser=ann\nnow=2026-12-06T15:30:01\nClusterName             = hpc\n${n} part sinfo 0 6\nrow1\n\n${n} err sinfo\n\n${n} part squeue 1 0\n\n${n} err squeue\nsqueue: error: Unable to contact slurm controller\n\n`;
    const out = splitSnapshot(`${text}${n} end\n`, n);
    assert.equal(out.user, 'ann');
    assert.equal(out.now, '2026-12-06T15:30:01');
    assert.equal(out.config.has('now'), false);
    assert.equal(out.config.get('ClusterName'), 'hpc');
    assert.deepEqual(out.sections.get('sinfo'), { rc: 0, bytes: 6, stdout: 'row1\n', stderr: '' });
    assert.deepEqual(out.sections.get('squeue'), { rc: 1, bytes: 0, stdout: '', stderr: 'squeue: error: Unable to contact slurm controller' });
    assert.equal(out.complete, true);
    assert.equal(splitSnapshot(text, n).complete, false);
    // The user's choices reach the script as arguments only.
    const argv = snapshotArgv({ allUsers: true, historyLimit: 5, known: { kind: 'jobcomp', path: '/var/log/slurm/jobcomp' } }, n);
    assert.deepEqual(argv.slice(3), ['sh', n, 'all', '5', String(8 << 20), '/var/log/slurm/jobcomp', 'full', '']);
    const known = snapshotArgv({ historyLimit: 200, known: { kind: 'sacct' }, history: { mode: 'known', ranges: '12-14,20' } }, n);
    assert.deepEqual(known.slice(5), ['mine', '200', String(8 << 20), '@sacct', 'known', '12-14,20']);
  });
});
