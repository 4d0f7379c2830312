// Serving a registered version through the real `mlflow models serve` with our argv and
// environment, and trying it with our request bodies: the server's predictions must equal
// what MLflow's own `mlflow.pyfunc.load_model(...).predict(...)` says on the same input.
import { strict as assert } from 'node:assert';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import * as http from 'node:http';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { localFolder, readMlModel } from '../../../src/core/models/mlmodel';
import { findFreePort, portInUse, serveFailureHint } from '../../../src/core/models/serving';
import { invoke } from '../../../src/core/models/servingClient';
import { ServedModel } from '../../../src/core/models/servingProcess';
import { bodyFromInputExample, exampleRequest, splitToCsv } from '../../../src/core/models/servingRequest';
import { requirePeer } from '../harness';
import { registerServingModel, type ServingModel } from './modelsPeer';

// Loading mlflow and the model takes ~15 s here; a loaded CI machine takes longer.
const HEALTH_DEADLINE_MS = 150_000;

describe('Serving a registered model: real mlflow models serve, real predictions', function () {
  this.timeout(400_000);
  let dir = '';
  let mlflow = '';
  let logged: ServingModel = { version: '', storage: '', predictions: [] };
  const served: ServedModel[] = [];
  const trackingUri = () => `sqlite:///${path.join(dir, 'mlflow.db')}`;

  before(function () {
    const python = requirePeer(this, 'python');
    mlflow = requirePeer(this, 'mlflow');
    dir = mkdtempSync(path.join(tmpdir(), 'mlops-serve-'));
    logged = registerServingModel(python, path.join(dir, 'mlflow.db'), 'serve-test', { seed: 7, rows: 4 });
  });
  after(async () => {
    await Promise.all(served.map((s) => s.stop()));
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('serves @champion with our argv, answers our bodies (serving example, input example, CSV) as pyfunc predicts, and frees the port on stop', async () => {
    const port = await findFreePort();
    const lines: string[] = [];
    const s = new ServedModel({ mlflow, target: { name: 'serve-test', alias: 'champion' }, trackingUri: trackingUri(), host: '127.0.0.1', port }, { onLine: (l) => lines.push(l) });
    served.push(s);
    const health = await s.waitHealthy(HEALTH_DEADLINE_MS);
    assert.equal(health.healthy, true, `not healthy: ${JSON.stringify(health)}\n${s.logTail(30)}`);

    const folder = localFolder(logged.storage)!;
    const info = await readMlModel(folder);
    const example = await exampleRequest(folder, info);
    assert.equal(example.source, 'serving example');
    const viaServing = await invoke(s.url, example.text, { format: 'json', repeats: 5 });
    assert.equal(viaServing.status, 200, viaServing.text);
    assert.deepEqual(viaServing.json, { predictions: logged.predictions });
    assert.equal(viaServing.latency?.n, 5);

    // The input example converted by us (what the editor holds when there is no serving example).
    const converted = bodyFromInputExample(JSON.parse(readFileSync(path.join(folder, info.inputExample!), 'utf8')))!;
    assert.ok('dataframe_split' in converted);
    const viaExample = await invoke(s.url, JSON.stringify(converted), { format: 'json' });
    assert.deepEqual(viaExample.json, { predictions: logged.predictions });
    const viaCsv = await invoke(s.url, splitToCsv(converted)!, { format: 'csv' });
    assert.deepEqual(viaCsv.json, { predictions: logged.predictions });

    // A wrong body: MLflow's own error, verbatim.
    const bad = await invoke(s.url, '{"rows": []}', { format: 'json' });
    assert.equal(bad.status, 400);
    assert.match(bad.text, /"error_code": "BAD_REQUEST"/);

    assert.ok(lines.some((l) => /uvicorn|Uvicorn running|Started server/i.test(l)), lines.join('\n'));
    await s.stop();
    assert.ok(s.exit);
    assert.equal(await portInUse(port), false, 'the port is still taken after stop');
  });

  it('a serve on a port already in use fails with its log and says so', async () => {
    const holder = http.createServer((_, res) => res.end());
    const port = await findFreePort();
    await new Promise<void>((r) => holder.listen(port, '127.0.0.1', r));
    try {
      const s = new ServedModel({ mlflow, target: { name: 'serve-test', version: logged.version }, trackingUri: trackingUri(), host: '127.0.0.1', port });
      served.push(s);
      // The holder answers /ping with 200 too: what tells them apart is that mlflow exits.
      await s.whenExited();
      assert.match(s.logTail(40), /address already in use|Errno 98|bind/i);
      assert.match(serveFailureHint(s.logTail(40)), /port is in use/);
    } finally {
      await new Promise((r) => holder.close(r));
    }
  });
});
