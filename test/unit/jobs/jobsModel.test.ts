import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { renderBatchScript } from '../../../src/core/jobs/slurm/batchScript';
import { parseJobcomp } from '../../../src/core/jobs/slurm/jobcomp';
import { parseSinfo } from '../../../src/core/jobs/slurm/sinfo';
import { parseSqueue } from '../../../src/core/jobs/slurm/squeue';
import type { ClusterSnapshot } from '../../../src/core/jobs/types';
import { checkAnswer, clusterSettings, jobNameOf, planFromAnswers } from '../../../src/extension/jobs/clusterSettings';
import { jobShellArgv } from '../../../src/extension/jobs/jobShell';
import { activeJobs, clusterErrorText, clusterView, finishedJobs, groupViews, jobContext, jobView, keepLastGood, nodeCounts, partitionView, recordView } from '../../../src/extension/jobs/jobsModel';
import { l10n } from '../l10nFormat';

// The Jobs view's pure part: a snapshot made of real Slurm 22.05 output (fixtures/README.md)
// → the items the view shows. The translator fills placeholders the way vscode.l10n.t does.
const fixture = (name: string) => readFileSync(path.join(__dirname, 'fixtures', name), 'utf8');

function snapshot(over: Partial<ClusterSnapshot> = {}): ClusterSnapshot {
  return {
    user: 'root',
    clusterName: 'test',
    version: '22.05.8',
    partitions: parseSinfo(fixture('sinfo-busy.txt'), []),
    jobs: parseSqueue(fixture('squeue-busy.txt'), []),
    history: parseJobcomp(fixture('jobcomp.txt'), []),
    historySource: 'jobcomp',
    warnings: [],
    ...over,
  };
}

describe('Jobs view model', () => {
  it('a partition: nodes idle / allocated and GPUs free / total per type; the default one starred', () => {
    const [gpu, debug] = snapshot().partitions;
    const v = partitionView(l10n, gpu);
    assert.equal(v.label, 'gpu*');
    assert.equal(v.description, '0 idle · 1 alloc · a100 0/2 free');
    assert.match(v.tooltip!, /^Partition gpu \(the default\)\nTime limit: none\nvm: allocated · CPUs 2\/2 · a100 2\/2$/);
    assert.equal(partitionView(l10n, debug).label, 'debug');
    assert.match(partitionView(l10n, debug).tooltip!, /Time limit: 10m 00s/);
    const idle = { ...gpu, nodes: [{ ...gpu.nodes[0], state: 'idle' }, { ...gpu.nodes[0], name: 'n2', state: 'mixed' }, { ...gpu.nodes[0], name: 'n3', state: 'down*' }], gpus: [{ type: 'a100', total: 4, used: 1 }], availability: 'down' };
    assert.deepEqual(nodeCounts(idle), { idle: 1, alloc: 1, other: 1 });
    assert.equal(partitionView(l10n, idle).description, 'down · 1 idle · 1 alloc · 1 down/drained · a100 3/4 free');
    assert.equal(partitionView(l10n, idle).icon, 'warning');
  });

  it('my jobs: running first (node and elapsed / limit), then pending with the reason; ended ones are not here', () => {
    const s = snapshot();
    const mine = activeJobs(s);
    assert.deepEqual(
      mine.map((j) => [jobView(l10n, j, s.user).label, jobView(l10n, j, s.user).description, jobView(l10n, j, s.user).contextValue]),
      [
        ['13 two words', 'running on vm · 7s / 1d 0h · not from MLOps', 'mlops.job.active.foreign.running'],
        ['12_0 arr', 'running on vm · 7s / no limit', 'mlops.job.active.ours.running'],
        ['14 waiting', 'pending (Resources) · not from MLOps', 'mlops.job.active.foreign'],
        ['12_[1-2%1] arr', 'pending (JobArrayTaskLimit)', 'mlops.job.active.ours'],
      ],
    );
    assert.equal(jobView(l10n, mine[1], 'root').icon, 'sync~spin');
    assert.equal(jobView(l10n, mine[2], 'root').icon, 'clock');
  });

  it("someone else's job names its owner and is read-only to the menus (no cancel, requeue or shell)", () => {
    const j = { ...activeJobs(snapshot())[1], user: 'ann' };
    const v = jobView(l10n, j, 'root');
    assert.equal(v.description, 'by ann · running on vm · 7s / no limit');
    assert.equal(v.contextValue, 'mlops.job.active.other.running');
    const menus = JSON.parse(readFileSync(path.join(__dirname, '../../../package.json'), 'utf8')).contributes.menus['view/item/context'] as Array<{ command: string; when: string }>;
    const offered = (ctx: string) =>
      menus
        .filter((m) => m.when.includes('view == mlops.jobs') && new RegExp(/viewItem =~ \/(.*)\//.exec(m.when)?.[1] ?? '^$').test(ctx))
        .map((m) => m.command)
        .sort();
    // Reading its output (once or followed) is read-only, so it stays offered.
    assert.deepEqual([...new Set(offered('mlops.job.active.other.running'))], ['mlops.job.copyId', 'mlops.job.follow', 'mlops.job.showOutput']);
    assert.ok(offered('mlops.job.active.ours.running').includes('mlops.job.cancel'));
    assert.ok(offered('mlops.job.active.ours.running').includes('mlops.job.requeue'));
    assert.ok(offered('mlops.job.active.ours.running').includes('mlops.job.openShell'));
    assert.ok(!offered('mlops.job.active.ours').includes('mlops.job.openShell'), 'a pending job has no node to open a shell on');
    assert.ok(offered('mlops.job.active.foreign').includes('mlops.job.cancel'), 'a job of the user not from MLOps: cancel asks naming its owner');
    assert.ok(!offered('mlops.job.active.foreign').includes('mlops.job.requeue'));
    assert.equal(jobContext({ state: 'completed', ours: true, user: 'root' }, 'root'), 'mlops.job.ended.ours');
    assert.match(v.tooltip!, /Owner: ann · partition gpu/);
  });

  it('history: the completion log, newest first, said as such; an array task is not listed twice', () => {
    const s = snapshot();
    const done = finishedJobs(s);
    assert.equal(done.length, s.history.length, 'every ended job of the queue is already in the completion log');
    assert.deepEqual(done.slice(0, 5).map((r) => r.jobId), ['15', '14', '13', '12', '5']);
    const failed = done.find((r) => r.jobId === '7')!;
    assert.ok('source' in failed);
    const v = recordView(l10n, failed);
    assert.deepEqual([v.label, v.description, v.icon, v.contextValue], ['7 fails', 'failed · exit 3 · 0s', 'error', 'mlops.jobRecord']);
    assert.match(v.tooltip!, /From the completion log \(no memory figures\)\./);
    const timeout = recordView(l10n, done.find((r) => r.jobId === '5') as never);
    assert.equal(timeout.description, 'timeout · 1m 04s');
    const g = groupViews(l10n, s);
    assert.deepEqual([g.partitions.description, g.jobs.description, g.history.description], ['2', '2 running · 2 pending', 'completion log']);
  });

  it('without a completion log the ended jobs Slurm still remembers stand in, and say so', () => {
    const s = snapshot({ history: [], historySource: 'none' });
    const done = finishedJobs(s);
    assert.deepEqual(done.map((j) => j.jobId).slice(0, 3), ['5', '11', '10']);
    assert.ok(done.every((j) => !('source' in j)));
    assert.equal(groupViews(l10n, s).history.description, 'ended jobs Slurm still remembers');
    assert.equal(groupViews(l10n, { ...s, jobs: [] }).jobs.description, 'none');
  });

  it('a cluster: its Slurm name and version, or unreachable with the reason in the tooltip', () => {
    assert.deepEqual(clusterView(l10n, 'hpc', 'login1', snapshot(), undefined).description, 'test · Slurm 22.05.8');
    const down = clusterView(l10n, 'hpc', 'login1', snapshot(), 'login1: timed out after 35000 ms');
    assert.deepEqual([down.description, down.color], ['unreachable', 'errorForeground']);
    assert.equal(down.tooltip, 'login1\n\nlogin1: timed out after 35000 ms');
    assert.equal(clusterView(l10n, 'hpc', 'login1', undefined, undefined).description, 'not connected');
  });

  it('a read that failed says what to do next: the error’s own step, else how to reach the login host', () => {
    assert.equal(clusterErrorText(l10n, 'login1', 'sinfo failed: x.', 'Check that slurmctld answers.'), 'sinfo failed: x. Check that slurmctld answers.');
    assert.equal(
      clusterErrorText(l10n, 'login1', 'connect ECONNREFUSED 10.0.0.5:22', undefined),
      'connect ECONNREFUSED 10.0.0.5:22 Check that the login host login1 answers (ssh login1 in a terminal) and that your key or agent is loaded, then run MLOps: Refresh Jobs.',
    );
    // A Ray cluster is reached through its dashboard: its errors carry their own steps.
    assert.equal(clusterErrorText(l10n, 'head', 'socket hang up', undefined, true), 'socket hang up');
  });
});

describe('mlops.clusters and the submit answers', () => {
  it('reads the setting: malformed entries dropped, the first of a name wins, lines trimmed', () => {
    const c = clusterSettings([
      { name: ' hpc ', host: 'login1', remoteRoot: '/home/ann/proj', partition: 'gpu', sbatchOptions: ['--constraint=ib', 3, ''], setup: ['module load cuda', null] },
      { name: 'hpc', host: 'other' },
      { name: 'no-host' },
      'junk',
      null,
      { name: 'small', host: 'login2', account: '  ', sharedFilesystem: true },
    ]);
    assert.deepEqual(c, [
      { name: 'hpc', host: 'login1', remoteRoot: '/home/ann/proj', partition: 'gpu', sbatchOptions: ['--constraint=ib'], setup: ['module load cuda'], sharedFilesystem: false },
      { name: 'small', host: 'login2', sbatchOptions: [], setup: [], sharedFilesystem: true },
    ]);
    assert.deepEqual(clusterSettings('nope'), []);
  });

  it('turns the answers into a plan whose script asks for what was typed', () => {
    const [cluster] = clusterSettings([{ name: 'hpc', host: 'login1', partition: 'gpu', account: 'proj1', setup: ['module load cuda'], sbatchOptions: ['--constraint=ib'] }]);
    const plan = planFromAnswers(cluster, { command: 'python train.py --lr 0.1 | tee log', cwd: '/home/ann/p', gpus: 'A100:2', cpus: '4', memory: '16g', timeLimit: '02:00:00' });
    assert.equal(plan.name, 'train.py');
    assert.deepEqual(plan.command, ['bash', '-c', 'python train.py --lr 0.1 | tee log']);
    const script = renderBatchScript(plan, { knownGpuTypes: ['a100'] });
    for (const line of ['#SBATCH --partition=gpu', '#SBATCH --account=proj1', '#SBATCH --gres=gpu:a100:2', '#SBATCH --cpus-per-task=4', '#SBATCH --mem=16G', '#SBATCH --time=02:00:00', '#SBATCH --constraint=ib', 'module load cuda', "exec bash -c 'python train.py --lr 0.1 | tee log'"]) {
      assert.ok(script.split('\n').includes(line), `no line "${line}" in\n${script}`);
    }
    // A partition chosen in the question wins over the setting's; empty answers ask for nothing.
    const other = planFromAnswers(cluster, { command: 'true', cwd: '/x', partition: 'debug', gpus: '', cpus: ' ' });
    assert.deepEqual(other.resources, { partition: 'debug', account: 'proj1' });
  });

  it('a run from a view keeps its argv, adds its setup after the cluster\'s, and carries its grid', () => {
    const [cluster] = clusterSettings([{ name: 'hpc', host: 'login1', setup: ['module load cuda'] }]);
    const array = { combinations: [{ a: '1' }, { a: '2' }], flag: '-S' };
    const plan = planFromAnswers(cluster, { command: '', cwd: '/p', gpus: 'a100' }, { name: 'exp', argv: ['dvc', 'exp', 'run'], array, setup: ['git init -q'] });
    assert.deepEqual([plan.name, plan.command, plan.setup, plan.array], ['exp', ['dvc', 'exp', 'run'], ['module load cuda', 'git init -q'], array]);
  });

  it('refuses what the script could not carry, with the reason the input box shows', () => {
    assert.match(checkAnswer('gpus', 'A100:x')!, /not a GPU request/);
    assert.match(checkAnswer('cpus', '0')!, /whole number of CPUs/);
    assert.match(checkAnswer('memory', 'lots')!, /not a size/);
    assert.match(checkAnswer('timeLimit', '1:2:3:4')!, /time limit/);
    assert.match(checkAnswer('cwd', 'relative/dir')!, /absolute/);
    assert.equal(checkAnswer('gpus', ''), undefined);
    assert.throws(() => planFromAnswers(clusterSettings([{ name: 'a', host: 'b' }])[0], { command: '  ', cwd: '/x' }), /command is empty/);
    assert.throws(() => planFromAnswers(clusterSettings([{ name: 'a', host: 'b' }])[0], { command: 'x', cwd: '/x', partition: 'gpu\n#SBATCH --uid=0' }), /not a valid name/);
    assert.equal(jobNameOf('python3 -u scripts/train.py --x 1'), 'train.py');
    assert.equal(jobNameOf('CUDA_VISIBLE_DEVICES=0 ./run.sh'), 'run.sh');
    assert.equal(jobNameOf(`python -c "print('hello')"`), 'python');
    assert.equal(jobNameOf('python3 -u -m pkg.train --epochs 2'), 'pkg.train');
    assert.equal(jobNameOf("bash -c 'echo hi'"), 'bash');
  });
});

describe('Jobs view: kept lists and the shell command', () => {
  const base = (over: Partial<ClusterSnapshot> = {}): ClusterSnapshot => ({ user: 'me', partitions: [], jobs: [], history: [], historySource: 'sacct', warnings: [], ...over });
  const job = { id: '7', jobId: '7', name: 'train', user: 'me', state: 'running' as const, raw: 'RUNNING', partition: 'gpu', nodeList: 'n1', ours: true };

  it('a failed squeue keeps the last good jobs, dated; a good answer replaces them; an empty good answer stays empty', () => {
    const prev = base({ jobs: [job] });
    const down = base({ warnings: [{ part: 'jobs', message: 'squeue failed: Unable to contact slurm controller' }] });
    const shown = keepLastGood(l10n, prev, down, '12:00:00');
    assert.deepEqual(shown.jobs, [job]);
    assert.deepEqual(shown.warnings.map((w) => w.message), ['squeue failed: Unable to contact slurm controller', 'showing the jobs as they were at 12:00:00']);
    assert.deepEqual(keepLastGood(l10n, prev, base(), '12:00:00').jobs, []);
    assert.equal(keepLastGood(l10n, undefined, down, '12:00:00'), down);
  });

  it('the shell argv: the host as the host layer knows it, the job id checked, one quoted remote command', () => {
    const host = { name: 'hpc', hostName: 'login1', port: 2200, user: 'ann', identityFiles: ['/k/id'], identitiesOnly: true, proxyJump: [{ alias: 'bastion', hostName: 'gw', port: 22, user: 'ann', identityFiles: [] }], source: 'ssh-config' as const };
    assert.deepEqual(jobShellArgv(host, '123', '/kh'), [
      'ssh', '-tt', '-o', 'BatchMode=yes', '-o', 'UserKnownHostsFile=/kh', '-o', 'StrictHostKeyChecking=yes', '-p', '2200', '-i', '/k/id', '-o', 'IdentitiesOnly=yes', '-J', 'ann@gw', '-l', 'ann', '--', 'login1', 'srun --jobid 123 --overlap --pty bash',
    ]);
    assert.throws(() => jobShellArgv(host, '1; rm -rf ~', '/kh'), /not a Slurm job id/);
  });
});
