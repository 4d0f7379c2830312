// The Ray backend against a real 2-node Ray cluster (scripts/components/ray.sh: a head with
// its dashboard and a second node with one logical GPU, from the venv of
// scripts/setup/ray.sh), started by this suite's `before` and stopped by its `after` when it
// started it. Our answers are compared with Ray's own CLI (`ray list nodes`, `ray status -v`,
// `ray job logs`) and Ray's own package hash. No fixed sleeps: each wait polls with a deadline.
import { strict as assert } from 'node:assert';
import { execFile, execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { RayBackend } from '../../../src/core/jobs/ray/rayBackend';
import { RayUnreachableError } from '../../../src/core/jobs/ray/rayHttp';
import type { RayJob } from '../../../src/core/jobs/ray/rayJobs';
import { NotRayDashboardError, RayVersionError } from '../../../src/core/jobs/ray/rayVersion';
import { packProject } from '../../../src/core/jobs/ray/workingDir';
import { NotOurJobError } from '../../../src/core/jobs/slurm/slurmBackend';
import type { RunPlan } from '../../../src/core/jobs/types';
import { startTcpForward } from '../../../src/core/hosts/portForward';
import { clusterSettings } from '../../../src/extension/jobs/clusterSettings';
import { clusterView, type L10n } from '../../../src/extension/jobs/jobsModel';
import { rayPlanFromAnswers } from '../../../src/extension/jobs/rayClusterSettings';
import { rayEndedJobs, rayGroupViews, rayJobView } from '../../../src/extension/jobs/rayModel';
import { examplesGitTree, rayJobEnded, rayJobUntil, rayScript, repoRoot, requireComponent, requireOrSkip, requireRay, sshTestHost, waitFor, type RayComponent } from '../harness';

const l10n: L10n = { t: (m, ...a) => m.replace(/\{(\d+)\}/g, (_, i: string) => String(a[Number(i)])) };

/** Ray's CLI as a user runs it (its own venv, no usage stats prompt). */
function rayCli(ray: RayComponent, args: string[]): Promise<string> {
  return new Promise((resolve, reject) =>
    execFile(ray.rayBin, args, { env: { ...process.env, RAY_USAGE_STATS_ENABLED: '0' }, timeout: 120000, maxBuffer: 64 * 1024 * 1024 }, (err, stdout, stderr) =>
      err ? reject(new Error(`ray ${args.join(' ')}: ${stderr || err.message}`)) : resolve(stdout),
    ),
  );
}

/** `ray status -v`'s per-node usage: node id → resource → [used, total]. */
function statusUsage(text: string): Map<string, Record<string, [number, number]>> {
  const out = new Map<string, Record<string, [number, number]>>();
  let node: Record<string, [number, number]> | undefined;
  for (const line of text.split('\n')) {
    const n = /^Node: ([0-9a-f]+)/.exec(line);
    if (n) out.set(n[1], (node = {}));
    const u = /^\s+([\d.]+)\/([\d.]+) (CPU|GPU)$/.exec(line);
    if (u && node) node[u[3]] = [Number(u[1]), Number(u[2])];
  }
  return out;
}

describe('Ray jobs (real 2-node Ray cluster, its dashboard REST API)', function () {
  this.timeout(240000);
  let ray: RayComponent;
  let backend: RayBackend;
  let project = '';
  const user = `tester-${process.pid}`;
  const peersPython = path.join(repoRoot, '.venv-peers', 'bin', 'python');
  const plan = (name: string, command: string[], extra: Partial<RunPlan> = {}): RunPlan => ({ name, command, cwd: '', resources: {}, localDir: project, ...extra });
  const until = (id: string, pred: (j: RayJob) => boolean, what: string) => rayJobUntil(backend, id, pred, what);

  before(async function () {
    this.timeout(300000);
    ray = await requireRay(this);
    backend = new RayBackend({ address: ray.dashboard, user, name: 'local' });
    // The example project in a git work tree of its own with a nonce: its first upload is new to the cluster.
    project = examplesGitTree(mkdtempSync(path.join(tmpdir(), 'mlops-ray-')), { keepOutputs: true });
  });

  after(async function () {
    this.timeout(120000);
    backend?.dispose();
    if (project) rmSync(project, { recursive: true, force: true });
    if (ray?.startedHere) await rayScript('down');
  });

  it('reads the version and refuses what is not a Ray dashboard, a Jobs API it does not speak, and a port nobody answers', async () => {
    const v = await backend.version();
    assert.equal(`ray, version ${v.rayVersion}`, (await rayCli(ray, ['--version'])).trim().split('\n')[0].replace(/ \(.*$/, ''));
    const serve = async (handler: http.RequestListener) => {
      const server = http.createServer(handler);
      await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
      return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
    };
    const html = await serve((_req, res) => res.writeHead(200, { 'Content-Type': 'text/html' }).end('<h1>hello</h1>'));
    const future = await serve((_req, res) => res.writeHead(200).end(JSON.stringify({ version: '9', ray_version: '9.0.0' })));
    try {
      await assert.rejects(new RayBackend({ address: html.url, user }).snapshot(), (e: Error) => e instanceof NotRayDashboardError && /is not a Ray dashboard/.test(e.message));
      await assert.rejects(new RayBackend({ address: future.url, user }).snapshot(), (e: Error) => e instanceof RayVersionError && /Ray 9\.0\.0/.test(e.message) && /version 4/.test(e.message));
      const port = (future.server.address() as AddressInfo).port;
      await new Promise<void>((r) => future.server.close(() => r()));
      future.server.closeAllConnections();
      await assert.rejects(new RayBackend({ address: `http://127.0.0.1:${port}`, user }).snapshot(), (e: Error) => e instanceof RayUnreachableError && /ECONNREFUSED/.test(e.message));
    } finally {
      html.server.close();
      html.server.closeAllConnections();
      future.server.close();
    }
  });

  it('lists both nodes alive with their CPUs, GPUs and memory as `ray list nodes` and `ray status -v` do', async () => {
    const s = await backend.snapshot();
    assert.equal(s.version, `Ray ${(await backend.version()).rayVersion}`);
    assert.equal(s.partitions.length, 1);
    const nodes = s.partitions[0].nodes;
    const ref = JSON.parse(await rayCli(ray, ['list', 'nodes', '--address', ray.dashboard, '--format', 'json'])) as Array<{ node_id: string; state: string; is_head_node: boolean; resources_total: Record<string, number | string> }>;
    const alive = ref.filter((n) => n.state === 'ALIVE');
    assert.equal(alive.length, ray.nodes);
    assert.equal(nodes.filter((n) => n.state === 'alive').length, alive.length);
    const usage = statusUsage(await rayCli(ray, ['status', '--address', ray.gcsAddress, '-v']));
    for (const r of alive) {
      const ours = nodes.find((n) => n.name.includes(r.node_id.slice(0, 8)));
      assert.ok(ours, `node ${r.node_id} is listed`);
      assert.equal(ours.name.endsWith('(head)'), r.is_head_node);
      assert.equal(ours.cpusTotal, r.resources_total.CPU);
      assert.equal(ours.gpus.reduce((n, g) => n + g.total, 0), Number(r.resources_total.GPU ?? 0));
      assert.ok(ours.memoryMiB > 0);
      assert.deepEqual([ours.cpusAllocated, ours.cpusTotal], usage.get(r.node_id)?.CPU);
    }
    assert.deepEqual(s.partitions[0].gpus.map((g) => [g.used, g.total]), [[0, 1]]);
  });

  it('names the package with Ray\'s own hash of the same files (ray._private.runtime_env.packaging)', async () => {
    const pkg = await packProject(project);
    assert.ok(pkg.files.includes('dvc.yaml') && pkg.files.includes('src/prepare.py') && pkg.files.includes('nonce.txt'));
    assert.ok(!pkg.files.some((f) => f.startsWith('.git/')));
    // Ray walks the folder itself (honouring .gitignore files); the same files must give the same name.
    const python = path.join(path.dirname(ray.rayBin), 'python');
    const theirs = execFileSync(python, ['-c', 'import sys; from ray._private.runtime_env.packaging import get_uri_for_directory as g; print(g(sys.argv[1], include_gitignore=True, excludes=[".git"]))', project], { encoding: 'utf8' }).trim();
    assert.equal(pkg.uri, theirs);
  });

  it('runs the example stage with the project uploaded as working_dir; an unchanged resubmit uploads nothing', async function () {
    requireOrSkip(this, existsSync(peersPython) ? undefined : `${peersPython} is missing (run bash scripts/setup/peers.sh)`);
    const { jobId } = await backend.submit(plan('prepare', [peersPython, 'src/prepare.py'], { resources: { cpus: 1 }, env: { MLOPS_RAY_TEST: '1' } }));
    assert.ok(backend.lastUpload && backend.lastUpload.uploadedBytes > 0, 'the first submit uploads the package');
    let followed = '';
    const job = await backend.follow(jobId, (t) => (followed += t), { intervalMs: 300 });
    assert.equal(job.raw, 'SUCCEEDED', job.reason);
    assert.equal(job.state, 'completed');
    assert.ok(job.ours && job.user === user);
    assert.match(followed, /prepare: \d+ train rows, \d+ test rows/);
    // Our log is Ray's log, as its CLI prints it.
    // (The CLI adds its own line first and prefixes the first log line with its logger's.)
    const cliLogs = (await rayCli(ray, ['job', 'logs', jobId, '--address', ray.dashboard]))
      .replace(/\x1b\[[0-9;]*m/g, '')
      .split('\n')
      .filter((l) => !/Job submission server address/.test(l))
      .map((l) => l.replace(/^\S+ \S+\tINFO cli\.py:\d+ -- /, ''))
      .join('\n');
    assert.equal((await backend.logs(jobId)).trim(), cliLogs.trim());
    const listed = (await backend.snapshot()).jobs.find((j) => j.id === jobId);
    assert.ok(listed && listed.state === 'completed' && listed.startTime && listed.endTime && listed.name === 'prepare');

    // Unchanged: the package is already on the cluster; the only bytes sent are the job request.
    const before = backend.http.bytesSent;
    const again = plan('prepare', [peersPython, 'src/prepare.py'], { resources: { cpus: 1 }, env: { MLOPS_RAY_TEST: '1' } });
    const second = await backend.submit(again);
    assert.equal(backend.lastUpload?.uploadedBytes, 0);
    const requestBytes = Buffer.byteLength(JSON.stringify(backend.request(again, `gcs://${backend.lastUpload!.name}`)));
    assert.equal(backend.http.bytesSent - before, requestBytes);
    assert.equal((await rayJobEnded(backend, second.jobId, 120000)).raw, 'SUCCEEDED');
  });

  it('reports a failing job as FAILED with Ray\'s message and exit code', async () => {
    const { jobId } = await backend.submit(plan('fails', ['python3', '-c', 'import sys; print("about to fail"); sys.exit(3)']));
    const job = await rayJobEnded(backend, jobId, 120000);
    assert.equal(job.state, 'failed');
    assert.equal(job.exitCode, 3);
    assert.match(job.reason ?? '', /exit code 3/);
    assert.match(await backend.logs(jobId), /about to fail/);
  });

  it('a job whose runtime_env cannot be set up ends FAILED with Ray\'s own message, as `ray job status` says it', async () => {
    // A pip requirement no index has: Ray's runtime_env agent fails before the entrypoint runs.
    const { jobId } = await backend.submit(plan('bad-env', ['python3', '-c', 'print("never runs")'], { pip: ['mlops-workbench-no-such-package-0f3a==0.0.1'] }));
    const job = await rayJobEnded(backend, jobId, 180000);
    assert.equal(job.state, 'failed');
    assert.match(job.reason ?? '', /runtime.?env/i, 'the reason names the runtime_env setup');
    const cli = await rayCli(ray, ['job', 'status', jobId, '--address', ray.dashboard]);
    // The CLI prints the same message (its first line is enough: the CLI wraps nothing, we cut nothing that short).
    const first = (job.reason ?? '').split('\n')[0].trim();
    assert.ok(first && cli.includes(first), `ray job status shows our reason's first line\n${first}\n---\n${cli}`);
    assert.doesNotMatch(await backend.logs(jobId).catch(() => ''), /never runs/);
  });

  it('stops a running job of ours; one not submitted by us is stopped only when its owner is confirmed; ended jobs can be deleted', async () => {
    const { jobId } = await backend.submit(plan('sleeps', ['sleep', '300']));
    await until(jobId, (j) => j.raw === 'RUNNING', 'running');
    await backend.cancel(jobId);
    const stopped = await until(jobId, (j) => j.raw === 'STOPPED', 'stopped');
    assert.equal(stopped.state, 'cancelled');

    // Someone else's, through Ray's own CLI: no label of ours.
    const out = await rayCli(ray, ['job', 'submit', '--address', ray.dashboard, '--no-wait', '--', 'sleep', '300']);
    const foreign = /raysubmit_[A-Za-z0-9]+/.exec(out)?.[0];
    assert.ok(foreign, out);
    await until(foreign, (j) => j.raw === 'RUNNING', 'running');
    const listed = (await backend.listJobs()).find((j) => j.id === foreign);
    assert.equal(listed?.ours, false);
    await assert.rejects(backend.cancel(foreign), NotOurJobError);
    assert.equal((await backend.job(foreign)).raw, 'RUNNING');
    await backend.cancel(foreign, { confirmOwner: '' });
    await until(foreign, (j) => j.raw === 'STOPPED', 'stopped');

    await backend.delete(jobId);
    assert.equal((await backend.listJobs()).some((j) => j.id === jobId), false);
    await backend.delete(foreign, { confirmOwner: '' });
  });

  it('behind a proxy: refused without the token (says to set it), served with it', async () => {
    const token = randomBytes(12).toString('hex');
    const target = new URL(ray.dashboard);
    const proxy = http.createServer((req, res) => {
      if (req.headers.authorization !== `Bearer ${token}`) return void res.writeHead(401).end('unauthorized');
      const up = http.request({ host: target.hostname, port: target.port, path: req.url!.replace(/^\/ray/, ''), method: req.method, headers: req.headers }, (r) => {
        res.writeHead(r.statusCode ?? 502, r.headers);
        r.pipe(res);
      });
      up.on('error', () => res.writeHead(502).end());
      req.pipe(up);
    });
    await new Promise<void>((r) => proxy.listen(0, '127.0.0.1', r));
    const url = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}/ray`;
    try {
      await assert.rejects(new RayBackend({ address: url, user }).snapshot(), (e: Error & { nextStep?: string }) => /HTTP 401/.test(e.message) && /Token/.test(e.nextStep ?? ''));
      const b = new RayBackend({ address: url, user, headers: { Authorization: `Bearer ${token}` } });
      const s = await b.snapshot();
      assert.equal(s.partitions[0].nodes.filter((n) => n.state === 'alive').length, ray.nodes);
      b.dispose();
    } finally {
      proxy.close();
      proxy.closeAllConnections();
    }
  });

  it('through an SSH host: the command\'s path (setting → answers → plan) over a port forward, then the view\'s items', async function () {
    const ssh = requireComponent(this, 'ssh');
    const [cluster] = clusterSettings([{ name: 'fwd', type: 'ray', address: ray.dashboard, sshHost: 'test-ssh' }]);
    assert.equal(cluster.ray?.sshHost, 'test-ssh');
    const conn = sshTestHost(ssh);
    const target = new URL(cluster.ray!.address);
    // What rayConnect.ts does: a local port whose connections are channels of the host's SSH connection.
    const forward = await startTcpForward((h, p) => conn.openTcp(h, p), { host: target.hostname, port: Number(target.port) });
    const b = new RayBackend({ address: `http://127.0.0.1:${forward.localPort}`, user, name: cluster.name });
    try {
      const plan = rayPlanFromAnswers({ command: 'echo "via $VIA" && ls src', localDir: project, cpus: '', gpus: '', memory: '', pip: '', env: 'VIA=ssh' });
      const { jobId } = await b.submit(plan);
      let s = await b.snapshot();
      assert.ok(forward.active > 0 || s.jobs.length > 0);
      await waitFor(async () => ((s = await b.snapshot()), s.jobs.some((j) => j.id === jobId && j.state === 'completed')), 120000, `job ${jobId} completed`);
      const job = s.jobs.find((j) => j.id === jobId)!;
      const view = rayJobView(l10n, job, user);
      assert.equal(view.contextValue, 'mlops.job.ended.ours.ray');
      assert.match(view.description!, new RegExp(`^${jobId} · succeeded · `));
      assert.ok(rayEndedJobs(s).some((j) => j.id === jobId));
      assert.match(rayGroupViews(l10n, s).partitions.description!, new RegExp(`^${ray.nodes} alive`));
      assert.match(await b.logs(jobId), /via ssh\n(.|\n)*prepare\.py/);
    } finally {
      b.dispose();
      await forward.close();
      conn.dispose();
    }
  });

  it('says the cluster is unreachable while its head is down, and reads it again once it is back', async function () {
    if (process.env.MLOPS_RAY_SKIP_HEAD_KILL === '1') this.skip();
    this.timeout(300000);
    const { jobId } = await backend.submit(plan('outlived', ['sleep', '300']));
    await until(jobId, (j) => j.raw === 'RUNNING', 'running');
    const session = (await backend.snapshot()).clusterName;
    await rayScript('head-down');
    let error: unknown;
    await backend.snapshot().catch((e: unknown) => (error = e));
    assert.ok(error instanceof RayUnreachableError, `unreachable, not ${String(error)}`);
    const view = clusterView(l10n, 'local', ray.dashboard, undefined, error.message);
    assert.equal(view.description, 'unreachable');
    assert.match(view.tooltip ?? '', /cannot be reached/);
    await rayScript('head-up');
    let back: Awaited<ReturnType<RayBackend['snapshot']>> | undefined;
    await waitFor(async () => ((back = await backend.snapshot().catch(() => undefined)), back !== undefined), 60000, 'the dashboard answering again');
    assert.notEqual(back!.clusterName, session, 'a new head is a new session');
    await waitFor(async () => ((await backend.snapshot()).partitions[0]?.nodes.filter((n) => n.state === 'alive').length ?? 0) >= ray.nodes, 90000, 'both nodes alive again');
  });
});
