// Job history through accounting, on the real test Slurm with slurmdbd and MariaDB
// (scripts/components/slurmdbd.sh), reached as a login node through the test sshd: jobs
// that complete, fail and are cancelled (and one of another user) are read back by our
// batched snapshot and compared with Slurm's own `sacct` rows, field by field. Then requeue,
// a shell on the job's node, everyone's jobs read-only, and the view with slurmctld down.
// No fixed sleeps: each wait polls with a deadline.
import { strict as assert } from 'node:assert';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { isDeepStrictEqual } from 'node:util';
import type { SshHostConnection } from '../../../src/core/hosts/hostConnection';
import { NotOurJobError, SlurmBackend } from '../../../src/core/jobs/slurm/slurmBackend';
import type { ClusterJob, ClusterSnapshot, JobRecord, RunPlan } from '../../../src/core/jobs/types';
import { jobShellArgv } from '../../../src/extension/jobs/jobShell';
import { groupViews, jobContext, keepLastGood, recordView, type L10n } from '../../../src/extension/jobs/jobsModel';
import { accountingMissing, requireComponent, requireOrSkip, sshTestHost, waitFor, withSlurmctldDown, type SlurmComponent, type SshComponent } from '../harness';

const l10n: L10n = { t: (m, ...args) => m.replace(/\{(\d+)\}/g, (_, i: string) => String(args[Number(i)])) };

/** `00:01:20`, `1-02:03:04` → seconds (sacct's Elapsed). */
function elapsed(text: string): number {
  const m = /^(?:(\d+)-)?(\d+):(\d+):(\d+)$/.exec(text);
  assert.ok(m, `sacct Elapsed "${text}"`);
  return Number(m[1] ?? 0) * 86400 + Number(m[2]) * 3600 + Number(m[3]) * 60 + Number(m[4]);
}

describe('Job history from sacct (real slurmdbd + MariaDB, our SSH connection)', function () {
  this.timeout(240000);
  let ssh: SshComponent;
  let slurm: SlurmComponent;
  let conn: SshHostConnection;
  let backend: SlurmBackend;
  let dir = '';
  const submitted: string[] = [];
  const ids: Record<string, string> = {};

  const sh = async (command: string) => conn.exec(['sh', '-c', command]);
  const plan = (name: string, command: string[], extra: Partial<RunPlan> = {}): RunPlan => ({ name, command, cwd: dir, resources: { cpus: 1, ...extra.resources }, ...extra });
  const submit = async (p: RunPlan) => {
    const { jobId } = await backend.submit(p);
    submitted.push(jobId);
    return jobId;
  };
  const queued = async (id: string): Promise<ClusterJob | undefined> => (await backend.listJobs()).find((j) => j.id === id);
  const history = async (opts = {}): Promise<ClusterSnapshot> => backend.snapshot(opts);
  /** Slurm's own rows for the jobs, by job id, with their step rows: `sacct --parsable2` as a user would ask. */
  const sacctRows = async (jobIds: string[]) => {
    const fmt = 'JobID,JobName,User,State,ExitCode,Elapsed,Start,End,MaxRSS,Partition,AllocTRES,Comment';
    const r = await sh(`sacct --parsable2 --noheader -a --format=${fmt} -j ${jobIds.join(',')}`);
    assert.equal(r.code, 0, r.stderr);
    const rows = r.stdout.trim().split('\n').map((l) => Object.fromEntries(fmt.split(',').map((k, i) => [k, l.split('|')[i]])));
    return (id: string) => ({ job: rows.find((x) => x.JobID === id)!, steps: rows.filter((x) => x.JobID.startsWith(`${id}.`)) });
  };

  before(async function () {
    ssh = requireComponent(this, 'ssh');
    slurm = requireComponent(this, 'slurm');
    requireOrSkip(this, accountingMissing(slurm));
    conn = sshTestHost(ssh);
    // The running cluster, not only components.json: another checkout's older slurm.sh may
    // have restarted it without accounting since.
    const live = await sh('scontrol show config | grep ^AccountingStorageType');
    requireOrSkip(this, /slurmdbd/.test(live.stdout) ? undefined : `slurmdbd: the running Slurm has ${live.stdout.trim() || 'no accounting'} (restart it with bash scripts/components/up.sh from this checkout)`);
    backend = new SlurmBackend((argv, opts) => conn.exec(argv, opts));
    dir = `/tmp/mlops-test/slurm-jobs/sacct ${process.pid}-${randomBytes(3).toString('hex')}`;
    assert.equal((await conn.exec(['mkdir', '-p', dir])).code, 0);
  });

  after(async () => {
    if (submitted.length && conn) await conn.exec(['scancel', ...submitted]).catch(() => undefined);
    conn?.dispose();
  });

  it('completed, failed and cancelled jobs (and another user’s) come back from sacct as Slurm’s own rows say, field by field', async () => {
    ids.ok = await submit(plan('uses memory', ['python3', '-c', 'x = bytearray(60 * 1024 * 1024); import time; time.sleep(2)']));
    ids.fails = await submit(plan('fails', ['sh', '-c', 'exit 3']));
    ids.cancelled = await submit(plan('cancel me', ['sleep', '300']));
    // Another user's job: root may submit as someone else (sbatch --uid in 22.05).
    const theirs = await sh(`cd /tmp && sbatch --uid=nobody --parsable -J theirs -o /dev/null --wrap 'sleep 1'`);
    assert.equal(theirs.code, 0, theirs.stderr);
    ids.theirs = theirs.stdout.trim();
    submitted.push(ids.theirs);
    await waitFor(async () => (await queued(ids.cancelled))?.state === 'running', 60000, `job ${ids.cancelled} running`);
    await backend.cancel(ids.cancelled);
    // Out of memory: not on this cluster. It needs task/cgroup (no cgroups here), or
    // OverMemoryKill with memory as a consumable resource; see REAL-COMPONENTS.md.
    console.log('      (no OUT_OF_MEMORY job: the test cluster has no cgroup task plugin)');

    const mine = [ids.ok, ids.fails, ids.cancelled];
    let snap: ClusterSnapshot | undefined;
    // Accounting writes a job's row first and its steps' figures a moment later: wait for the 60 MB job's MaxRSS too.
    const done = (s: ClusterSnapshot) => mine.every((id) => s.history.some((h) => h.jobId === id)) && s.history.some((h) => h.jobId === ids.ok && h.maxRssBytes !== undefined);
    await waitFor(async () => ((snap = await history()), done(snap)), 90000, `jobs ${mine.join(', ')} in sacct`);
    assert.equal(snap!.historySource, 'sacct');
    assert.deepEqual(snap!.warnings, []);
    assert.deepEqual(snap!.history.filter((h) => h.user !== 'root').map((h) => [h.jobId, h.user]), [], "only the user's own history by default");

    await waitFor(async () => (await history({ allUsers: true })).history.some((h) => h.jobId === ids.theirs), 60000, `job ${ids.theirs} of nobody in sacct -a`);
    const ref = await sacctRows([...mine, ids.theirs]);
    // Read after Slurm's own rows: what we compare is at least as new as the reference.
    const all = [...(await history()).history, ...(await history({ allUsers: true })).history];
    for (const id of [...mine, ids.theirs]) {
      const ours = all.find((h) => h.jobId === id)!;
      const { job, steps } = ref(id);
      assert.ok(job, `sacct has no row for ${id}`);
      const maxRss = steps.map((s) => s.MaxRSS).filter(Boolean).map((v) => {
        assert.match(v, /^\d+K$/, 'this sacct prints MaxRSS in K');
        return Number(v.slice(0, -1)) * 1024;
      });
      assert.deepEqual(
        {
          JobID: ours.jobId,
          JobName: ours.name,
          User: ours.user,
          State: ours.raw,
          ExitCode: `${ours.exitCode}:${ours.signal ?? 0}`,
          Elapsed: ours.elapsedSec,
          Start: ours.startTime,
          End: ours.endTime,
          MaxRSS: ours.maxRssBytes,
          Partition: ours.partition,
          AllocTRES: ours.tres,
          Comment: ours.ours,
        },
        {
          JobID: job.JobID,
          JobName: job.JobName,
          User: job.User,
          State: job.State,
          ExitCode: job.ExitCode,
          Elapsed: elapsed(job.Elapsed),
          Start: job.Start,
          End: job.End,
          MaxRSS: maxRss.length ? Math.max(...maxRss) : undefined,
          Partition: job.Partition,
          AllocTRES: job.AllocTRES,
          Comment: job.Comment === 'mlops-workbench',
        },
        `job ${id}`,
      );
    }
    const byId = (id: string) => all.find((h) => h.jobId === id)!;
    assert.deepEqual(
      [ids.ok, ids.fails, ids.cancelled, ids.theirs].map((id) => [byId(id).state, byId(id).exitCode, byId(id).user]),
      [
        ['completed', 0, 'root'],
        ['failed', 3, 'root'],
        ['cancelled', 0, 'root'],
        ['completed', 0, 'nobody'],
      ],
    );
    assert.match(byId(ids.cancelled).raw, /^CANCELLED by 0$/);
    assert.ok(byId(ids.ok).maxRssBytes! > 60 * 1024 * 1024, `the 60 MB job's MaxRSS is ${byId(ids.ok).maxRssBytes}`);

    // As the view shows them.
    const v = recordView(l10n, byId(ids.ok), 'root');
    assert.match(v.description!, /^completed · \d+s · max RSS \d+ MB$/);
    assert.match(v.tooltip!, /From accounting \(sacct\)\./);
    assert.equal(recordView(l10n, byId(ids.fails), 'root').description, `failed · exit 3 · ${byId(ids.fails).elapsedSec}s`);
    assert.match(recordView(l10n, byId(ids.theirs), 'root').description!, /^by nobody · completed/);
    assert.equal(groupViews(l10n, snap!).history.description, 'accounting');
  });

  it('a refresh that lists job rows only and asks for the steps of new jobs alone gives what a full read gives, after new jobs finish', async () => {
    const calls: Array<{ who: string; mode: string; ranges: string; stdout: string }> = [];
    const cached = new SlurmBackend(
      async (argv, opts) => {
        const r = await conn.exec(argv, opts);
        calls.push({ who: argv[5], mode: argv[9], ranges: argv[10], stdout: r.stdout });
        return r;
      },
      { historyCache: { fullEvery: 1000 } },
    );
    const full = () => new SlurmBackend((argv, opts) => conn.exec(argv, opts)).snapshot();
    await cached.snapshot();
    await cached.snapshot();
    assert.deepEqual(calls.map((c) => c.mode), ['full', 'known']);
    assert.ok(calls[1].ranges.length > 0, 'the second read names the jobs it has');

    const fresh = [await submit(plan('new, uses memory', ['python3', '-c', 'x = bytearray(40 * 1024 * 1024); import time; time.sleep(1)'])), await submit(plan('new, fails', ['sh', '-c', 'exit 4']))];
    // Waited for with full reads, until the steps' MaxRSS is in too: the cached backend sees the jobs only then.
    await waitFor(
      async () => {
        const h = (await full()).history;
        return fresh.every((id) => h.some((x) => x.jobId === id)) && h.find((x) => x.jobId === fresh[0])!.maxRssBytes !== undefined;
      },
      120000,
      `jobs ${fresh.join(', ')} in sacct with their MaxRSS`,
    );
    // Other tests' jobs of this user may end meanwhile: compared where a full read just before and just after agree.
    const compare = async () => {
      for (let i = 0; i < 10; i++) {
        const before = (await full()).history;
        const got = (await cached.snapshot()).history;
        const after = (await full()).history;
        if (isDeepStrictEqual(before, after)) return { got, want: after, call: calls[calls.length - 1] };
      }
      throw new Error('the history kept changing between full reads');
    };
    const mark = calls.length;
    const first = await compare();
    assert.equal(first.call.mode, 'known');
    assert.ok(
      calls.slice(mark).some((c) => / part steps 0 \d+\n/.test(c.stdout) && c.stdout.includes(`${fresh[0]}.batch`)),
      'the steps of the new jobs were asked for',
    );
    assert.deepStrictEqual(first.got, first.want);

    // Their steps have all ended: the next read names them as known (well before the 5 minutes' margin).
    const second = await compare();
    assert.equal(second.call.mode, 'known');
    const named = second.call.ranges.split(',').flatMap((r) => {
      const [a, b = a] = r.split('-').map(Number);
      return Array.from({ length: b - a + 1 }, (_, k) => String(a + k));
    });
    for (const id of fresh) assert.ok(named.includes(id), `job ${id} is named as known`);
    assert.deepStrictEqual(second.got, second.want);
    assert.ok(second.got.find((h) => h.jobId === fresh[0])!.maxRssBytes! > 40 * 1024 * 1024, 'the kept MaxRSS of the 40 MB job');
    assert.equal(second.got.find((h) => h.jobId === fresh[1])!.exitCode, 4);

    // Everyone's jobs are kept apart: showing them and back leaves the user's own kept.
    await cached.snapshot({ allUsers: true });
    await cached.snapshot();
    assert.deepEqual(
      calls.slice(-2).map((c) => [c.who, c.mode]),
      [
        ['all', 'full'],
        ['mine', 'known'],
      ],
    );
  });

  it('the history is capped at the jobs asked for, the newest kept', async () => {
    const s = await history({ historyLimit: 2 });
    const full = await history();
    assert.deepEqual(
      s.history.map((h: JobRecord) => h.jobId),
      full.history.slice(-2).map((h) => h.jobId),
    );
  });

  it('requeue puts a running job of ours back in the queue; another user’s is refused', async () => {
    const id = await submit(plan('requeue me', ['sleep', '300']));
    await waitFor(async () => (await queued(id))?.state === 'running', 60000, `job ${id} running`);
    await backend.requeue(id);
    // Requeued: it leaves the node and waits (BeginTime: Slurm holds a requeued job a moment), then runs again.
    let j: ClusterJob | undefined;
    await waitFor(async () => ((j = await queued(id)), j?.state === 'pending' || (j?.state === 'running' && j.startTime !== undefined)), 30000, `job ${id} requeued`);
    const ctl = await sh(`scontrol -o show job ${id}`);
    assert.match(ctl.stdout, /Restarts=1\b/);
    await waitFor(async () => (await sh(`sacct -n -X -D -P -j ${id} -o State`)).stdout.includes('REQUEUED'), 30000, `sacct to record job ${id} as REQUEUED`);

    const other = await sh(`cd /tmp && sbatch --uid=nobody --parsable -J theirs-long -o /dev/null --wrap 'sleep 300'`);
    const otherId = other.stdout.trim();
    submitted.push(otherId);
    await assert.rejects(backend.requeue(otherId), (e: unknown) => e instanceof NotOurJobError && e.owner === 'nobody');
    const listed = (await history({ allUsers: true })).jobs.find((x) => x.jobId === otherId)!;
    assert.match(jobContext(listed, 'root'), /^mlops\.job\.active\.other/);
    // The node has 2 CPUs: free them for the next tests.
    await sh(`scancel ${id} ${otherId}`);
  });

  it('Open Shell on Job Node: ssh -tt … srun --jobid --overlap --pty bash lands inside the running job, on its node', async () => {
    const id = await submit(plan('hold a node', ['sleep', '300']));
    await waitFor(async () => (await queued(id))?.state === 'running', 60000, `job ${id} running`);
    const argv = jobShellArgv({ name: 'login', hostName: ssh.host, port: ssh.port, user: ssh.username, identityFiles: [ssh.privateKeyPath], identitiesOnly: true, proxyJump: [], source: 'settings' }, id, ssh.knownHostsPath);
    const marker = `in-${randomBytes(3).toString('hex')}`;
    const out = await new Promise<string>((resolve, reject) => {
      const p = spawn(argv[0], argv.slice(1), { stdio: ['pipe', 'pipe', 'pipe'] });
      let text = '';
      p.stdout.on('data', (d: Buffer) => {
        text += d.toString();
        // Typed once the shell is there (its prompt), as a user would.
        if (!p.stdin.writableEnded && /[#$] $/m.test(text)) p.stdin.end(`echo ${marker}:$SLURM_JOB_ID:$(hostname -s)\nexit\n`);
      });
      p.stderr.on('data', (d: Buffer) => (text += d.toString()));
      const timer = setTimeout(() => (p.kill(), reject(new Error(`no shell after 60 s: ${text}`))), 60000);
      p.on('close', () => (clearTimeout(timer), resolve(text)));
    });
    assert.match(out, new RegExp(`${marker}:${id}:${slurm.node}`));
    await sh(`scancel ${id}`);
  });

  it('slurmctld down: squeue’s error is shown, the jobs of the last answer stay, the history still comes from slurmdbd; slurmctld comes back', async () => {
    const id = await submit(plan('outlives the controller', ['sleep', '300']));
    await waitFor(async () => (await queued(id))?.state === 'running', 60000, `job ${id} running`);
    const good = await history();
    assert.ok(good.jobs.some((j) => j.jobId === id));
    await withSlurmctldDown(slurm, async () => {
      const down = await history();
      const said = down.warnings.map((w) => `${w.part}: ${w.message}`).join('\n');
      assert.match(said, /^jobs: squeue failed: .*Unable to contact slurm controller/m);
      assert.deepEqual(down.jobs, []);
      // The view: the last good jobs stay, dated; the history is the accounting's, fresh.
      const shown = keepLastGood(l10n, good, down, '12:00:00');
      assert.ok(shown.jobs.some((j) => j.jobId === id), 'the running job stays listed');
      assert.ok(shown.warnings.some((w) => w.part === 'jobs' && w.message === 'showing the jobs as they were at 12:00:00'));
      assert.equal(down.historySource, 'sacct');
      assert.ok(down.history.some((h) => h.jobId === ids.fails), 'sacct answers without slurmctld');
    });
    const back = await sh('squeue -h -o %i');
    assert.equal(back.code, 0, back.stderr);
    assert.ok(back.stdout.split('\n').includes(id), 'the job survived the controller restart');
  });
});
