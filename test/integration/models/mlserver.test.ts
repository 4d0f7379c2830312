// Serving a registered version with the real MLServer (V2 protocol) and its MLflow runtime,
// from the settings files, argv and environment we write, and trying it with the V2 body we
// build from MLflow's own example: the outputs must equal `mlflow.pyfunc.load_model(...)
// .predict(...)` on the same rows. MLServer comes from its own venv (scripts/setup/mlserver.sh).
import { strict as assert } from 'node:assert';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { localFolder, readMlModel } from '../../../src/core/models/mlmodel';
import { mlserverFailureHint, mlserverLaunch } from '../../../src/core/models/mlserver';
import { findFreePort, inferPath, portInUse } from '../../../src/core/models/serving';
import { invoke } from '../../../src/core/models/servingClient';
import { ServedModel } from '../../../src/core/models/servingProcess';
import { exampleRequest } from '../../../src/core/models/servingRequest';
import { checkV2Body, v2FromMlflowBody, v2Outputs } from '../../../src/core/models/v2Request';
import { repoRoot, requireOrSkip, requirePeer } from '../harness';
import { registerServingModel, type ServingModel } from './modelsPeer';

// MLServer imports mlflow, pandas and the model: ~30 s here, more on a loaded machine.
const HEALTH_DEADLINE_MS = 240_000;

// A name with a space: MLServer's route segment is our sanitized one, MLflow's URI the real name.
const MODEL = 'mlserver test';

describe('Serving with MLServer: real mlserver + mlserver-mlflow, V2 predictions equal pyfunc', function () {
  this.timeout(480_000);
  let dir = '';
  let mlserver = '';
  let logged: ServingModel = { version: '', storage: '', predictions: [] };
  const served: ServedModel[] = [];

  before(function () {
    const python = requirePeer(this, 'python');
    mlserver = path.join(repoRoot, '.venv-mlserver', 'bin', 'mlserver');
    requireOrSkip(this, existsSync(mlserver) ? undefined : `mlserver: ${mlserver} is missing (run bash scripts/setup/mlserver.sh)`);
    dir = mkdtempSync(path.join(tmpdir(), 'mlops-mlserver-test-'));
    logged = registerServingModel(python, path.join(dir, 'mlflow.db'), MODEL, { seed: 11, rows: 6 });
  });
  after(async () => {
    await Promise.all(served.map((s) => s.stop()));
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  for (const how of ['version', 'alias'] as const) {
    it(`serves models:/ by ${how}: the model is ready, then our V2 body answers as pyfunc predicts; stop frees the port and removes the settings`, async () => {
      const [port, grpcPort] = [await findFreePort(), await findFreePort()];
      const target = how === 'alias' ? { name: MODEL, alias: 'champion' } : { name: MODEL, version: String(logged.version) };
      const trackingUri = `sqlite:///${path.join(dir, 'mlflow.db')}`;
      const launch = await mlserverLaunch({ mlserver, target, trackingUri, host: '127.0.0.1', port, grpcPort }, { ...process.env, MLFLOW_DISABLE_TELEMETRY: 'true' });
      assert.equal(launch.modelName, 'mlserver-test');
      const s = new ServedModel({ target, trackingUri, host: '127.0.0.1', port }, { launch });
      served.push(s);
      const health = await s.waitHealthy(HEALTH_DEADLINE_MS);
      assert.equal(health.healthy, true, `not healthy: ${JSON.stringify(health)}\n${s.logTail(30)}`);

      // The body Try Model starts with: MLflow's serving example, turned into V2 by us.
      const folder = localFolder(logged.storage)!;
      const info = await readMlModel(folder);
      const example = await exampleRequest(folder, info);
      const v2 = v2FromMlflowBody(JSON.parse(example.text), info)!;
      assert.deepEqual(
        v2.inputs.map((i) => [i.name, i.datatype, i.shape]),
        ['sepal', 'petal', 'stem'].map((c) => [c, 'FP64', [6]]),
      );
      const checked = checkV2Body(JSON.stringify(v2));
      assert.ok('body' in checked, JSON.stringify(checked));
      const r = await invoke(s.url, checked.body, { format: 'json', repeats: 3, path: inferPath(launch) });
      assert.equal(r.status, 200, `${r.text}\n${s.logTail(30)}`);
      assert.deepEqual(v2Outputs(r.json), logged.predictions);
      assert.equal(r.latency?.n, 3);

      // A body MLServer refuses: its own answer, verbatim.
      const bad = await invoke(s.url, JSON.stringify({ inputs: [{ name: 'sepal', shape: [6] }] }), { format: 'json', path: inferPath(launch) });
      assert.equal(bad.status, 422, bad.text);
      assert.match(bad.text, /datatype/);

      await s.stop();
      assert.ok(s.exit);
      assert.equal(await portInUse(port), false, 'the HTTP port is still taken after stop');
      assert.equal(await portInUse(grpcPort), false, 'the gRPC port is still taken after stop');
      assert.equal(existsSync(launch.folder), false, 'the settings folder is left behind');
    });
  }

  it('a version the registry does not have: the wait ends at MLServer\'s load error, not at the deadline, with a next step; MLServer then exits', async () => {
    const [port, grpcPort] = [await findFreePort(), await findFreePort()];
    const target = { name: MODEL, version: '99' };
    const trackingUri = `sqlite:///${path.join(dir, 'mlflow.db')}`;
    const launch = await mlserverLaunch({ mlserver, target, trackingUri, host: '127.0.0.1', port, grpcPort }, { ...process.env, MLFLOW_DISABLE_TELEMETRY: 'true' });
    const s = new ServedModel({ target, trackingUri, host: '127.0.0.1', port }, { launch });
    served.push(s);
    const started = Date.now();
    const health = await s.waitHealthy(HEALTH_DEADLINE_MS);
    assert.equal(health.healthy, false);
    assert.ok(!health.healthy && /did not load/.test(health.reason), JSON.stringify(health));
    assert.ok(Date.now() - started < HEALTH_DEADLINE_MS / 2, 'it waited for the deadline');
    // A load error at startup shuts MLServer down by itself (exit code 0).
    await s.whenExited();
    assert.match(s.exit ?? '', /exited with code 0/);
    assert.match(mlserverFailureHint(s.logTail(40)) ?? '', /cannot find this version/);
    await s.stop();
  });
});
