import { strict as assert } from 'node:assert';
import { randomBytes } from 'node:crypto';
import * as http from 'node:http';
import type Docker from 'dockerode';
import type { SshHostConnection } from '../../../src/core/hosts/hostConnection';
import { forwardTarget, startTcpForward, type PortInspect } from '../../../src/core/hosts/portForward';
import { localTestHost, ownerLabels, requireComponent, sshTestHost, startTestWorkspace, waitFor } from '../harness';

const owner = ownerLabels('ports');

/** GET on 127.0.0.1:port; rejects on a refused or reset connection. */
function get(port: number): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.get({ host: '127.0.0.1', port, path: '/', agent: false, timeout: 5000 }, (res) => {
      let body = '';
      res.on('data', (d: Buffer) => (body += d.toString('utf8')));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('timeout', () => req.destroy(new Error('GET timed out')));
    req.on('error', reject);
  });
}

describe('hosts: forwarding a workspace port to this machine (busybox httpd inside a workspace)', function () {
  this.timeout(60000);
  let container: Docker.Container | undefined;
  let info: PortInspect;
  const page = `page-${randomBytes(6).toString('hex')}`;
  // The test engine has no bridge network (scripts/components/up.sh), so nothing can be
  // published: the workspace uses the host's network, where its port is the host port.
  const port = 20000 + Math.floor(Math.random() * 20000);

  before(async function () {
    const dockerC = requireComponent(this, 'docker');
    container = await startTestWorkspace(
      localTestHost(dockerC),
      owner,
      { image: dockerC.image, env: { PAGE: page }, command: `mkdir -p /tmp/site && echo "<h1>$PAGE</h1>" > /tmp/site/index.html && exec httpd -f -p ${port} -h /tmp/site` },
      { hostNetwork: true },
    );
    info = (await container.inspect()) as PortInspect;
    await waitFor(() => get(port).then(() => true, () => false), 15000, `httpd on port ${port}`);
  });
  after(async () => {
    await container?.remove({ force: true });
  });

  it('local: the workspace port is reachable at its host port, no forward needed', async () => {
    const t = forwardTarget(info, port);
    assert.deepEqual(t, { ok: true, target: { host: '127.0.0.1', port } });
    const r = await get(t.ok ? t.target.port : 0);
    assert.equal(r.status, 200);
    assert.equal(r.body, `<h1>${page}</h1>\n`);
  });

  describe('over SSH (ssh2 forwardOut behind a local server)', function () {
    let conn: SshHostConnection | undefined;
    before(function () {
      conn = sshTestHost(requireComponent(this, 'ssh'));
    });
    after(() => conn?.dispose());

    it('ssh: fetches the page through a forward on a free local port, several times, then stops it', async () => {
      const t = forwardTarget(info, port);
      assert.ok(t.ok);
      const fwd = await startTcpForward((h, p) => conn!.openTcp(h, p), t.target);
      assert.notEqual(fwd.localPort, port);
      for (let i = 0; i < 3; i++) {
        const r = await get(fwd.localPort);
        assert.equal(r.status, 200);
        assert.equal(r.body, `<h1>${page}</h1>\n`);
      }
      await fwd.close();
      await assert.rejects(get(fwd.localPort), /ECONNREFUSED/);
    });

    it('ssh: a forward to a port nothing listens on closes the connection and says why', async () => {
      const errors: Error[] = [];
      const fwd = await startTcpForward((h, p) => conn!.openTcp(h, p), { host: '127.0.0.1', port: 1 }, { onError: (e) => errors.push(e) });
      try {
        await assert.rejects(get(fwd.localPort), /socket hang up|ECONNRESET/);
        assert.match(errors[0]?.message ?? '', /cannot reach 127\.0\.0\.1:1 there/);
      } finally {
        await fwd.close();
      }
    });
  });
});
