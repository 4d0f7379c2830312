// The model-registry worker as esbuild bundles it: mlflow.db is read by the worker's own
// bundle (no YAML parser, no simple-git in it), the file store and MLmodel through the
// readers it loads from beside it on first use; each answer the same as the reader's in this
// thread, on registries the real MLflow client wrote.
import { strict as assert } from 'node:assert';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import * as esbuild from 'esbuild';
import { IsolatedWorker } from '../../../src/core/common/isolatedWorker';
import { readFileRegistry } from '../../../src/core/models/mlflowFileRegistry';
import { readSqliteRegistry } from '../../../src/core/models/mlflowSqliteRegistry';
import { localFolder, readMlModel } from '../../../src/core/models/mlmodel';
import { repoRoot, requirePeer } from '../harness';
import { peerRun } from './modelsPeer';

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
});
