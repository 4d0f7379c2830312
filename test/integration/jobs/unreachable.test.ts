// A cluster whose login node does not answer: the view's read gives up within its deadline
// (never hangs), the cluster shows as unreachable with the reason, and the refresh backs off
// while it keeps failing. Real sockets: a port nothing listens on, and a listener that takes
// the connection and never speaks SSH (a login node whose sshd hangs). Needs no component.
import { strict as assert } from 'node:assert';
import { generateKeyPairSync } from 'node:crypto';
import { createServer, type Server, type Socket } from 'node:net';
import { withTimeout } from '../../../src/core/hosts/deadline';
import { knownHostsFile, SshHostConnection } from '../../../src/core/hosts/hostConnection';
import { SlurmBackend } from '../../../src/core/jobs/slurm/slurmBackend';
import { clusterErrorText, clusterView, type L10n } from '../../../src/extension/jobs/jobsModel';
import { nextDelay } from '../../../src/extension/runs/poller';

const l10n: L10n = { t: (m, ...args) => m.replace(/\{(\d+)\}/g, (_, i: string) => String(args[Number(i)])) };
// Any key: neither server gets as far as asking for it.
const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048, privateKeyEncoding: { type: 'pkcs1', format: 'pem' }, publicKeyEncoding: { type: 'spki', format: 'pem' } });

describe('Jobs view: a cluster that cannot be reached', function () {
  this.timeout(30000);
  let silent: Server;
  const sockets: Socket[] = [];
  let silentPort = 0;
  let closedPort = 0;

  before(async () => {
    silent = createServer((s) => sockets.push(s));
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
    silentPort = (silent.address() as { port: number }).port;
    // A port that was just free: nothing listens there.
    const probe = createServer();
    await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
    closedPort = (probe.address() as { port: number }).port;
    await new Promise((r) => probe.close(r));
  });

  after(() => {
    for (const s of sockets) s.destroy();
    silent?.close();
  });

  const read = async (port: number, deadlineMs: number) => {
    const conn = new SshHostConnection({ host: '127.0.0.1', port, username: 'me', privateKey, hostKeys: knownHostsFile('/dev/null', async () => false), connectTimeoutMs: 60000 });
    const backend = new SlurmBackend((argv, opts) => conn.exec(argv, opts));
    const t0 = Date.now();
    try {
      await withTimeout(backend.snapshot(), deadlineMs, 'the jobs query on hpc');
      assert.fail('the snapshot of an unreachable cluster succeeded');
    } catch (e) {
      return { error: e instanceof Error ? e.message : String(e), ms: Date.now() - t0 };
    } finally {
      conn.dispose();
    }
  };

  it('a login node that takes the connection and never answers: the read ends at its deadline, the cluster says unreachable', async () => {
    const { error, ms } = await read(silentPort, 1500);
    assert.ok(ms >= 1400 && ms < 5000, `gave up after ${ms} ms`);
    assert.equal(error, 'the jobs query on hpc did not answer within 1.5 s');
    const v = clusterView(l10n, 'hpc', 'login1', undefined, error);
    assert.deepEqual([v.description, v.color], ['unreachable', 'errorForeground']);
    assert.match(v.tooltip!, /did not answer within 1\.5 s/);
  });

  it('a port nothing listens on: refused at once, with the reason', async () => {
    const { error, ms } = await read(closedPort, 10000);
    assert.ok(ms < 5000, `took ${ms} ms`);
    assert.match(error, /ECONNREFUSED|refused/i);
    // The view's line under the cluster names the next step.
    assert.match(clusterErrorText(l10n, 'login1', error, undefined), /Check that the login host login1 answers \(ssh login1 in a terminal\)/);
  });

  it('while it keeps failing, the refresh waits longer each time, up to its ceiling', () => {
    const waits = [0, 1, 2, 3, 4, 5, 6].map((f) => nextDelay(15000, f, 5 * 60000));
    assert.deepEqual(waits, [15000, 30000, 60000, 120000, 240000, 300000, 300000]);
  });
});
