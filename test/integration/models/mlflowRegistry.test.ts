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
import type { RegistryListing } from '../../../src/core/models/types';
import { MlflowRestClient } from '../../../src/core/runs/mlflow/mlflowRestClient';
import { requirePeer } from '../harness';
import { peerRun } from './modelsPeer';
import { startMlflowServer, type MlflowServer } from '../runs/mlflowServer';


interface RefModel {
  name: string;
  description: string;
  created: number;
  updated: number;
  tags: Record<string, string>;
  aliases: Record<string, string>;
}
interface RefVersion {
  name: string;
  version: string;
  stage: string;
  status: string;
  created: number;
  description: string;
  source: string;
  runId: string;
  tags: Record<string, string>;
  aliases: string[];
  modelId: string;
}
interface RefLogged {
  id: string;
  name: string;
  experimentId: string;
  runId: string;
  status: string;
  created: number;
  artifactLocation: string;
  tags: Record<string, string>;
}

/** Ours equals MlflowClient's, field by field. */
function assertSameRegistry(ours: RegistryListing, python: string, uri: string): void {
  const ref = peerRun<{ models: RefModel[]; versions: RefVersion[] }>(python, ['read', uri]);
  assert.ok(ref.models.length > 0, 'the peer wrote models');
  assert.deepEqual(ours.models.map((m) => m.name).sort(), ref.models.map((m) => m.name).sort());
  for (const r of ref.models) {
    const m = ours.models.find((x) => x.name === r.name)!;
    assert.deepEqual(
      { name: m.name, description: m.description, created: m.created, updated: m.updated, tags: m.tags, aliases: m.aliases },
      r,
      `model ${r.name}`,
    );
    const refVersions = ref.versions.filter((v) => v.name === r.name);
    assert.deepEqual(m.versions.map((v) => v.version).sort(), refVersions.map((v) => v.version).sort(), `versions of ${r.name}`);
    for (const rv of refVersions) {
      const v = m.versions.find((x) => x.version === rv.version)!;
      assert.deepEqual(
        { name: v.name, version: v.version, stage: v.stage, status: v.status, created: v.created, description: v.description, source: v.source, runId: v.runId ?? '', tags: v.tags, aliases: v.aliases, modelId: v.modelId ?? '' },
        // MlflowClient fills model_id only from the file store; mlflow.db and the server keep
        // it in `source` (models:/m-…), which is where we take it from.
        { ...rv, modelId: rv.modelId || (rv.source.startsWith('models:/m-') ? rv.source.slice('models:/'.length) : '') },
        `${r.name} version ${rv.version}`,
      );
    }
  }
  const logged = peerRun<RefLogged[]>(python, ['logged', uri]);
  assert.equal(ours.loggedModels.length, logged.length, 'logged models');
  for (const r of logged) {
    const lm = ours.loggedModels.find((x) => x.id === r.id)!;
    assert.ok(lm, `logged model ${r.id}`);
    assert.deepEqual({ ...lm, runId: lm.runId ?? '', status: lm.status, tags: lm.tags }, { ...r, status: r.status.replace(/^LoggedModelStatus\./, '') }, `logged model ${r.id}`);
  }
}

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
