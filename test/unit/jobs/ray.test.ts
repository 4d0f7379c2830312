import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { inflateRawSync } from 'node:zlib';
import { memoryBytes, PRIVATE_COPY, RayBackend } from '../../../src/core/jobs/ray/rayBackend';
import { parseRayJobs, rayState } from '../../../src/core/jobs/ray/rayJobs';
import { parseRayNodes, parseUsageByNode } from '../../../src/core/jobs/ray/rayNodes';
import { checkRayVersion, NotRayDashboardError, RayVersionError } from '../../../src/core/jobs/ray/rayVersion';
import { rayPackageHash } from '../../../src/core/jobs/ray/workingDir';
import { writeZip } from '../../../src/core/jobs/ray/zipWriter';
import { clusterSettings } from '../../../src/extension/jobs/clusterSettings';
import { clusterView, type L10n } from '../../../src/extension/jobs/jobsModel';
import { parseEnv, parsePip, rayPlanFromAnswers } from '../../../src/extension/jobs/rayClusterSettings';
import { rayEndedJobs, rayGroupViews, rayJobContext, rayJobView, rayNodeView } from '../../../src/extension/jobs/rayModel';

// The Ray readers and the view's Ray items on answers the real Ray 2.60 dashboard wrote
// (fixtures/ray/README.md), checked against what `ray status -v` printed at the same moment.
const fixture = (name: string) => readFileSync(path.join(__dirname, 'fixtures', 'ray', name), 'utf8');
const json = (name: string): unknown => JSON.parse(fixture(name));
const l10n: L10n = { t: (m, ...args) => m.replace(/\{(\d+)\}/g, (_, i: string) => String(args[Number(i)])) };

describe('Ray readers (answers of a real Ray 2.60 dashboard)', () => {
  it('jobs: states, our label and owner, exit codes, Ray\'s message, times', () => {
    const { jobs, warnings } = parseRayJobs(json('jobs.json'), Date.parse('2026-12-06T15:00:00Z'));
    assert.deepEqual(warnings, []);
    const by = (name: string) => jobs.find((j) => j.name === name)!;
    assert.equal(by('train').state, 'running');
    assert.ok(by('train').ours && by('train').user === 'me');
    assert.equal(by('big').state, 'pending');
    assert.equal(by('fails').state, 'failed');
    assert.equal(by('fails').exitCode, 3);
    assert.match(by('fails').reason!, /exit code 3/);
    const missing = by('missing-pkg');
    assert.equal(missing.errorType, 'RUNTIME_ENV_SETUP_FAILURE');
    assert.match(missing.reason!, /runtime_env setup failed/);
    assert.equal(missing.user, 'other');
    const foreign = jobs.find((j) => j.entrypoint === 'sleep 100')!;
    assert.equal(foreign.ours, false);
    assert.equal(foreign.state, 'cancelled');
    assert.equal(foreign.raw, 'STOPPED');
    for (const j of jobs.filter((x) => x.state !== 'pending')) assert.match(j.startTime!, /^2026-12-06T\d\d:\d\d:\d\d$/);
    assert.equal(jobs.filter((j) => j.endTime).length, jobs.filter((j) => !['running', 'pending'].includes(j.state)).length);
    assert.deepEqual(['PENDING', 'RUNNING', 'SUCCEEDED', 'STOPPED', 'FAILED', 'NEW'].map(rayState), ['pending', 'running', 'completed', 'cancelled', 'failed', 'other']);
  });

  it('nodes: alive with CPU / GPU used of total as `ray status -v` printed; a dead node', () => {
    const { partition } = parseRayNodes(json('nodes-busy.json'), parseUsageByNode(json('cluster_status-busy.json')), 'lab');
    // `ray status -v`: "Node: <id>" then "  1.0/1.0 CPU", "  1.0/1.0 GPU".
    const status = fixture('ray-status-busy.txt');
    for (const block of status.split(/^Node: /m).slice(1)) {
      const id = block.slice(0, 8);
      const n = partition.nodes.find((x) => x.name.includes(id))!;
      assert.ok(n, id);
      const cpu = /([\d.]+)\/([\d.]+) CPU/.exec(block)!;
      assert.deepEqual([n.cpusAllocated, n.cpusTotal], [Number(cpu[1]), Number(cpu[2])]);
      const gpu = /([\d.]+)\/([\d.]+) GPU/.exec(block);
      assert.deepEqual(n.gpus.map((g) => [g.used, g.total]), gpu ? [[Number(gpu[1]), Number(gpu[2])]] : []);
    }
    assert.equal(partition.nodes.filter((n) => n.name.endsWith('(head)')).length, 1);
    assert.deepEqual(partition.gpus.map((g) => [g.used, g.total]), [[1, 1]]);
    assert.match(rayNodeView(l10n, partition.nodes.find((n) => n.gpus.length)!).description!, /^CPU 1\/1 · GPU 1\/1 · memory 0\.0\/\d+\.\d GiB$/);

    const dead = parseRayNodes(json('nodes-dead.json'), new Map(), 'lab').partition;
    const d = dead.nodes.find((n) => n.state === 'dead')!;
    assert.match(d.reason!, /SIGTERM/);
    assert.equal(rayNodeView(l10n, d).description, 'dead');
    assert.deepEqual(dead.gpus, [], 'a dead node\'s GPUs are not counted');
  });

  it('a shape it does not know is a warning, not a crash', () => {
    assert.deepEqual(parseRayJobs({ jobs: [] }).jobs, []);
    assert.equal(parseRayJobs([1, null, { submission_id: 'raysubmit_x', status: 'RUNNING' }]).warnings[0].message, '2 job record(s) of an unknown shape skipped');
    const { partition, warnings } = parseRayNodes({ data: 'nope' }, parseUsageByNode('x'));
    assert.equal(partition.nodes.length, 0);
    assert.equal(warnings.length, 1);
  });

  it('the version check: a Ray dashboard, not one, another Jobs API version, a proxy refusing', () => {
    assert.equal(checkRayVersion('h', 200, '{"version": "4", "ray_version": "2.60.0", "session_name": "s"}').rayVersion, '2.60.0');
    assert.throws(() => checkRayVersion('h', 200, '<html>'), NotRayDashboardError);
    assert.throws(() => checkRayVersion('h', 404, 'Not Found'), NotRayDashboardError);
    assert.throws(() => checkRayVersion('h', 200, '{"version": "5", "ray_version": "3.0.0"}'), RayVersionError);
    assert.throws(() => checkRayVersion('h', 401, ''), (e: Error & { nextStep?: string }) => /HTTP 401/.test(e.message) && /Set Ray Cluster Token/.test(e.nextStep ?? ''));
  });
});

describe('Ray submit plans and packages', () => {
  const backend = new RayBackend({ address: 'http://head:8265', user: 'me' });
  after(() => backend.dispose());

  it('a plan becomes Ray\'s request: quoted entrypoint, resources, runtime_env, our label', () => {
    const plan = rayPlanFromAnswers({ command: 'python train.py --lr 0.1 | tee log', localDir: '/p', gpus: 'A100:2', cpus: '4', memory: '16G', pip: 'torch==2.5.1, pandas', env: 'A=1 B=x=y' });
    const req = backend.request(plan, 'gcs://_ray_pkg_0123456789abcdef.zip');
    // With an uploaded working_dir the job runs in a private copy of it (Ray shares one per node and package).
    assert.equal(req.entrypoint, `${PRIVATE_COPY}\nbash -c 'python train.py --lr 0.1 | tee log'`);
    assert.equal(req.entrypoint_num_gpus, 2);
    assert.equal(req.entrypoint_num_cpus, 4);
    assert.equal(req.entrypoint_memory, 16 * 1024 ** 3);
    assert.deepEqual(req.entrypoint_resources, { 'accelerator_type:A100': 0.001 });
    assert.deepEqual(req.runtime_env, { working_dir: 'gcs://_ray_pkg_0123456789abcdef.zip', pip: ['torch==2.5.1', 'pandas'], env_vars: { A: '1', B: 'x=y' } });
    assert.deepEqual(req.metadata, { 'mlops-workbench': '1', 'mlops-workbench-user': 'me', 'mlops-workbench-name': 'train.py' });
    assert.match(backend.render(plan), /^\/\/ POST http:\/\/head:8265\/api\/jobs\/\n\{/);
    assert.equal(memoryBytes('4000'), 4000 * 1024 ** 2);
    assert.throws(() => parsePip('torch; rm -rf /'), /not a pip requirement/);
    assert.throws(() => parseEnv('1A=x'), /not KEY=value/);
    assert.throws(() => backend.request({ ...plan, array: { combinations: [{ a: '1' }] } }), /several Ray jobs/);
  });

  it('settings: a Ray entry needs a name and an http(s) address; Slurm entries are unchanged', () => {
    const all = clusterSettings([
      { name: 'r', type: 'ray', address: 'head:8265', sshHost: 'gpu-box' },
      { name: 'bad', type: 'ray', address: 'ftp://x' },
      { name: 'noaddr', type: 'ray' },
      { name: 's', host: 'login' },
    ]);
    assert.deepEqual(all.map((c) => c.name), ['r', 's']);
    assert.deepEqual(all[0].ray, { address: 'http://head:8265', sshHost: 'gpu-box' });
    assert.equal(all[1].ray, undefined);
  });

  it('the zip is a valid archive (entries inflate back, CRCs and the directory agree)', () => {
    const files = [
      { name: 'a.txt', data: Buffer.from('hello hello hello hello') },
      { name: 'src/b.bin', data: Buffer.from([0, 1, 2, 3]), mode: 0o755 },
    ];
    const zip = writeZip(files);
    // Walk the central directory as an unzipper does.
    const end = zip.length - 22;
    assert.equal(zip.readUInt32LE(end), 0x06054b50);
    let at = zip.readUInt32LE(end + 16);
    for (const f of files) {
      assert.equal(zip.readUInt32LE(at), 0x02014b50);
      const method = zip.readUInt16LE(at + 10);
      const csize = zip.readUInt32LE(at + 20);
      const nlen = zip.readUInt16LE(at + 28);
      const local = zip.readUInt32LE(at + 42);
      assert.equal(zip.toString('utf8', at + 46, at + 46 + nlen), f.name);
      assert.equal((zip.readUInt32LE(at + 38) >>> 16) & 0o777, f.mode ?? 0o644);
      const body = zip.subarray(local + 30 + nlen, local + 30 + nlen + csize);
      assert.deepEqual(method === 8 ? inflateRawSync(body) : body, f.data);
      at += 46 + nlen;
    }
    assert.deepEqual(writeZip(files), zip, 'the same files give the same bytes');
  });

  it('the package hash follows Ray\'s: order-free, path and content both count', () => {
    const a = [
      { name: 'x.py', data: Buffer.from('1') },
      { name: 'd/y.py', data: Buffer.from('2') },
    ];
    const h = rayPackageHash(a);
    assert.match(h, /^[0-9a-f]{16}$/);
    assert.equal(rayPackageHash([...a].reverse()), h);
    assert.notEqual(rayPackageHash([a[0], { name: 'd/y.py', data: Buffer.from('3') }]), h);
    assert.notEqual(rayPackageHash([a[0], { name: 'e/y.py', data: Buffer.from('2') }]), h);
  });
});

describe('Ray items of the Jobs view', () => {
  const { jobs } = parseRayJobs(json('jobs.json'), Date.parse('2026-12-06T15:00:00Z'));
  const { partition } = parseRayNodes(json('nodes-busy.json'), parseUsageByNode(json('cluster_status-busy.json')), 'lab');
  const s = { user: 'me', version: 'Ray 2.60.0', clusterName: 'session_x', partitions: [partition], jobs, history: [], historySource: 'none' as const, warnings: [] };

  it('groups, jobs and contexts', () => {
    const g = rayGroupViews(l10n, s);
    assert.equal(g.partitions.label, 'Nodes');
    assert.equal(g.partitions.description, '2 alive · GPU 0/1 free');
    assert.equal(g.jobs.description, '1 running · 1 pending');
    assert.equal(g.history.description, String(jobs.length - 2));
    assert.deepEqual(rayEndedJobs(s).map((j) => j.endTime), [...rayEndedJobs(s).map((j) => j.endTime)].sort().reverse());
    const fails = jobs.find((j) => j.name === 'fails')!;
    const v = rayJobView(l10n, fails, 'me');
    assert.equal(v.contextValue, 'mlops.job.ended.ours.ray');
    assert.match(v.description!, /^raysubmit_\w+ · failed · exit 3 · \d+s$/);
    assert.match(v.tooltip!, /Message: Job entrypoint command failed with exit code 3/);
    const foreign = jobs.find((j) => !j.ours)!;
    assert.match(rayJobView(l10n, foreign, 'me').description!, /not from MLOps$/);
    assert.equal(rayJobContext(jobs.find((j) => j.name === 'train')!, 'me'), 'mlops.job.active.ours.ray');
    assert.equal(rayJobContext(jobs.find((j) => j.name === 'missing-pkg')!, 'me'), 'mlops.job.ended.foreign.ray');
    assert.equal(clusterView(l10n, 'lab', 'http://h:8265', s, undefined).description, 'Ray 2.60.0');
  });
});
