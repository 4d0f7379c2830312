// The model-registry worker as esbuild bundles it: mlflow.db is read by the worker's own
// bundle (no YAML parser, no simple-git in it), the file store and MLmodel through the
// readers it loads from beside it on first use; each answer the same as the reader's in this
// thread, on registries the real MLflow client wrote. A second window lists an unchanged
// mlflow.db from what the first saved, without the worker.
import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import * as esbuild from 'esbuild';
import { IsolatedWorker } from '../../../src/core/common/isolatedWorker';
import { IsolatedRegistries, modelsWorker } from '../../../src/core/models/isolated/isolatedRegistries';
import type { RegistryListing } from '../../../src/core/models/types';
import { loadListingSnapshot, type SnapshotPlace } from '../../../src/core/runs/mlflow/sqliteListingSnapshot';
import { readFileRegistry } from '../../../src/core/models/mlflowFileRegistry';
import { readSqliteRegistry } from '../../../src/core/models/mlflowSqliteRegistry';
import { localFolder, readMlModel } from '../../../src/core/models/mlmodel';
import { repoRoot, requirePeer, waitFor } from '../harness';
import { mlflowEnv } from '../runs/mlflowReference';
import { peerRun } from './modelsPeer';
import { assertSameRegistry } from './registryReference';

const wasmPath = path.join(repoRoot, 'node_modules', 'sql.js', 'dist', 'sql-wasm.wasm');

/** Bundles a worker entry as esbuild.mjs does (node, cjs), into `dir`. */
async function bundle(entry: string, dir: string): Promise<string> {
  const outfile = path.join(dir, `${path.basename(entry, '.ts')}.js`);
  await esbuild.build({ entryPoints: [entry], outfile, bundle: true, platform: 'node', target: 'node20', format: 'cjs', logLevel: 'warning', external: ['vscode'] });
  return outfile;
}

describe('model registries read in the worker thread (modelsWorker + modelsReaders)', function () {
  this.timeout(300_000);
  let dir = '';
  let python = '';
  let worker: IsolatedWorker | undefined;
  let script = '';

  before(async function () {
    python = requirePeer(this, 'python');
    dir = mkdtempSync(path.join(tmpdir(), 'mlops-models-worker-'));
    script = await bundle(path.join(repoRoot, 'src/core/models/isolated/modelsWorker.ts'), dir);
    await bundle(path.join(repoRoot, 'src/core/models/isolated/modelsReaders.ts'), dir);
    peerRun(python, ['write', `sqlite:///${path.join(dir, 'mlflow.db')}`, '2', '2']);
    peerRun(python, ['write', `file://${path.join(dir, 'mlruns')}`, '1', '2']);
    worker = new IsolatedWorker({ name: 'the model registry reader', script, workerData: { wasmPath }, heapMb: 512, deadlineMs: 60_000 });
  });
  after(() => {
    worker?.dispose();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it("the worker's own bundle holds the mlflow.db reader and neither the YAML parser nor simple-git", () => {
    const text = readFileSync(script, 'utf8');
    assert.match(text, /mlflowSqliteRegistry\.ts/);
    assert.doesNotMatch(text, /node_modules\/yaml\//);
    assert.doesNotMatch(text, /node_modules\/simple-git\//);
  });

  it('mlflow.db, the file store and an MLmodel: the same answers as in this thread', async () => {
    const db = path.join(dir, 'mlflow.db');
    const viaWorker = await worker!.call<Awaited<ReturnType<typeof readSqliteRegistry>>>('list', { kind: 'mlflow-sqlite', location: db });
    const here = await readSqliteRegistry(db, { wasmPath });
    assert.equal(viaWorker.models.length, 2);
    assert.deepEqual(viaWorker, here);

    const store = path.join(dir, 'mlruns');
    const fileViaWorker = await worker!.call<Awaited<ReturnType<typeof readFileRegistry>>>('list', { kind: 'mlflow-file', location: store });
    assert.equal(fileViaWorker.models.length, 1);
    assert.deepEqual(fileViaWorker, await readFileRegistry(store));

    const champion = here.models.flatMap((m) => m.versions).find((v) => v.aliases.includes('champion'))!;
    const folder = localFolder(champion.storageLocation)!;
    assert.deepEqual(await worker!.call('mlmodel', { folder }), await readMlModel(folder));
  });

  // Last: it moves an alias in the mlflow.db the test above reads.
  it('a second window on an unchanged mlflow.db lists what the first saved, without the worker; after MlflowClient sets an alias, the worker reads the file again', async () => {
    const db = path.join(dir, 'mlflow.db');
    const storage = mkdtempSync(path.join(tmpdir(), 'mlops-storage-'));
    const place: SnapshotPlace = { dir: storage, reader: 'reader-1' };
    const workers: IsolatedWorker[] = [];
    try {
      const w1 = modelsWorker({ script, wasmPath, snapshots: place });
      workers.push(w1);
      const first = await new IsolatedRegistries(w1, place).list('mlflow-sqlite', db);
      assert.equal(w1.starts, 1, 'nothing saved yet: the worker read the file');
      assert.deepEqual(first.warnings, []);
      // The worker saves after its reply: wait for the file to appear (bounded).
      const folder = path.join(storage, 'mlflow-registries');
      await waitFor(() => existsSync(folder) && readdirSync(folder).some((f) => f.endsWith('.bin')), 10_000, 'the registry listing saved');
      assert.equal(existsSync(path.join(storage, 'mlflow-listings')), false, "nothing saved where the Runs view's listings go");
      w1.dispose();

      const w2 = modelsWorker({ script, wasmPath, snapshots: place });
      workers.push(w2);
      const second = new IsolatedRegistries(w2, place);
      const reopened = await second.list('mlflow-sqlite', db);
      assert.equal(w2.starts, 0, 'answered without starting the worker');
      assert.deepEqual(reopened, first);
      assertSameRegistry(reopened, python, `sqlite:///${db}`);
      assert.deepEqual(await second.list('mlflow-sqlite', db), reopened, 'while the stamp holds, the saved listing');
      assert.equal(w2.starts, 0);
      assert.equal(await loadListingSnapshot({ ...place, reader: 'reader-2' }, db, 'models'), undefined, 'another reader build does not use it');

      // MlflowClient sets an alias: the stamp moves, the worker reads the file.
      execFileSync(python, ['-c', `import mlflow, sys\nmlflow.MlflowClient(tracking_uri='sqlite:///' + sys.argv[1]).set_registered_model_alias('model-0', 'prod', '2')`, db], { env: mlflowEnv, stdio: 'pipe' });
      assert.equal(await loadListingSnapshot(place, db, 'models'), undefined, 'the file changed: the saved listing is not answered');
      const after: RegistryListing = await second.list('mlflow-sqlite', db);
      assert.equal(w2.starts, 1, 'the worker read the changed file');
      assert.equal(after.models.find((m) => m.name === 'model-0')?.aliases.prod, '2');
      assertSameRegistry(after, python, `sqlite:///${db}`);
    } finally {
      for (const w of workers) w.dispose();
      rmSync(storage, { recursive: true, force: true });
    }
  });
});
