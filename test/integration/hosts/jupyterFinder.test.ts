import { strict as assert } from 'node:assert';
import { randomBytes } from 'node:crypto';
import * as http from 'node:http';
import type Docker from 'dockerode';
import type { HostConnection } from '../../../src/core/hosts/hostConnection';
import { findJupyter } from '../../../src/core/hosts/jupyterFinder';
import { jupyterUrl } from '../../../src/core/hosts/jupyterServer';
import { forwardTarget, startTcpForward, type PortInspect } from '../../../src/core/hosts/portForward';
import { onLocalAndSsh, ownerLabels, startTestWorkspace, waitFor } from '../harness';

const owner = ownerLabels('jupyter');

function get(port: number, path: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.get({ host: '127.0.0.1', port, path, agent: false, timeout: 5000 }, (res) => {
      let body = '';
      res.on('data', (d: Buffer) => (body += d.toString('utf8')));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('timeout', () => req.destroy(new Error('GET timed out')));
    req.on('error', reject);
  });
}

// The engine has no Jupyter image (no registry): busybox prints Jupyter's startup banner on
// stderr, as the server does, and serves the port with httpd on the host's network.
function contract(label: string, connect: () => HostConnection, image: () => string): void {
  const token = randomBytes(16).toString('hex');
  const port = 20000 + Math.floor(Math.random() * 20000);
  let jupyter: Docker.Container | undefined;
  let plain: Docker.Container | undefined;
  let listed: Docker.Container | undefined;
  let mlWorkspace: Docker.Container | undefined;

  before(async () => {
    const banner = [
      `[I 2024-05-02 09:12:01.420 ServerApp] Jupyter Server 2.14.0 is running at:`,
      `[I 2024-05-02 09:12:01.420 ServerApp] http://$(hostname):${port}/lab?token=${token}`,
      `[I 2024-05-02 09:12:01.420 ServerApp]     http://127.0.0.1:${port}/lab?token=${token}`,
    ].join('\\n');
    jupyter = await startTestWorkspace(
      connect(),
      owner,
      { image: image(), command: `mkdir -p /tmp/site/lab && echo "lab-${token}" > /tmp/site/lab/index.html && printf "${banner}\\n" >&2 && exec httpd -f -p ${port} -h /tmp/site` },
      { hostNetwork: true },
    );
    plain = await startTestWorkspace(connect(), owner, { image: image() });
    // A server whose banner is not in the log (started from a terminal): a stand-in
    // `jupyter` answers `server list --json` with one line as jupyter_server writes it.
    const line = `{"base_url": "/", "hostname": "localhost", "password": false, "pid": 41, "port": 8899, "root_dir": "/workspace", "secure": false, "sock": "", "token": "${token}", "url": "http://localhost:8899/", "version": "2.14.0"}`;
    listed = await startTestWorkspace(connect(), owner, {
      image: image(),
      env: { PATH: '/tmp/bin:/bin', LINE: line },
      command: `mkdir -p /tmp/bin && printf '%s\\n' '#!/bin/sh' '[ "$1 $2 $3" = "server list --json" ] || exit 1' 'echo "$LINE"' > /tmp/bin/jupyter && chmod +x /tmp/bin/jupyter && trap "exit 0" TERM; sleep 300 & wait`,
    });
  });
  after(async () => {
    await jupyter?.remove({ force: true });
    await plain?.remove({ force: true });
    await listed?.remove({ force: true });
    await mlWorkspace?.remove({ force: true });
  });

  it(`${label}: finds the URL and token in the log, and the forwarded port answers with the page`, async () => {
    let found: Awaited<ReturnType<typeof findJupyter>> | undefined;
    await waitFor(async () => (found = await findJupyter(connect(), jupyter!.id)).ok, 15000, 'the banner in the log');
    assert.ok(found?.ok);
    assert.deepEqual(found.server, { port, path: '/lab', token });
    assert.equal(found.from, 'log');
    const t = forwardTarget((await jupyter!.inspect()) as PortInspect, found.server.port);
    assert.ok(t.ok);
    const conn = connect();
    const fwd = conn.openTcp ? await startTcpForward((h, p) => conn.openTcp!(h, p), t.target) : undefined;
    try {
      const local = fwd?.localPort ?? t.target.port;
      const url = new URL(jupyterUrl(found.server, `http://localhost:${local}`));
      assert.equal(url.searchParams.get('token'), token);
      await waitFor(() => get(local, '/lab/').then(() => true, () => false), 15000, 'httpd');
      const r = await get(local, '/lab/');
      assert.equal(r.status, 200);
      assert.equal(r.body, `lab-${token}\n`);
    } finally {
      await fwd?.close();
    }
  });

  it(`${label}: no banner in the log: asks \`jupyter server list --json\` inside`, async () => {
    let found: Awaited<ReturnType<typeof findJupyter>> | undefined;
    await waitFor(async () => (found = await findJupyter(connect(), listed!.id)).ok, 15000, 'the stand-in jupyter');
    assert.deepEqual(found, { ok: true, server: { port: 8899, path: '/', token }, from: 'server list' });
  });

  it(`${label}: the ML Workspace preset's token and port 8080, from the container's own config`, async () => {
    mlWorkspace = await startTestWorkspace(connect(), owner, { image: image(), ports: [8080], env: { AUTHENTICATE_VIA_JUPYTER: token } }, { hostNetwork: true });
    assert.deepEqual(await findJupyter(connect(), mlWorkspace.id), { ok: true, server: { port: 8080, path: '/', token }, from: 'env' });
  });

  it(`${label}: a workspace without Jupyter says so (no banner, no jupyter command)`, async () => {
    const r = await findJupyter(connect(), plain!.id);
    assert.equal(r.ok, false);
    assert.match(r.ok ? '' : r.why, /no Jupyter in this workspace/);
  });
}

describe('hosts: Open Jupyter finds the server of a workspace (real engine)', function () {
  this.timeout(60000);
  onLocalAndSsh(contract);
});
