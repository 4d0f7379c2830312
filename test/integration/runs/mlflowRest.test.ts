import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import * as http from 'node:http';
import type * as net from 'node:net';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { MlflowRestSource } from '../../../src/core/runs/mlflow/mlflowRestSource';
import { requirePeer } from '../harness';
import { assertSameAsMlflow, mlflowEnv, mlflowRead, mlflowWrite, type Reference } from './mlflowReference';
import { startMlflowServer, type MlflowServer } from './mlflowServer';

const peer = path.join(__dirname, 'peers', 'mlflow_peer.py');

/** A loopback HTTP server answering with `handle`; closed with its open sockets. */
async function localServer(handle: http.RequestListener): Promise<{ url: string; close(): Promise<void> }> {
  const sockets = new Set<net.Socket>();
  const server = http.createServer(handle);
  server.on('connection', (s) => (sockets.add(s), s.on('close', () => sockets.delete(s))));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as net.AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () => new Promise<void>((r) => (sockets.forEach((s) => s.destroy()), server.close(() => r()))),
  };
}

const json = (res: http.ServerResponse, status: number, body: unknown) => {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
};

describe('MLflow tracking server over REST, written by the real MLflow client', function () {
  this.timeout(180_000);
  let python = '';
  let dir = '';
  let server: MlflowServer | undefined;
  let ref: Reference;
  let extras: { experimentId: string; parent: string; children: string[] };

  before(async function () {
    python = requirePeer(this, 'python');
    const mlflow = requirePeer(this, 'mlflow');
    dir = mkdtempSync(path.join(tmpdir(), 'mlops-mlflow-server-'));
    server = await startMlflowServer(mlflow, dir);
    mlflowWrite(python, server.url, 7);
    // The client prints "View run at ..." lines of its own before our JSON.
    extras = JSON.parse(execFileSync(python, [peer, 'extras', server.url], { encoding: 'utf8', env: mlflowEnv }).trim().split('\n').pop()!);
    ref = mlflowRead(python, server.url);
  });
  after(async () => {
    await server?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('lists what mlflow.search_runs lists (params, metrics, tags, status, histories), over several pages', async () => {
    assert.equal(ref.runs.length, 7 + 3);
    // Three runs a page: every experiment's runs span pages.
    const src = new MlflowRestSource(server!.url, { pageSize: 3 });
    await assertSameAsMlflow(src, ref);
    const nested = (await src.list()).runs.filter((r) => r.tags['mlflow.parentRunId'] === extras.parent);
    assert.deepEqual(nested.map((r) => r.id).sort(), [...extras.children].sort());
  });

  it('lists only the newest runs when told to, and warns that there are more', async () => {
    const { runs, warnings } = await new MlflowRestSource(server!.url, { pageSize: 3, maxRuns: 4 }).list();
    const newest = [...ref.runs].sort((a, b) => b.startTime - a.startTime).slice(0, 4);
    assert.deepEqual(runs.map((r) => r.id).sort(), newest.map((r) => r.id).sort());
    assert.equal(warnings.length, 1);
    assert.equal(warnings[0].file, `${server!.url}/api/2.0/mlflow/runs/search`);
    assert.match(warnings[0].message, /newest 4 runs/);
  });

  it('reads histories of many runs at once, sampled by the server (get-history-bulk-interval)', async () => {
    const src = new MlflowRestSource(server!.url);
    const ids = ref.runs.filter((r) => r.history.loss).map((r) => r.id);
    const all = await src.metricHistories(ids, 'loss', 1000);
    for (const id of ids) {
      const want = ref.runs.find((r) => r.id === id)!.history.loss;
      // The server keeps one point per step: the 21 logged points span 20 steps.
      assert.deepEqual([...new Set(all.get(id)!.map((p) => p.step))], [...new Set(want.map(([s]) => s))].sort((a, b) => a - b));
    }
    const sampled = await src.metricHistories(ids.slice(0, 2), 'loss', 5);
    for (const points of sampled.values()) {
      assert.ok(points.length > 0 && points.length < 20, `sampled to ${points.length} points`);
      assert.equal(points[0].step, 0);
      assert.equal(points.at(-1)!.step, 19, 'the last step is kept');
    }
  });

  it('falls back to get-history when the server lacks get-history-bulk-interval', async () => {
    // A proxy in front of the real server that answers 404 for the bulk endpoint, as MLflow < 2.10 does.
    const proxy = await localServer((req, res) => {
      if (req.url!.includes('get-history-bulk-interval')) return json(res, 404, { error_code: 'ENDPOINT_NOT_FOUND', message: 'no such endpoint' });
      const up = http.request(`${server!.url}${req.url}`, { method: req.method, headers: req.headers }, (r) => {
        res.writeHead(r.statusCode!, r.headers);
        r.pipe(res);
      });
      req.pipe(up);
    });
    try {
      const src = new MlflowRestSource(proxy.url);
      const got = await src.metricHistories(extras.children, 'score', 1000);
      for (const id of extras.children) {
        const want = await new MlflowRestSource(server!.url).metricHistory(id, 'score');
        assert.deepEqual(got.get(id), want);
        assert.equal(want.length, 5);
      }
    } finally {
      await proxy.close();
    }
  });

  it('lists a run\'s artifacts folder by folder and downloads one', async () => {
    const src = new MlflowRestSource(server!.url);
    const root = await src.listArtifacts(extras.parent);
    assert.deepEqual(root.map((a) => [a.path, a.isDir]).sort(), [['model', true], ['summary.txt', false]]);
    const model = await src.listArtifacts(extras.parent, 'model');
    assert.deepEqual(model.map((a) => [a.path, a.isDir]).sort(), [['model/MLmodel', false], ['model/data', true]]);
    const [weights] = await src.listArtifacts(extras.parent, 'model/data');
    assert.deepEqual([weights.path, weights.size], ['model/data/weights.bin', 1024]);
    const bytes = await src.downloadArtifact(extras.parent, 'model/data/weights.bin');
    assert.equal(bytes.length, 1024);
    assert.equal(bytes[255], 255);
    assert.equal((await src.downloadArtifact(extras.parent, 'summary.txt')).toString(), 'accuracy 0.9\n');
    const parentRun = (await src.list()).runs.find((r) => r.id === extras.parent)!;
    assert.match(parentRun.artifactUri ?? '', /artifacts/);
    assert.equal(src.runUrl(extras.experimentId, extras.parent), `${server!.url}/#/experiments/${extras.experimentId}/runs/${extras.parent}`);
  });
});

describe('MLflow REST source against servers that fail', function () {
  this.timeout(20_000);

  it('a server answering 500: a warning naming the URL, the experiments that answered still load', async () => {
    const srv = await localServer((req, res) => {
      if (req.url!.includes('experiments/search')) return json(res, 200, { experiments: [{ experiment_id: '1', name: 'ok' }, { experiment_id: '2', name: 'ok too' }] });
      json(res, 500, { error_code: 'INTERNAL_ERROR', message: 'database is locked' });
    });
    try {
      const warned: string[] = [];
      const { experiments, runs, warnings } = await new MlflowRestSource(srv.url, { onWarning: (w) => warned.push(w.file) }).list();
      assert.deepEqual(experiments.map((e) => e.name), ['ok', 'ok too']);
      assert.deepEqual(runs, []);
      assert.equal(warnings.length, 1);
      assert.equal(warnings[0].file, `${srv.url}/api/2.0/mlflow/runs/search`);
      assert.match(warnings[0].message, /HTTP 500 .*INTERNAL_ERROR: database is locked/);
      assert.deepEqual(warned, [warnings[0].file]);
      await assert.rejects(new MlflowRestSource(srv.url).metricHistory('r', 'loss'), /get-history\?run_id=r&metric_key=loss.*HTTP 500/);
    } finally {
      await srv.close();
    }
  });

  it('a server that never answers: a timeout warning naming the URL, nothing hangs', async () => {
    const srv = await localServer(() => {
      // Holds the request open forever.
    });
    try {
      const started = Date.now();
      const { runs, warnings } = await new MlflowRestSource(srv.url, { timeoutMs: 300 }).list();
      assert.ok(Date.now() - started < 5000);
      assert.deepEqual(runs, []);
      assert.equal(warnings.length, 1);
      assert.equal(warnings[0].file, `${srv.url}/api/2.0/mlflow/experiments/search`);
      assert.match(warnings[0].message, /timed out/);
      // The caller's AbortSignal stops a request that the timeout would not yet.
      const ctl = new AbortController();
      const pending = new MlflowRestSource(srv.url, { timeoutMs: 60_000 }).metricHistory('r', 'loss', ctl.signal);
      setTimeout(() => ctl.abort(), 50);
      await assert.rejects(pending, /cancelled/);
      // A source dropped from the view (its setting changed) stops waiting at once.
      const dropped = new MlflowRestSource(srv.url, { timeoutMs: 60_000 });
      const listing = dropped.list();
      setTimeout(() => dropped.dispose(), 50);
      const { warnings: gone } = await listing;
      assert.match(gone[0].message, /cancelled/);
    } finally {
      await srv.close();
    }
  });

  it('connection refused and an answer that is not JSON: warnings naming the URL', async () => {
    const srv = await localServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/html' });
      res.end('<html><body>Sign in to continue</body></html>');
    });
    const html = await new MlflowRestSource(srv.url).list();
    await srv.close();
    assert.match(html.warnings[0].message, /not JSON \(text\/html: Sign in to continue\)/);
    const refused = await new MlflowRestSource(srv.url).list();
    assert.equal(refused.warnings[0].file, `${srv.url}/api/2.0/mlflow/experiments/search`);
    assert.match(refused.warnings[0].message, /connection refused/);
  });
});

describe('MLflow REST source authentication', function () {
  let srv: Awaited<ReturnType<typeof localServer>>;
  const seen: (string | undefined)[] = [];
  const allowed = new Set(['Bearer s3cret-token', `Basic ${Buffer.from('ana:pa:ss wörd').toString('base64')}`]);

  before(async () => {
    // Checks the Authorization header as MLflow's basic-auth app or a token proxy would.
    srv = await localServer((req, res) => {
      seen.push(req.headers.authorization);
      if (!allowed.has(req.headers.authorization ?? '')) return json(res, 401, { error_code: 'UNAUTHENTICATED', message: 'You are not authenticated.' });
      if (req.url!.includes('experiments/search')) return json(res, 200, { experiments: [{ experiment_id: '0', name: 'Default' }] });
      json(res, 200, { runs: [{ info: { run_id: 'abc', experiment_id: '0', status: 'FINISHED', start_time: '1700000000000' }, data: { metrics: [{ key: 'acc', value: 'NaN', step: '3', timestamp: 5 }] } }] });
    });
  });
  after(() => srv?.close());

  it('sends a bearer token', async () => {
    const { runs, warnings } = await new MlflowRestSource(srv.url, { auth: () => ({ token: 's3cret-token' }) }).list();
    assert.deepEqual(warnings, []);
    assert.equal(runs[0].id, 'abc');
    assert.equal(runs[0].startTime, 1700000000000);
    assert.ok(Number.isNaN(runs[0].metrics.acc.value));
    assert.equal(runs[0].metrics.acc.step, 3);
  });

  it('sends basic auth, from the credentials or from the URL', async () => {
    const a = await new MlflowRestSource(srv.url, { auth: async () => ({ username: 'ana', password: 'pa:ss wörd' }) }).list();
    assert.deepEqual(a.warnings, []);
    const b = await new MlflowRestSource(srv.url.replace('//', `//ana:${encodeURIComponent('pa:ss wörd')}@`)).list();
    assert.deepEqual(b.warnings, []);
    assert.equal(b.runs.length, 1);
  });

  it('without the right credentials: a 401 warning that says how to set them', async () => {
    seen.length = 0;
    const { warnings } = await new MlflowRestSource(srv.url, { auth: () => ({ token: 'wrong' }) }).list();
    assert.deepEqual(seen, ['Bearer wrong']);
    assert.match(warnings[0].message, /HTTP 401 .*UNAUTHENTICATED.*Set MLflow Tracking Server Credentials/);
    const none = await new MlflowRestSource(srv.url).list();
    assert.equal(seen.at(-1), undefined);
    assert.match(none.warnings[0].message, /HTTP 401/);
  });
});
