// Our three readers of MLflow's model registry against MlflowClient, on registries the real
// MLflow wrote (sklearn models logged with signature + input example, registered, aliased,
// tagged, described, one legacy stage): mlflow.db, the mlruns/ file store, and `mlflow server`.
import { strict as assert } from 'node:assert';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { readFileRegistry } from '../../../src/core/models/mlflowFileRegistry';
import { readRestRegistry } from '../../../src/core/models/mlflowRestRegistry';
import { readSqliteRegistry } from '../../../src/core/models/mlflowSqliteRegistry';
import { localFolder, readMlModel } from '../../../src/core/models/mlmodel';
import { MlflowRestClient } from '../../../src/core/runs/mlflow/mlflowRestClient';
import { requirePeer } from '../harness';
import { peerRun } from './modelsPeer';
import { assertSameRegistry } from './registryReference';
import { startMlflowServer, type MlflowServer } from '../runs/mlflowServer';

describe('MLflow model registry, written and read back by the real MLflow client', function () {
  this.timeout(600_000);
  let python = '';
  const dirs: string[] = [];
  const tmp = (name: string) => {
    const d = mkdtempSync(path.join(tmpdir(), `mlops-models-${name}-`));
    dirs.push(d);
    return d;
  };
  before(function () {
    python = requirePeer(this, 'python');
  });
  after(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

  it('mlflow.db: models, versions, aliases, tags, stages and logged models equal MlflowClient', async () => {
    const dir = tmp('sqlite');
    const db = path.join(dir, 'mlflow.db');
    peerRun(python, ['write', `sqlite:///${db}`, '2', '2']);
    const ours = await readSqliteRegistry(db);
    assert.deepEqual(ours.warnings, []);
    assertSameRegistry(ours, python, `sqlite:///${db}`);
    const champion = ours.models.find((m) => m.name === 'model-0')!.versions.find((v) => v.aliases.includes('champion'))!;
    assert.equal(champion.version, '1');
    // The version's MLmodel (a local folder here): flavor, signature and input example.
    const info = await readMlModel(localFolder(champion.storageLocation)!);
    assert.deepEqual(info.flavors.sort(), ['python_function', 'sklearn']);
    assert.equal(info.signature?.inputs[0]?.type, 'tensor<float64>');
    assert.deepEqual(info.signature?.inputs[0]?.shape, [-1, 2]);
    assert.equal(info.inputExample, 'input_example.json');
    assert.equal(info.runId, champion.runId);
  });

  it('the mlruns/ file store: equal to MlflowClient', async () => {
    const dir = tmp('file');
    const store = path.join(dir, 'mlruns');
    peerRun(python, ['write', `file://${store}`, '1', '2']);
    const ours = await readFileRegistry(store);
    assert.deepEqual(ours.warnings, []);
    assertSameRegistry(ours, python, `file://${store}`);
  });

  describe('behind mlflow server (REST)', () => {
    let server: MlflowServer | undefined;
    before(async function () {
      const mlflow = requirePeer(this, 'mlflow');
      server = await startMlflowServer(mlflow, tmp('server'));
      peerRun(python, ['write', server.url, '2', '2']);
    });
    after(async () => server?.stop());

    it('registered-models/search + model-versions/search (one a page) + logged-models/search: equal to MlflowClient', async () => {
      const ours = await readRestRegistry(new MlflowRestClient(server!.url), { pageSize: 1 });
      assert.deepEqual(ours.warnings, []);
      assert.equal(ours.models.length, 2);
      assertSameRegistry(ours, python, server!.url);
    });

    it('model-versions/search in version ranges at once (as a big registry is read): the same versions', async () => {
      const ours = await readRestRegistry(new MlflowRestClient(server!.url), { versionParts: 3 });
      assert.deepEqual(ours.warnings, []);
      assert.equal(ours.models.reduce((n, m) => n + m.versions.length, 0), 4);
      assertSameRegistry(ours, python, server!.url);
    });
  });
});
