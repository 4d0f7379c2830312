// The Models view's writes, carried out the two ways it has (MLflow's own client with the
// environment's interpreter for mlflow.db; the REST API for a server) and read back with
// MlflowClient: aliases set, moved and removed, tags, a registration from a logged model,
// a version deleted, and MLflow's own message when it refuses.
import { strict as assert } from 'node:assert';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { readSqliteRegistry } from '../../../src/core/models/mlflowSqliteRegistry';
import { RegistryWriteError, writeOverRest, writeWithClient, type RegistryWrite } from '../../../src/core/models/registryWrites';
import { MlflowRestClient } from '../../../src/core/runs/mlflow/mlflowRestClient';
import { requirePeer } from '../harness';
import { startMlflowServer, type MlflowServer } from '../runs/mlflowServer';
import { peerRun } from './modelsPeer';

interface Ref {
  models: { name: string; aliases: Record<string, string>; tags: Record<string, string> }[];
  versions: { name: string; version: string; tags: Record<string, string>; source: string; runId: string }[];
}

describe('registry writes through MLflow, read back with MlflowClient', function () {
  this.timeout(600_000);
  let python = '';
  const dirs: string[] = [];
  before(function () {
    python = requirePeer(this, 'python');
  });
  after(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

  // The same script of writes against either target; `read` is MlflowClient's view after.
  async function exercise(write: (w: RegistryWrite) => Promise<{ version?: string }>, uri: string): Promise<void> {
    await write({ op: 'setAlias', name: 'model-0', alias: 'prod', version: '2' });
    await write({ op: 'setVersionTag', name: 'model-0', version: '2', key: 'reviewed', value: 'by me' });
    await write({ op: 'setModelTag', name: 'model-0', key: 'owner', value: 'team a' });
    // champion moves from version 1 to 2; challenger is removed.
    await write({ op: 'setAlias', name: 'model-0', alias: 'champion', version: '2' });
    await write({ op: 'deleteAlias', name: 'model-0', alias: 'challenger' });
    let ref = peerRun<Ref>(python, ['read', uri]);
    const m0 = ref.models.find((m) => m.name === 'model-0')!;
    assert.deepEqual(m0.aliases, { champion: '2', prod: '2' });
    assert.equal(m0.tags.owner, 'team a');
    assert.equal(ref.versions.find((v) => v.name === 'model-0' && v.version === '2')!.tags.reviewed, 'by me');
    // A new registered model from version 1's logged model.
    const v1 = ref.versions.find((v) => v.name === 'model-0' && v.version === '1')!;
    const source = v1.source;
    const made = await write({ op: 'register', name: 'copy', source, runId: v1.runId });
    assert.equal(made.version, '1');
    await write({ op: 'deleteVersion', name: 'model-0', version: '1' });
    ref = peerRun<Ref>(python, ['read', uri]);
    assert.deepEqual(ref.versions.filter((v) => v.name === 'copy').map((v) => [v.version, v.source]), [['1', source]]);
    assert.deepEqual(ref.versions.filter((v) => v.name === 'model-0').map((v) => v.version), ['2']);
    // MLflow's refusal, in its words: an alias on a version that does not exist.
    await assert.rejects(write({ op: 'setAlias', name: 'model-0', alias: 'x', version: '99' }), (err: Error) => err instanceof RegistryWriteError && /not found|RESOURCE_DOES_NOT_EXIST/i.test(err.message));
  }

  it("mlflow.db through MLflow's client (python -c, argv array); our reader sees the same", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'mlops-models-write-'));
    dirs.push(dir);
    const db = path.join(dir, 'mlflow.db');
    const uri = `sqlite:///${db}`;
    peerRun(python, ['write', uri, '1', '2']);
    await exercise((w) => writeWithClient({ python, trackingUri: uri, cwd: dir }, w), uri);
    const ours = await readSqliteRegistry(db);
    assert.deepEqual(ours.models.find((m) => m.name === 'model-0')?.aliases, { champion: '2', prod: '2' });
  });

  describe('a tracking server through its REST API', () => {
    let server: MlflowServer | undefined;
    before(async function () {
      const dir = mkdtempSync(path.join(tmpdir(), 'mlops-models-write-srv-'));
      dirs.push(dir);
      server = await startMlflowServer(requirePeer(this, 'mlflow'), dir);
      peerRun(python, ['write', server.url, '1', '2']);
    });
    after(async () => server?.stop());

    it('set/move/remove aliases, tags, register, delete: as MlflowClient reads them', async () => {
      const client = new MlflowRestClient(server!.url);
      await exercise((w) => writeOverRest(client, w), server!.url);
    });
  });
});
