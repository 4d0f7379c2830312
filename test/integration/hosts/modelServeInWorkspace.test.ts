// Serving a registered model inside a workspace container (real engine, local socket and over
// SSH): the refusal when the image has no mlflow, the detached start with our argv and the
// tracking URI as the container sees it, the forward, and stop ending the process and its
// children. Then (local socket) the real `mlflow models serve` inside a container: the test
// images have no Python and nothing can be pulled here, so that container is busybox with
// this machine's /usr, Python and the peers' venv mounted read-only; its predictions must
// equal `mlflow.pyfunc.load_model(...).predict` on the same rows.
import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, realpathSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import type Docker from 'dockerode';
import type { HostConnection } from '../../../src/core/hosts/hostConnection';
import {
  WorkspaceServer,
  containerTrackingUri,
  serveRunningInWorkspace,
  startServeInWorkspace,
  stopServeInWorkspace,
  workspaceServeTarget,
} from '../../../src/core/hosts/modelServeInWorkspace';
import { startTcpForward, type PortInspect } from '../../../src/core/hosts/portForward';
import { containerRunner } from '../../../src/core/provenance/containerRunner';
import { findFreePort, servingUrl } from '../../../src/core/models/serving';
import { invoke } from '../../../src/core/models/servingClient';
import { localTestHost, onLocalAndSsh, ownerLabels, repoRoot, requireComponent, requirePeer, startTestWorkspace, waitFor } from '../harness';

const owner = ownerLabels('serve-in-workspace');

// A stand-in `mlflow` for the plumbing half: it checks the argv and MLFLOW_TRACKING_URI we
// pass (exit 2 otherwise, so a wrong command line never answers), starts a child of its own
// (as mlflow starts uvicorn), and answers /ping on the port with busybox httpd.
const FAKE = [
  'mkdir -p /tmp/bin /tmp/www',
  'echo ok > /tmp/www/ping',
  `printf '%s\\n' '#!/bin/sh' '[ "$1 $2 $3 $4 $5 $6 $7 $8" = "models serve -m models:/clf/3 --env-manager local -h 0.0.0.0" ] && [ "$9" = -p ] && [ "$MLFLOW_TRACKING_URI" = "sqlite:////workspace/mlflow.db" ] || exit 2' 'sleep 600 &' 'echo $! > /tmp/child.pid' 'exec httpd -f -p "\${10}" -h /tmp/www' > /tmp/bin/mlflow`,
  'chmod +x /tmp/bin/mlflow',
].join(' && ');

function contract(label: string, connect: () => HostConnection, image: () => string): void {
  const port = 20000 + Math.floor(Math.random() * 20000);
  let withMlflow: Docker.Container | undefined;
  let without: Docker.Container | undefined;

  before(async () => {
    withMlflow = await startTestWorkspace(connect(), owner, { image: image(), env: { PATH: '/tmp/bin:/bin' }, command: `${FAKE} && trap "exit 0" TERM; sleep 300 & wait` }, { hostNetwork: true });
    without = await startTestWorkspace(connect(), owner, { image: image() });
  });
  after(async () => {
    await withMlflow?.remove({ force: true });
    await without?.remove({ force: true });
  });

  it(`${label}: an image without mlflow is refused with that reason`, async () => {
    assert.deepEqual(await startServeInWorkspace(connect(), without!.id, { target: { name: 'clf', version: '3' }, trackingUri: 'sqlite:////workspace/mlflow.db', port }), {
      ok: false,
      reason: 'missing',
      detail: 'the workspace has no `mlflow` command',
    });
  });

  it(`${label}: starts detached with our argv and URI, answers /ping through the forward, and stop ends it and its child`, async () => {
    const target = { name: 'clf', version: '3' };
    let r: Awaited<ReturnType<typeof startServeInWorkspace>> | undefined;
    // The container's own command writes the stand-in first.
    await waitFor(async () => (r = await startServeInWorkspace(connect(), withMlflow!.id, { target, trackingUri: 'sqlite:////workspace/mlflow.db', port })).ok || r.reason !== 'missing', 15000, 'the stand-in mlflow');
    assert.deepEqual(r, { ok: true, logFile: `/tmp/mlops-serve-${port}.log` });
    const t = workspaceServeTarget((await withMlflow!.inspect()) as PortInspect, port);
    assert.deepEqual(t, { host: '127.0.0.1', port });
    const conn = connect();
    const tunnel = conn.openTcp ? await startTcpForward((h, p) => conn.openTcp!(h, p), t) : undefined;
    const url = servingUrl('127.0.0.1', tunnel?.localPort ?? port);
    const server = new WorkspaceServer(conn, withMlflow!.id, { target, trackingUri: 'x', host: '0.0.0.0', port }, url, `${label} workspace`, tunnel);
    const health = await server.waitHealthy(30000);
    assert.equal(health.healthy, true, JSON.stringify(health));
    const run = containerRunner(conn, withMlflow!.id);
    const child = (await run(['cat', '/tmp/child.pid'])).stdout.trim();
    assert.match(child, /^\d+$/);
    assert.equal(await serveRunningInWorkspace(conn, withMlflow!.id, port), true);
    await server.stop();
    assert.equal(server.exit, 'stopped');
    assert.equal(await serveRunningInWorkspace(conn, withMlflow!.id, port), false);
    assert.notEqual((await run(['kill', '-0', child])).code, 0, 'the server\'s child outlived stop');
    // Nothing of ours is left to stop on that port.
    assert.equal(await stopServeInWorkspace(conn, withMlflow!.id, port), false);
  });
}

describe('hosts: serving a model inside a workspace (real engine)', function () {
  this.timeout(90000);
  onLocalAndSsh(contract);
});

const logModel = `
import json, logging, sys
logging.disable(logging.WARNING)
import mlflow, numpy as np, pandas as pd
from sklearn.linear_model import LogisticRegression
mlflow.set_tracking_uri('sqlite:///' + sys.argv[1] + '/mlflow.db')
rng = np.random.default_rng(5)
X = pd.DataFrame(rng.normal(size=(40, 2)), columns=['a', 'b'])
y = (X['a'] > X['b']).astype(int)
# Artifacts under the folder the container mounts, at the same path as inside (see below).
exp = mlflow.create_experiment('serve-in-ws', artifact_location='file://' + sys.argv[1] + '/artifacts')
with mlflow.start_run(experiment_id=exp):
    info = mlflow.sklearn.log_model(LogisticRegression().fit(X, y), name='model', input_example=X[:5], registered_model_name='ws-clf')
pred = mlflow.pyfunc.load_model('models:/ws-clf/1').predict(X[:5])
print(json.dumps({'rows': X[:5].values.tolist(), 'predictions': [int(p) for p in pred]}))
`;

describe('hosts: real mlflow models serve inside a workspace container (local socket)', function () {
  this.timeout(400000);
  let dir = '';
  let ws: Docker.Container | undefined;
  let server: WorkspaceServer | undefined;

  before(function () {
    requireComponent(this, 'docker');
    requirePeer(this, 'mlflow');
  });
  after(async () => {
    await server?.stop();
    await ws?.remove({ force: true });
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('serves the version with the tracking URI mapped through the mount, and predicts as pyfunc does', async function () {
    const venv = realpathSync(path.join(repoRoot, '.venv-peers'));
    const python = realpathSync(path.join(venv, 'bin', 'python'));
    // The interpreter's own prefix (…/versions/3.11.7 or /usr): mounted where it is.
    const prefix = path.dirname(path.dirname(python));
    dir = mkdtempSync(path.join(tmpdir(), 'mlops-serve-ws-'));
    const out = execFileSync(path.join(venv, 'bin', 'python'), ['-c', logModel, dir], { cwd: dir, encoding: 'utf8', env: { ...process.env, MLFLOW_DISABLE_TELEMETRY: 'true' } });
    const logged = JSON.parse(out.trim().split('\n').pop()!) as { rows: number[][]; predictions: number[] };
    // The project folder is mounted at /workspace, as a launch profile mounts it; the model's
    // artifacts are recorded at their path on this machine, so that path is mounted too.
    const mounts = [
      { source: dir, target: '/workspace' },
      { source: dir, target: dir },
      { source: '/usr', target: '/usr', readOnly: true },
      { source: '/usr/lib', target: '/lib', readOnly: true },
      { source: '/usr/lib64', target: '/lib64', readOnly: true },
      { source: venv, target: venv, readOnly: true },
      ...(prefix.startsWith('/usr') ? [] : [{ source: prefix, target: prefix, readOnly: true }]),
    ];
    const docker = requireComponent(this, 'docker');
    const conn = localTestHost(docker);
    ws = await startTestWorkspace(
      conn,
      { ...owner, 'mlops.test.mark': randomBytes(4).toString('hex') },
      { image: docker.image, mounts, env: { PATH: `${venv}/bin:/bin:/usr/bin`, HOME: '/tmp', MLFLOW_DISABLE_TELEMETRY: 'true' } },
      { hostNetwork: true },
    );
    const info = await ws.inspect();
    // The project mount, as a launch profile makes it (the same folder is also at its own path).
    const trackingUri = containerTrackingUri(`sqlite:///${dir}/mlflow.db`, info.Mounts.filter((m) => m.Destination === '/workspace'))!;
    assert.equal(trackingUri, 'sqlite:///workspace/mlflow.db');
    const port = await findFreePort();
    const target = { name: 'ws-clf', version: '1' };
    const started = await startServeInWorkspace(conn, ws.id, { target, trackingUri, port });
    assert.deepEqual(started, { ok: true, logFile: `/tmp/mlops-serve-${port}.log` });
    const t = workspaceServeTarget(info as PortInspect, port)!;
    server = new WorkspaceServer(conn, ws.id, { target, trackingUri, host: '0.0.0.0', port }, servingUrl(t.host, t.port), 'test workspace');
    const health = await server.waitHealthy(300000);
    assert.equal(health.healthy, true, `${JSON.stringify(health)}\n${server.logTail(30)}`);
    const r = await invoke(server.url, JSON.stringify({ dataframe_split: { columns: ['a', 'b'], data: logged.rows } }), { format: 'json' });
    assert.equal(r.status, 200, r.text);
    assert.deepEqual(r.json, { predictions: logged.predictions });
    await server.stop();
    assert.equal(await serveRunningInWorkspace(conn, ws.id, port), false);
  });
});
