// The Jobs view's model against a real Slurm (scripts/components/slurm.sh), reached as a
// login node through the test sshd: a job submitted through the code path of *Submit
// Command to Cluster…* (mlops.clusters entry → answers → plan → the backend's script) is
// seen in the view's nodes built from real snapshots — pending or running under My jobs,
// then under History from accounting or the completion log — and its output is read the way
// *Show Job Output* reads it. No fixed sleeps: each wait polls with a deadline.
import { strict as assert } from 'node:assert';
import { randomBytes } from 'node:crypto';
import type { SshHostConnection } from '../../../src/core/hosts/hostConnection';
import { SlurmBackend } from '../../../src/core/jobs/slurm/slurmBackend';
import type { ClusterSnapshot, RemoteExec } from '../../../src/core/jobs/types';
import { clusterSettings, planFromAnswers, type ClusterSetting } from '../../../src/extension/jobs/clusterSettings';
import { readJobOutput } from '../../../src/extension/jobs/jobOutput';
import { activeJobs, finishedJobs, groupViews, jobView, partitionView, recordView, type L10n } from '../../../src/extension/jobs/jobsModel';
import { requireComponent, sshTestHost, waitFor, type SlurmComponent } from '../harness';

const l10n: L10n = { t: (m, ...args) => m.replace(/\{(\d+)\}/g, (_, i: string) => String(args[Number(i)])) };

describe('Jobs view model on a real Slurm (submit through the command’s path, then the view’s nodes)', function () {
  this.timeout(180000);
  let conn: SshHostConnection;
  let slurm: SlurmComponent;
  let backend: SlurmBackend;
  let cluster: ClusterSetting;
  let dir = '';
  const submitted: string[] = [];
  /** How long each refresh's one snapshot took (logged: the view's refresh cost on this cluster). */
  const snapMs: number[] = [];

  const snap = async (): Promise<ClusterSnapshot> => {
    const t = Date.now();
    const s = await backend.snapshot();
    snapMs.push(Date.now() - t);
    return s;
  };

  before(async function () {
    const ssh = requireComponent(this, 'ssh');
    slurm = requireComponent(this, 'slurm');
    conn = sshTestHost(ssh);
    const exec: RemoteExec = (argv, opts) => conn.exec(argv, opts);
    backend = new SlurmBackend(exec);
    dir = `/tmp/mlops-test/slurm-jobs/view ${process.pid}-${randomBytes(3).toString('hex')}`;
    assert.equal((await conn.exec(['mkdir', '-p', dir])).code, 0);
    // As a user writes it in settings.json; the host name is the view's business, not the backend's.
    [cluster] = clusterSettings([{ name: 'test', host: 'login', remoteRoot: dir, partition: slurm.partition, setup: ['export GREETING=hello'] }]);
  });

  after(async () => {
    const sorted = [...snapMs].sort((a, b) => a - b);
    if (sorted.length) console.log(`      ${sorted.length} snapshots: median ${sorted[sorted.length >> 1]} ms, max ${sorted[sorted.length - 1]} ms`);
    if (submitted.length && conn) await conn.exec(['scancel', ...submitted]).catch(() => undefined);
    conn?.dispose();
  });

  it('a submitted job shows under My jobs (ours, running on the node with elapsed / limit), then under History from accounting or the completion log', async () => {
    const plan = planFromAnswers(cluster, { command: 'echo "$GREETING from $SLURM_JOB_ID" && sleep 6', cwd: cluster.remoteRoot!, gpus: 'A100:1', cpus: '1', memory: '100M', timeLimit: '2' });
    // What the command shows in the editor is what is submitted.
    await snap(); // the backend learns the cluster's GRES spelling, as the view's first refresh does
    const shown = backend.render(plan);
    const t0 = Date.now();
    const { jobId, script } = await backend.submit(plan);
    submitted.push(jobId);
    assert.equal(script, shown);
    assert.ok(script.includes('#SBATCH --gres=gpu:a100:1\n'), script);

    // Visible in the very next refresh.
    const first = await snap();
    const visibleMs = Date.now() - t0;
    const mine = activeJobs(first).find((j) => j.jobId === jobId);
    assert.ok(mine, `job ${jobId} is not under My jobs right after submit`);
    const v0 = jobView(l10n, mine, first.user);
    assert.equal(v0.label, `${jobId} echo`);
    // Pending, or already started on the idle node: the running state adds its suffix (Open Shell).
    assert.match(v0.contextValue ?? '', /^mlops\.job\.active\.ours(\.running)?$/);
    assert.match(v0.description!, /^(pending( \(\w+\))?|running on \S+ · \d+s \/ 2m 00s)$/);
    console.log(`      submit → visible in the view's next snapshot: ${visibleMs} ms`);

    // Running: on the node, with elapsed / limit, and its GPU counted as used in its partition.
    let running: ClusterSnapshot | undefined;
    await waitFor(async () => ((running = await snap()), activeJobs(running).some((j) => j.jobId === jobId && j.state === 'running')), 60000, `job ${jobId} running`);
    const job = activeJobs(running!).find((j) => j.jobId === jobId)!;
    assert.match(jobView(l10n, job, running!.user).description!, new RegExp(`^running on ${slurm.node} · \\d+s / 2m 00s$`));
    const part = running!.partitions.find((p) => p.name === slurm.partition)!;
    const free = /a100 (\d)\/2 free/.exec(partitionView(l10n, part).description!);
    assert.ok(free && Number(free[1]) <= 1, `our job holds one of the two GPUs: ${partitionView(l10n, part).description}`);
    assert.match(groupViews(l10n, running!).jobs.description!, /^\d+ running · \d+ pending$/);

    // Finished: from the history (accounting where slurmdbd runs, else the completion log), said as such.
    let done: ClusterSnapshot | undefined;
    await waitFor(async () => ((done = await snap()), done.history.some((h) => h.jobId === jobId)), 60000, `job ${jobId} in the history`);
    const accounting = done!.historySource === 'sacct';
    assert.ok(!activeJobs(done!).some((j) => j.jobId === jobId), 'a finished job left My jobs');
    const rec = finishedJobs(done!).find((r) => r.jobId === jobId);
    assert.ok(rec && 'source' in rec, 'the finished job is listed from the history');
    const rv = recordView(l10n, rec);
    assert.equal(rv.label, `${jobId} echo`);
    assert.match(rv.description!, accounting ? /^completed · \d+s · max RSS [\d.]+ MB$/ : /^completed · \d+s$/);
    assert.match(rv.tooltip!, accounting ? /From accounting \(sacct\)/ : /From the completion log/);
    assert.equal(groupViews(l10n, done!).history.description, accounting ? 'accounting' : 'completion log');

    // Show Job Output: the path Slurm reports, read over the same connection.
    const { stdout } = await backend.logPaths(jobId);
    assert.ok(stdout, 'Slurm reports where the output went');
    assert.equal(await readJobOutput(l10n, (argv, opts) => conn.exec(argv, opts), stdout), `hello from ${jobId}\n`);
    // A file larger than the limit comes back as its end, said as such.
    const cut = await readJobOutput(l10n, (argv, opts) => conn.exec(argv, opts), stdout, 6);
    assert.equal(cut, `[the last 0.0 MB of 0.0 MB; the whole file is ${stdout} on the cluster]\n${`hello from ${jobId}\n`.slice(-6)}`);
    await assert.rejects(readJobOutput(l10n, (argv, opts) => conn.exec(argv, opts), `${dir}/missing.out`), /Could not read .*missing\.out/);
  });

  it('a job submitted by hand is listed but marked not ours, so the menus ask before cancelling it', async () => {
    const id = (await conn.exec(['sh', '-c', `cd /tmp && sbatch --parsable -J by-hand-view -o /dev/null --wrap 'sleep 300'`])).stdout.trim();
    assert.match(id, /^\d+$/);
    submitted.push(id);
    const s = await snap();
    const j = s.jobs.find((x) => x.jobId === id);
    assert.ok(j, `job ${id} is not listed`);
    const v = jobView(l10n, j, s.user);
    // Pending, or already running on the idle test node (the running state adds its suffix).
    assert.match(v.contextValue ?? '', /^mlops\.job\.active\.foreign(\.running)?$/);
    assert.match(v.description!, / · not from MLOps$/);
    assert.match(v.tooltip!, /cancelling it asks for confirmation naming its owner/);
  });
});
