// "Start Ray Cluster on Hosts" with real Ray: the image of scripts/setup/ray-image.sh
// (Debian + the Ray of ray-requirements.txt), a head through the test sshd on :2222 and a
// worker through the one on :2223 (dockerode over SSH; both reach the same engine, so the two
// containers share this machine's network: each node gets ports of its own through the
// per-node `ray start` options, apart from scripts/components/ray.sh's test cluster).
// Checked against Ray itself: the nodes our client lists are those `ray list nodes` lists
// inside the head container; a command job runs tasks on both nodes and succeeds; Stop
// removes exactly the cluster's containers of this owner, and the dashboard goes away.
import { strict as assert } from 'node:assert';
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import Docker from 'dockerode';
import { RayBackend } from '../../../src/core/jobs/ray/rayBackend';
import { RAY_CLUSTER_LABEL, rayClusterContainers, rayOnHostsPlan, startRayOnHosts, stopRayOnHosts } from '../../../src/core/jobs/ray/rayOnHosts';
import { OWNER_LABEL } from '../../../src/core/hosts/ownership';
import { dockerOverSsh, requireComponent, requireRayImage, testLabels, waitFor } from '../harness';

// Apart from ray.sh's cluster (GCS 6380, dashboard 8266, client 10101, agents 52366-52369,
// workers 20000-21999) and from Slurm's 16817/16818 (inside Ray's default worker range).
const GCS = 6390;
const DASHBOARD = 8275;

describe('Ray cluster on hosts with real Ray (image with Ray; head over SSH :2222, worker over SSH :2223)', function () {
  this.timeout(300000);
  let local: Docker;
  let headHost: Docker;
  let workerHost: Docker;
  let socket = '';
  let backend: RayBackend | undefined;
  const me = `tester-${process.pid}`;
  const name = `real${process.pid}`;
  const engine = (h: string) => (h === 'test-ssh' ? headHost : workerHost);

  /** Ray's own CLI inside a container, as a user of the cluster runs it (`docker exec`). */
  const inContainer = (id: string, argv: string[]): Promise<string> =>
    new Promise((resolve, reject) =>
      execFile('docker', ['-H', `unix://${socket}`, 'exec', id, ...argv], { timeout: 120000, maxBuffer: 16 * 1024 * 1024 }, (err, stdout, stderr) => (err ? reject(new Error(`${argv.join(' ')}: ${stderr || err.message}`)) : resolve(stdout))),
    );

  before(async function () {
    const docker = requireComponent(this, 'docker');
    const ssh = requireComponent(this, 'ssh');
    const alt = requireComponent(this, 'sshAlt');
    socket = docker.socketPath;
    local = new Docker({ socketPath: socket });
    headHost = dockerOverSsh(ssh);
    // known_hosts lists only the first server's key: the second's is checked against its fingerprint.
    workerHost = new Docker({
      protocol: 'ssh',
      host: alt.host,
      port: alt.port,
      username: alt.username,
      sshOptions: { privateKey: readFileSync(alt.privateKeyPath), hostVerifier: (key: Buffer) => `SHA256:${createHash('sha256').update(key).digest('base64').replace(/=+$/, '')}` === alt.hostKeyFingerprint, readyTimeout: 20000 },
    });
    await requireRayImage(this, local);
  });

  after(async () => {
    backend?.dispose();
    // Whatever a failed test left: this suite's cluster label only.
    for (const c of (await local?.listContainers({ all: true, filters: { label: [`${RAY_CLUSTER_LABEL}=${name}`] } })) ?? []) await local.getContainer(c.Id).remove({ force: true });
  });

  it('starts a head and a worker that form one 2-node cluster, runs a job on both, and Stop removes exactly its containers', async function () {
    const image = await requireRayImage(this, local);
    const plan = rayOnHostsPlan(
      {
        name,
        image,
        head: { host: 'test-ssh', address: '127.0.0.1', gpus: 'none', startOptions: ['--ray-client-server-port=10111', '--dashboard-agent-listen-port=52374', '--min-worker-port=22000', '--max-worker-port=22499'] },
        workers: [{ host: 'test-ssh-alt', address: '127.0.0.1', gpus: 'none', startOptions: ['--dashboard-agent-listen-port=52375', '--min-worker-port=22500', '--max-worker-port=22999'] }],
        gcsPort: GCS,
        dashboardPort: DASHBOARD,
        shmMb: 256,
        startOptions: ['--num-cpus=1', '--object-store-memory=80000000'],
      },
      me,
    );
    assert.equal(plan.setting.address, `http://127.0.0.1:${DASHBOARD}`);
    assert.equal(plan.setting.sshHost, 'test-ssh');
    const ids = await startRayOnHosts(plan, engine);
    assert.equal(ids.length, 2);

    // Through our Ray client, as the Jobs view reads it (host network: the head's loopback is this machine's).
    backend = new RayBackend({ address: plan.setting.address, user: me, name });
    const alive = async () => (await backend!.snapshot().catch(() => undefined))?.partitions[0]?.nodes.filter((n) => n.state === 'alive') ?? [];
    await waitFor(async () => (await alive()).length === 2, 240000, 'both nodes alive in the dashboard');
    const snap = await backend.snapshot();
    assert.equal(snap.version, `Ray ${image.split(':')[1]}`);
    assert.equal(snap.partitions.length, 1, 'one cluster');
    const ours = snap.partitions[0].nodes;

    // Ray's own answer, inside the head container.
    const ref = JSON.parse(await inContainer(ids[0], ['ray', 'list', 'nodes', '--address', `http://127.0.0.1:${DASHBOARD}`, '--format', 'json'])) as Array<{ node_id: string; state: string; is_head_node: boolean; resources_total: Record<string, number> }>;
    const refAlive = ref.filter((n) => n.state === 'ALIVE');
    assert.equal(refAlive.length, 2);
    assert.equal(ours.filter((n) => n.state === 'alive').length, 2);
    for (const r of refAlive) {
      const o = ours.find((n) => n.name.includes(r.node_id.slice(0, 8)));
      assert.ok(o, `node ${r.node_id} is listed`);
      assert.equal(o.name.endsWith('(head)'), r.is_head_node);
      assert.equal(o.cpusTotal, r.resources_total.CPU);
      assert.equal(o.cpusTotal, 1, 'the shared --num-cpus=1 reached every node');
    }

    // A command job: one task pinned to each node; it prints the nodes its tasks ran on.
    const script = [
      'import json, ray',
      'from ray.util.scheduling_strategies import NodeAffinitySchedulingStrategy as On',
      'ray.init()',
      '@ray.remote(num_cpus=1)',
      'def where(): return ray.get_runtime_context().get_node_id()',
      'nodes = [n["NodeID"] for n in ray.nodes() if n["Alive"]]',
      'print("ran on", json.dumps(sorted(ray.get([where.options(scheduling_strategy=On(n, soft=False)).remote() for n in nodes]))))',
    ].join('\n');
    const { jobId } = await backend.submit({ name: 'both-nodes', command: ['python', '-c', script], cwd: '', resources: {} });
    const job = await backend.follow(jobId, () => undefined, { intervalMs: 500 });
    const logs = await backend.logs(jobId);
    assert.equal(job.raw, 'SUCCEEDED', `${job.reason ?? ''}\n${logs}`);
    assert.ok(job.ours && job.user === me);
    const ranOn = JSON.parse(/ran on (\[.*\])/.exec(logs)?.[1] ?? '[]') as string[];
    assert.deepEqual(ranOn, refAlive.map((n) => n.node_id).sort());
    // The same job as Ray's CLI in the head container sees it.
    assert.match(await inContainer(ids[0], ['ray', 'job', 'status', jobId, '--address', `http://127.0.0.1:${DASHBOARD}`]), new RegExp(`Job '${jobId}' succeeded`));

    // Stop: another owner's container with the same cluster label stays.
    const foreign = await local.createContainer({ Image: image, Cmd: ['sleep', '300'], Labels: { ...testLabels, [RAY_CLUSTER_LABEL]: name, [OWNER_LABEL]: 'someone-else' } });
    const listed = await rayClusterContainers(name, ['test-ssh', 'test-ssh-alt'], engine, me);
    // Both hosts reach one engine here, so each lists both containers: each is kept on the host it was started on.
    const unique = listed.filter((c) => c.host === (c.role === 'head' ? 'test-ssh' : 'test-ssh-alt'));
    assert.equal(listed.length, 4);
    assert.deepEqual(unique.map((c) => c.id).sort(), [...ids].sort());
    assert.ok(unique.every((c) => c.state === 'running'));
    await stopRayOnHosts(unique, engine);
    const left = await local.listContainers({ all: true, filters: { label: [`${RAY_CLUSTER_LABEL}=${name}`] } });
    assert.deepEqual(left.map((c) => c.Id), [foreign.id]);
    await assert.rejects(backend.version(), 'the dashboard is gone with the head');
    await foreign.remove({ force: true });
  });
});
