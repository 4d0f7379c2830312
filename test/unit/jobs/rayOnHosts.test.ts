// The plan of "Start Ray Cluster on Hosts": the `ray start` argv of head and workers, the
// containers' specs (host network, GPUs, /dev/shm, our labels) and the cluster entry; bad input refused.
import { strict as assert } from 'node:assert';
import { parseStartOptions, RAY_CLUSTER_LABEL, RAY_ROLE_LABEL, rayOnHostsPlan } from '../../../src/core/jobs/ray/rayOnHosts';
import { clusterSettings } from '../../../src/extension/jobs/clusterSettings';

describe('Ray cluster on hosts: the plan', () => {
  const req = { name: 'lab', image: 'rayproject/ray:2.60.0-gpu', head: { host: 'gpu1', address: '10.0.0.1', gpus: 'all' as const }, workers: [{ host: 'gpu2', address: '10.0.0.2', gpus: { count: 2 } }, { host: 'cpu1', address: 'cpu1.lan', gpus: 'none' as const }] };

  it('a head on one host, a worker on each other, joined at the head\'s address; GPUs as asked; our labels', () => {
    const p = rayOnHostsPlan(req, 'me');
    assert.deepEqual(p.nodes.map((n) => [n.host, n.role, n.create.name]), [['gpu1', 'head', 'ray-lab-head'], ['gpu2', 'worker', 'ray-lab-worker-1'], ['cpu1', 'worker', 'ray-lab-worker-2']]);
    assert.deepEqual(p.nodes[0].argv, ['ray', 'start', '--head', '--block', '--disable-usage-stats', '--node-ip-address=10.0.0.1', '--port=6379', '--dashboard-host=127.0.0.1', '--dashboard-port=8265']);
    assert.deepEqual(p.nodes[1].argv, ['ray', 'start', '--block', '--disable-usage-stats', '--address=10.0.0.1:6379', '--node-ip-address=10.0.0.2']);
    for (const n of p.nodes) {
      assert.equal(n.create.HostConfig?.NetworkMode, 'host');
      assert.deepEqual(n.create.HostConfig?.PortBindings, {});
      assert.equal(n.create.HostConfig?.ShmSize, 2048 * 1024 * 1024);
      assert.deepEqual(n.create.Cmd, n.argv);
      assert.equal(n.create.Labels?.[RAY_CLUSTER_LABEL], 'lab');
      assert.equal(n.create.Labels?.[RAY_ROLE_LABEL], n.role);
      assert.equal(n.create.Labels?.['mlops.owner'], 'me');
      assert.equal(n.create.Labels?.['mlops.workspace'], '1');
    }
    assert.deepEqual(p.nodes.map((n) => n.create.HostConfig?.DeviceRequests), [[{ Driver: '', Count: -1, Capabilities: [['gpu']] }], [{ Driver: '', Count: 2, Capabilities: [['gpu']] }], []]);
    // The dashboard only on the head's loopback, reached through its SSH host: the entry the Jobs view reads.
    assert.deepEqual(p.setting, { name: 'lab', type: 'ray', address: 'http://127.0.0.1:8265', sshHost: 'gpu1' });
    assert.equal(clusterSettings([p.setting])[0].ray?.sshHost, 'gpu1');
    assert.equal(rayOnHostsPlan({ ...req, head: { ...req.head, host: 'local' } }, 'me').setting.sshHost, undefined);
  });

  it('refuses what it cannot start: no image, a host twice, a bad address or port', () => {
    assert.throws(() => rayOnHostsPlan({ ...req, image: ' ' }, 'me'), /image with Ray/);
    assert.throws(() => rayOnHostsPlan({ ...req, workers: [{ ...req.workers[0], host: 'gpu1' }] }, 'me'), /host is listed twice/);
    assert.throws(() => rayOnHostsPlan({ ...req, head: { ...req.head, address: '10.0.0.1; rm -rf /' } }, 'me'), /not a host name or IP/);
    assert.throws(() => rayOnHostsPlan({ ...req, gcsPort: 80 }, 'me'), /not a port/);
    assert.throws(() => rayOnHostsPlan({ ...req, gcsPort: 8265 }, 'me'), /must differ/);
    assert.throws(() => rayOnHostsPlan({ ...req, name: '///' }, 'me'), /container name/);
  });

  it('more ray start options: for every node, then the node\'s own, as typed; the plan\'s own options refused', () => {
    const p = rayOnHostsPlan({ ...req, startOptions: ['--num-cpus=4', '--resources={"disk":1}'], workers: [{ ...req.workers[0], startOptions: ['--dashboard-agent-listen-port', '52375'] }] }, 'me');
    assert.deepEqual(p.nodes[0].argv.slice(-2), ['--num-cpus=4', '--resources={"disk":1}']);
    assert.deepEqual(p.nodes[1].argv.slice(-4), ['--num-cpus=4', '--resources={"disk":1}', '--dashboard-agent-listen-port', '52375']);
    assert.deepEqual(p.nodes[1].create.Cmd, p.nodes[1].argv);
    assert.deepEqual(parseStartOptions('  --num-cpus 8\t--object-store-memory=1000 '), ['--num-cpus', '8', '--object-store-memory=1000']);
    assert.deepEqual(parseStartOptions(''), []);
    assert.throws(() => parseStartOptions("--resources='{\"a\":1}'"), /no shell quoting/);
    assert.throws(() => parseStartOptions('8'), /not a ray start option/);
    assert.throws(() => parseStartOptions('--num-cpus=8 9'), /"9" is not a ray start option/);
    assert.throws(() => parseStartOptions('--port=7000'), /--port is set by the cluster.s plan/);
    assert.throws(() => parseStartOptions('--head'), /--head is set/);
    assert.throws(() => rayOnHostsPlan({ ...req, startOptions: ['--address=evil:1'] }, 'me'), /--address is set/);
    assert.throws(() => parseStartOptions('--x '.repeat(65)), /64 at most/);
    assert.throws(() => parseStartOptions('-'.repeat(4001)), /too long/);
  });
});
