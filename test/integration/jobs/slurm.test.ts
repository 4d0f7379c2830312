// The Slurm backend against a real Slurm (scripts/components/slurm.sh: slurmctld + slurmd,
// one node with gpu:a100:2), reached as a login node through the test sshd with our own
// SSH connection. Every answer of ours is compared with what Slurm's own commands print
// for the same job, field by field. No fixed sleeps: each wait polls with a deadline.
import { strict as assert } from 'node:assert';
import { randomBytes } from 'node:crypto';
import type { SshHostConnection } from '../../../src/core/hosts/hostConnection';
import { NotOurJobError, SlurmBackend, SubmitRefusedError } from '../../../src/core/jobs/slurm/slurmBackend';
import type { ClusterJob, RunPlan } from '../../../src/core/jobs/types';
import { requireComponent, sshTestHost, waitFor, withSlurmctldDown, type SlurmComponent } from '../harness';

/** `scontrol show job N` as people read it (one Key=Value per word; path lines whole). */
function scontrolReference(text: string): Map<string, string>[] {
  return text
    .split(/\n\s*\n/)
    .filter((b) => b.includes('JobId='))
    .map((block) => {
      const kv = new Map<string, string>();
      for (const line of block.split('\n')) {
        const whole = /^\s*(WorkDir|StdErr|StdIn|StdOut|Command|Comment)=(.*)$/.exec(line);
        if (whole) kv.set(whole[1], whole[2].trim());
        else for (const w of line.trim().split(/\s+/)) {
          const i = w.indexOf('=');
          if (i > 0) kv.set(w.slice(0, i), w.slice(i + 1));
        }
      }
      return kv;
    });
}

describe('Slurm jobs over SSH (real slurmctld + slurmd, our SSH connection)', function () {
  this.timeout(180000);
  let conn: SshHostConnection;
  let slurm: SlurmComponent;
  let backend: SlurmBackend;
  let execs = 0;
  let dir = '';
  let timeoutJob = '';
  const submitted: string[] = [];
  /** Where the cluster's history comes from: sacct where slurmdbd runs, else the completion log. */
  let historySource: 'sacct' | 'jobcomp' = 'jobcomp';

  const sh = async (command: string) => conn.exec(['sh', '-c', command]);
  const plan = (name: string, command: string[], extra: Partial<RunPlan> = {}): RunPlan => ({ name, command, cwd: dir, resources: { cpus: 1, ...extra.resources }, ...extra });
  const submit = async (p: RunPlan) => {
    const { jobId } = await backend.submit(p);
    submitted.push(jobId);
    return jobId;
  };
  const find = async (id: string): Promise<ClusterJob | undefined> => (await backend.listJobs()).find((j) => j.id === id);
  const until = async (id: string, pred: (j: ClusterJob) => boolean, what: string, ms = 60000): Promise<ClusterJob> => {
    let last: ClusterJob | undefined;
    await waitFor(async () => ((last = await find(id)), last !== undefined && pred(last)), ms, `job ${id} ${what} (last seen: ${last?.raw ?? 'absent'})`);
    return last!;
  };
  const reference = async (id: string) => {
    const r = await sh(`scontrol show job ${id}`);
    assert.equal(r.code, 0, r.stderr);
    return scontrolReference(r.stdout);
  };
  const readRemote = async (path: string) => (await conn.exec(['cat', path])).stdout;

  before(async function () {
    const ssh = requireComponent(this, 'ssh');
    slurm = requireComponent(this, 'slurm');
    conn = sshTestHost(ssh);
    backend = new SlurmBackend((argv, opts) => (execs++, conn.exec(argv, opts)));
    // The login shell finds the cluster by itself (the sshd's SLURM_CONF, as /etc/slurm on a real login node).
    const probe = await sh('sinfo -h -o %P');
    assert.equal(probe.code, 0, `sinfo over ssh failed: ${probe.stderr}`);
    if ((await sh('scontrol show config')).stdout.includes('accounting_storage/slurmdbd')) historySource = 'sacct';
    // A blank in the folder: the script's #SBATCH paths must survive it.
    dir = `/tmp/mlops-test/slurm-jobs/run ${process.pid}-${randomBytes(3).toString('hex')}`;
    assert.equal((await conn.exec(['mkdir', '-p', dir])).code, 0);
    // Submitted first: a time limit is whole minutes and slurmctld checks it every 30 s,
    // so this one runs alongside the other tests and is looked at last.
    timeoutJob = await submit(plan('limit', ['sleep', '300'], { resources: { timeLimit: '1', cpus: 1 } }));
    // Running before the first test, so the node's CPU counts hold still while they are compared.
    await until(timeoutJob, (j) => j.state === 'running', 'running');
  });

  after(async () => {
    if (submitted.length && conn) await conn.exec(['scancel', ...submitted]).catch(() => undefined);
    conn?.dispose();
  });

  it('lists the partitions with the node and its GPUs per GRES type, as sinfo reports them', async () => {
    const parts = await backend.listPartitions();
    const gpu = parts.find((p) => p.name === slurm.partition);
    assert.ok(gpu, `no partition ${slurm.partition} in ${parts.map((p) => p.name).join(', ')}`);
    assert.equal(gpu.isDefault, true);
    assert.equal(gpu.availability, 'up');
    assert.deepEqual(gpu.gpus, [{ type: 'a100', total: 2, used: 0 }]);
    assert.deepEqual(gpu.nodes.map((n) => [n.name, n.cpusTotal, n.memoryMiB]), [[slurm.node, slurm.cpus, 4000]]);
    const debug = parts.find((p) => p.name === 'debug');
    assert.equal(debug?.maxTimeSec, 600);
    // Slurm's own words, in its classic format.
    const ref = (await sh('sinfo -h -o "%P %a %l %D %G %C"')).stdout.trim().split('\n');
    assert.deepEqual(ref, ['gpu* up infinite 1 gpu:a100:2 ' + `${gpu.nodes[0].cpusAllocated}/${gpu.nodes[0].cpusTotal - gpu.nodes[0].cpusAllocated}/0/2`, 'debug up 10:00 1 gpu:a100:2 ' + `${debug!.nodes[0].cpusAllocated}/${2 - debug!.nodes[0].cpusAllocated}/0/2`]);
  });

  it('submits a job asking for A100:1, sees it (ours) in the queue, then finished, and agrees with scontrol field by field', async () => {
    const id = await submit(plan('hello gpu', ['sh', '-c', 'echo "hello from $SLURM_JOB_ID"; echo "on stderr" >&2'], { resources: { gpus: 'A100:1', cpus: 1, memory: '100M', timeLimit: '5' }, env: { GREETING: "it's" } }));
    assert.match(id, /^\d+$/);
    const seen = await find(id);
    assert.ok(seen, 'the job is not in our listing right after submit');
    assert.equal(seen.ours, true);
    const done = await until(id, (j) => j.state === 'completed', 'completed');
    const [ref] = await reference(id);
    assert.equal(done.jobId, ref.get('JobId'));
    assert.equal(done.name, ref.get('JobName'));
    assert.equal(done.name, 'hello-gpu');
    assert.equal(`${done.user}(0)`, ref.get('UserId'));
    assert.equal(done.raw, ref.get('JobState'));
    assert.equal(done.partition, ref.get('Partition'));
    assert.equal(done.nodeList, ref.get('NodeList'));
    assert.equal(done.workDir, ref.get('WorkDir'));
    assert.equal(done.workDir, dir);
    assert.equal(done.stdoutPath, ref.get('StdOut'));
    assert.equal(done.stderrPath, ref.get('StdErr'));
    assert.equal(done.gpus, ref.get('TresPerNode'));
    assert.equal(done.gpus, 'gres:gpu:a100:1');
    assert.equal(done.timeLimitSec, 300);
    assert.equal(ref.get('TimeLimit'), '00:05:00');
    assert.equal(done.submitTime, ref.get('SubmitTime'));
    assert.equal(done.startTime, ref.get('StartTime'));
    assert.equal(done.endTime, ref.get('EndTime'));
    assert.equal(ref.get('Comment'), 'mlops-workbench');
    assert.equal(await readRemote(done.stdoutPath!), `hello from ${id}\n`);
    assert.equal(await readRemote(done.stderrPath!), 'on stderr\n');
    assert.deepEqual(await backend.logPaths(id), { stdout: done.stdoutPath, stderr: done.stderrPath });
    // squeue's classic format for the same job.
    const sq = (await sh(`squeue -h -j ${id} --states=all -o '%i|%j|%u|%T|%P|%N|%l'`)).stdout.trim();
    assert.equal(sq, `${id}|hello-gpu|root|COMPLETED|${slurm.partition}|${slurm.node}|5:00`);
  });

  it('a failing job ends FAILED with its exit code, in the queue and in the history', async () => {
    const id = await submit(plan('fails', ['sh', '-c', 'exit 3']));
    await until(id, (j) => j.state === 'failed', 'failed');
    const [ref] = await reference(id);
    assert.equal(ref.get('JobState'), 'FAILED');
    assert.equal(ref.get('ExitCode'), '3:0');
    let rec;
    await waitFor(async () => ((rec = (await backend.snapshot()).history.find((h) => h.jobId === id)), rec !== undefined), 20000, `job ${id} in the history`);
    assert.deepEqual(
      { state: rec!.state, raw: rec!.raw, exitCode: rec!.exitCode, workDir: rec!.workDir, source: rec!.source },
      { state: 'failed', raw: 'FAILED', exitCode: 3, workDir: dir, source: historySource },
    );
    assert.equal(rec!.startTime, ref.get('StartTime'));
    assert.equal(rec!.endTime, ref.get('EndTime'));
  });

  it('a parameter grid runs as a job array of 2, one combination per task', async () => {
    const id = await submit(
      plan('grid', ['sh', '-c', 'echo "task $SLURM_ARRAY_TASK_ID: $*"', 'train'], { array: { combinations: [{ lr: '0.1' }, { lr: '0.01' }], flag: '-S' } }),
    );
    const tasks = [`${id}_0`, `${id}_1`];
    for (const t of tasks) await until(t, (j) => j.state === 'completed', 'completed');
    const jobs = (await backend.listJobs()).filter((j) => j.arrayJobId === id);
    assert.deepEqual(jobs.map((j) => j.id).sort(), tasks);
    const refs = await reference(id);
    assert.deepEqual(refs.map((r) => `${r.get('ArrayJobId')}_${r.get('ArrayTaskId')}`).sort(), tasks);
    const outs = await Promise.all(jobs.sort((a, b) => a.id.localeCompare(b.id)).map((j) => readRemote(j.stdoutPath!)));
    assert.deepEqual(outs, ['task 0: -S lr=0.1\n', 'task 1: -S lr=0.01\n']);
  });

  it('cancels a running job of ours (its GPUs show as used until then) and one task of an array; refuses a job it did not submit unless the owner is confirmed', async () => {
    const id = await submit(plan('hold gpus', ['sleep', '300'], { resources: { gpus: 'a100:2', cpus: 1 } }));
    await until(id, (j) => j.state === 'running', 'running');
    const gpu = (await backend.listPartitions()).find((p) => p.name === slurm.partition)!;
    assert.deepEqual(gpu.gpus, [{ type: 'a100', total: 2, used: 2 }]);
    await backend.cancel(id);
    const gone = await until(id, (j) => j.state === 'cancelled', 'cancelled');
    assert.equal(gone.raw, (await reference(id))[0].get('JobState'));

    // One task of an array: the other one goes on.
    const arr = await submit(plan('two sleeps', ['sh', '-c', 'sleep 300', 'sleeper'], { array: { combinations: [{ i: '0' }, { i: '1' }] } }));
    await until(`${arr}_0`, (j) => j.state === 'running', 'running');
    await backend.cancel(`${arr}_1`);
    await until(`${arr}_1`, (j) => j.state === 'cancelled', 'cancelled');
    assert.equal((await find(`${arr}_0`))?.state, 'running');
    assert.equal((await reference(`${arr}_1`))[0].get('JobState'), 'CANCELLED');
    await backend.cancel(arr);
    await until(`${arr}_0`, (j) => j.state === 'cancelled', 'cancelled');

    // Submitted by hand, without our label: not ours to cancel silently.
    const foreign = (await sh(`cd /tmp && sbatch --parsable -J by-hand -o /dev/null --wrap 'sleep 300'`)).stdout.trim();
    submitted.push(foreign);
    await assert.rejects(backend.cancel(foreign), (e: unknown) => e instanceof NotOurJobError && e.owner === 'root');
    assert.notEqual((await find(foreign))?.state, 'cancelled');
    await backend.cancel(foreign, { confirmOwner: 'root' });
    await until(foreign, (j) => j.state === 'cancelled', 'cancelled');
  });

  it('a refused submission gives Slurm its own words (bad partition)', async () => {
    const direct = await sh(`cd /tmp && sbatch --parsable --partition=nope --wrap true`);
    assert.notEqual(direct.code, 0);
    await assert.rejects(backend.submit(plan('refused', ['true'], { resources: { partition: 'nope' } })), (e: unknown) => {
      assert.ok(e instanceof SubmitRefusedError);
      assert.ok(e.message.includes(direct.stderr.trim().split('\n').pop()!), `${e.message} lacks Slurm's "${direct.stderr.trim()}"`);
      assert.match(e.nextStep ?? '', /partition/);
      return true;
    });
  });

  it('one batched command brings partitions, my jobs and the finished ones in one exec', async () => {
    const before = execs;
    const snap = await backend.snapshot();
    assert.equal(execs - before, 1);
    assert.deepEqual(snap.warnings, []);
    assert.equal(snap.user, 'root');
    assert.equal(snap.version, (await sh('sinfo -V')).stdout.trim().replace(/^slurm(-wlm)? /, ''));
    assert.equal(snap.historySource, historySource);
    assert.ok(snap.partitions.some((p) => p.name === slurm.partition));
    for (const id of submitted.slice(0, 2)) assert.ok(snap.jobs.some((j) => j.jobId === id), `job ${id} missing from the snapshot`);
  });

  it('a job past its time limit ends TIMEOUT', async () => {
    const done = await until(timeoutJob, (j) => j.state !== 'pending' && j.state !== 'running' && j.state !== 'completing', 'ended', 150000);
    assert.equal(done.state, 'timeout');
    const [ref] = await reference(timeoutJob);
    assert.equal(ref.get('JobState'), 'TIMEOUT');
    assert.equal(done.timeLimitSec, 60);
  });

  it('with slurmctld down, the snapshot says why for each part and still brings the history', async () => {
    await withSlurmctldDown(slurm, async () => {
      const t0 = Date.now();
      const snap = await backend.snapshot();
      const ms = Date.now() - t0;
      assert.deepEqual([snap.partitions, snap.jobs], [[], []]);
      const said = snap.warnings.map((w) => `${w.part}: ${w.message}`).join('\n');
      assert.match(said, /^partitions: sinfo failed: .*Unable to contact slurm controller/m);
      assert.match(said, /^jobs: squeue failed: .*Unable to contact slurm controller/m);
      assert.ok(snap.history.some((h) => h.jobId === timeoutJob && h.state === 'timeout'), `the ${historySource === 'sacct' ? 'accounting (slurmdbd)' : 'completion log'} is read without the controller`);
      // sinfo and squeue each wait ~10 s for a controller that is gone: side by side, not in turn.
      assert.ok(ms < 15000, `the snapshot took ${ms} ms`);
    });
  });
});
