import { strict as assert } from 'node:assert';
import { randomBytes } from 'node:crypto';
import * as http from 'node:http';
import type Docker from 'dockerode';
import type { HostConnection } from '../../../src/core/hosts/hostConnection';
import { forwardTarget, startTcpForward, type PortInspect } from '../../../src/core/hosts/portForward';
import { startTensorBoard } from '../../../src/core/hosts/tensorboardInWorkspace';
import { onLocalAndSsh, ownerLabels, startTestWorkspace, waitFor } from '../harness';

const owner = ownerLabels('tensorboard');

function get(port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = http.get({ host: '127.0.0.1', port, path: '/', agent: false, timeout: 5000 }, (res) => {
      let body = '';
      res.on('data', (d: Buffer) => (body += d.toString('utf8')));
      res.on('end', () => resolve(body));
    });
    req.on('timeout', () => req.destroy(new Error('GET timed out')));
    req.on('error', reject);
  });
}

// No TensorBoard image here (no registry). A stand-in `tensorboard` on the PATH checks the
// argv we pass (--logdir D --host 0.0.0.0 --port P) and serves D on P with busybox httpd;
// it exits 2 on any other argv, so a wrong command line never answers.
const FAKE = [
  'mkdir -p /tmp/bin',
  `printf '%s\\n' '#!/bin/sh' '[ "$1" = --logdir ] && [ "$3" = --host ] && [ "$4" = 0.0.0.0 ] && [ "$5" = --port ] || exit 2' 'exec httpd -f -p "$6" -h "$2"' > /tmp/bin/tensorboard`,
  'chmod +x /tmp/bin/tensorboard',
].join(' && ');

function contract(label: string, connect: () => HostConnection, image: () => string): void {
  const mark = randomBytes(8).toString('hex');
  const port = 20000 + Math.floor(Math.random() * 20000);
  let withTb: Docker.Container | undefined;
  let without: Docker.Container | undefined;

  before(async () => {
    withTb = await startTestWorkspace(
      connect(),
      owner,
      { image: image(), env: { PATH: '/tmp/bin:/bin', MARK: mark }, command: `${FAKE} && mkdir -p "/tmp/runs/my run" && echo "$MARK" > "/tmp/runs/my run/index.html" && mkdir -p /tmp/runs/other && echo "other-$MARK" > /tmp/runs/other/index.html && trap "exit 0" TERM; sleep 300 & wait` },
      { hostNetwork: true },
    );
    without = await startTestWorkspace(connect(), owner, { image: image() });
  });
  after(async () => {
    await withTb?.remove({ force: true });
    await without?.remove({ force: true });
  });

  it(`${label}: starts it detached on the folder (a space in its name), and the forwarded port answers`, async () => {
    let r: Awaited<ReturnType<typeof startTensorBoard>> | undefined;
    // The container's own command writes the stand-in first.
    await waitFor(async () => (r = await startTensorBoard(connect(), withTb!.id, { logdir: '/tmp/runs/my run', port })).ok || r.reason !== 'missing', 15000, 'the stand-in tensorboard');
    assert.deepEqual(r, { ok: true, logFile: `/tmp/mlops-tensorboard-${port}.log` });
    const t = forwardTarget((await withTb!.inspect()) as PortInspect, port);
    assert.ok(t.ok);
    const conn = connect();
    const fwd = conn.openTcp ? await startTcpForward((h, p) => conn.openTcp!(h, p), t.target) : undefined;
    try {
      const local = fwd?.localPort ?? t.target.port;
      await waitFor(() => get(local).then(() => true, () => false), 15000, 'tensorboard to answer');
      assert.equal(await get(local), `${mark}\n`);
      // Again on another folder: ours on that port is replaced, the page is the new folder's.
      assert.deepEqual(await startTensorBoard(connect(), withTb!.id, { logdir: '/tmp/runs/other', port }), { ok: true, logFile: `/tmp/mlops-tensorboard-${port}.log` });
      await waitFor(() => get(local).then((b) => b === `other-${mark}\n`, () => false), 20000, 'the second tensorboard on the other folder');
    } finally {
      await fwd?.close();
    }
  });

  it(`${label}: says the image has no tensorboard, and a missing folder`, async () => {
    const r = await startTensorBoard(connect(), without!.id, { logdir: '/tmp', port });
    assert.deepEqual(r, { ok: false, reason: 'missing', detail: 'the image has no `tensorboard` command' });
    const r2 = await startTensorBoard(connect(), withTb!.id, { logdir: '/no/such/runs', port });
    assert.equal(r2.ok ? '' : r2.reason, 'no-logdir');
  });
}

describe('hosts: Start TensorBoard here, inside a workspace (real engine)', function () {
  this.timeout(60000);
  onLocalAndSsh(contract);
});
