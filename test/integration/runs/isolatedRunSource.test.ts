// The file-backed run stores read through the worker thread (IsolatedRunSource), from the
// bundle esbuild makes of the worker entry, compared with the same readers in this thread
// and with MLflow's own client; and a store whose reader spins or allocates without bound
// costs only that store.
import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import * as esbuild from 'esbuild';
import { IsolatedWorkerError, type IsolatedWorker } from '../../../src/core/common/isolatedWorker';
import { createFileRunSource, type FileStoreKind } from '../../../src/core/runs/fileSources';
import { isCompactMetrics } from '../../../src/core/runs/compactListing';
import { IsolatedRunSource, runsWorker } from '../../../src/core/runs/isolated/isolatedRunSource';
import { loadListingSnapshot, SavedListingGate, type SnapshotPlace } from '../../../src/core/runs/mlflow/sqliteListingSnapshot';
import type { RunListing } from '../../../src/core/runs/types';
import { repoRoot, requirePeer } from '../harness';
import { assertSameAsMlflow, mlflowEnv, mlflowRead, mlflowWrite } from './mlflowReference';

const wasmPath = path.join(repoRoot, 'node_modules', 'sql.js', 'dist', 'sql-wasm.wasm');

/** Bundles a worker entry as esbuild.mjs does (node, cjs), into `dir`. */
async function bundle(entry: string, dir: string): Promise<string> {
  const outfile = path.join(dir, `${path.basename(entry, '.ts')}.js`);
  await esbuild.build({ entryPoints: [entry], outfile, bundle: true, platform: 'node', target: 'node20', format: 'cjs', logLevel: 'warning', external: ['vscode'] });
  return outfile;
}

describe('run stores read in the worker thread (IsolatedRunSource)', function () {
  this.timeout(180000);
  let dir = '';
  let python = '';
  let workerScript = '';
  let faultsScript = '';
  const stores: { kind: FileStoreKind; location: string }[] = [];
  const workers: IsolatedWorker[] = [];

  before(async function () {
    python = requirePeer(this, 'python');
    dir = mkdtempSync(path.join(tmpdir(), 'mlops-isolated-'));
    workerScript = await bundle(path.join(repoRoot, 'src/core/runs/isolated/runsWorker.ts'), dir);
    // The readers the worker loads from beside its bundle (all kinds but mlflow.db).
    await bundle(path.join(repoRoot, 'src/core/runs/isolated/runsReaders.ts'), dir);
    faultsScript = await bundle(path.join(__dirname, 'fixtures', 'runsWorkerWithFaults.ts'), dir);
    const db = path.join(dir, 'mlflow.db');
    mlflowWrite(python, `sqlite:///${db}`);
    const mlruns = path.join(dir, 'mlruns');
    mlflowWrite(python, `file://${mlruns}`);
    const tb = path.join(dir, 'tb');
    execFileSync(python, [path.join(__dirname, 'peers', 'tensorboard_peer.py'), 'write', path.join(tb, 'run1'), '500'], { stdio: 'pipe' });
    stores.push({ kind: 'mlflow-sqlite', location: db }, { kind: 'mlflow-file', location: mlruns }, { kind: 'tensorboard', location: tb });
  });
  afterEach(() => workers.splice(0).forEach((w) => w.dispose()));
  after(() => dir && rmSync(dir, { recursive: true, force: true }));

  const inThread = async (kind: FileStoreKind, location: string): Promise<RunListing> => {
    const s = createFileRunSource(kind, location, { wasmPath });
    try {
      return await s.list();
    } finally {
      s.dispose?.();
    }
  };

  it('lists each store as the readers do in this thread, and as MLflow does', async () => {
    const worker = runsWorker({ script: workerScript, sources: { wasmPath } });
    workers.push(worker);
    for (const { kind, location } of stores) {
      const isolated = new IsolatedRunSource(kind, location, worker);
      const listing = await isolated.list();
      assert.deepEqual(listing, await inThread(kind, location), `${kind} listing`);
      // Once this side has packed the metrics (compactListingSoon), the answer is the same.
      for (let turns = 0; listing.runs.some((r) => Object.keys(r.metrics).length && !isCompactMetrics(r.metrics)); turns++) {
        assert.ok(turns < 1000, `${kind}: the listing is packed within a bounded number of turns`);
        await new Promise((r) => setImmediate(r));
      }
      assert.deepStrictEqual(listing, await inThread(kind, location), `${kind} listing, packed`);
      if (kind !== 'tensorboard') await assertSameAsMlflow(isolated, mlflowRead(python, kind === 'mlflow-sqlite' ? `sqlite:///${location}` : `file://${location}`));
      else {
        const inThreadTb = createFileRunSource(kind, location, {});
        await inThreadTb.list();
        assert.deepEqual(await isolated.metricHistory('run1', 'loss'), await inThreadTb.metricHistory('run1', 'loss'));
        assert.equal((await isolated.metricHistory('run1', 'loss')).length, 500);
      }
      isolated.dispose();
    }
    assert.equal(worker.starts, 1, 'one worker for every store');
  });

  it('a store whose reader spins or allocates without bound costs one error for that store; the others list', async () => {
    const lines: string[] = [];
    const worker = runsWorker({ script: faultsScript, sources: { wasmPath }, deadlineMs: 3000, heapMb: 128, log: (l) => lines.push(l) });
    workers.push(worker);
    const all = [...stores, { kind: 'test-spin', location: path.join(dir, 'spin') }, { kind: 'test-grow', location: path.join(dir, 'grow') }];
    const sources = all.map((s) => new IsolatedRunSource(s.kind, s.location, worker));
    // As the Runs view lists: every store at once, each failure that store's error.
    const results = await Promise.allSettled(sources.map((s) => s.list()));
    const byKind = new Map(all.map((s, i) => [s.kind, results[i]]));
    for (const { kind, location } of stores) {
      const r = byKind.get(kind)!;
      assert.equal(r.status, 'fulfilled', `${kind}: ${r.status === 'rejected' ? (r.reason as Error).message : ''}`);
      assert.deepEqual((r as PromiseFulfilledResult<RunListing>).value, await inThread(kind, location), `${kind} listing`);
    }
    const spin = byKind.get('test-spin')!;
    assert.equal(spin.status, 'rejected');
    assert.ok((spin as PromiseRejectedResult).reason instanceof IsolatedWorkerError);
    assert.match(((spin as PromiseRejectedResult).reason as Error).message, /did not finish list within 3 s/);
    const grow = byKind.get('test-grow')!;
    assert.equal(grow.status, 'rejected');
    assert.match(((grow as PromiseRejectedResult).reason as Error).message, /ran out of its 128 MB heap/);
    // This thread lived through both, and the next listing of a good store works at once.
    assert.equal((await sources[0].list()).runs.length, 6);
    assert.ok(worker.deaths >= 2 && worker.deaths <= 3, `deaths ${worker.deaths}: ${lines.join('\n')}`);

    // The store at fault is not read again at every refresh (a core for a whole deadline
    // each time), until its backoff ends or the user refreshes.
    const spinSource = sources[all.findIndex((s) => s.kind === 'test-spin')];
    const deaths = worker.deaths;
    const t = Date.now();
    await assert.rejects(spinSource.list(), /did not finish list within 3 s.*read again in 2 min or on Refresh/);
    assert.ok(Date.now() - t < 1000);
    assert.equal(worker.deaths, deaths);
    spinSource.retry();
    await assert.rejects(spinSource.list(), /read again in 4 min/);
    assert.equal(worker.deaths, deaths + 1);
  });

  it('a second window on an unchanged mlflow.db lists what the first saved, without the worker; after MLflow logs, the worker reads the file again', async () => {
    const db = stores[0].location;
    const storage = mkdtempSync(path.join(tmpdir(), 'mlops-storage-'));
    const place: SnapshotPlace = { dir: storage, reader: 'reader-1' };
    try {
      const w1 = runsWorker({ script: workerScript, sources: { wasmPath }, snapshots: place });
      workers.push(w1);
      const first = await new IsolatedRunSource('mlflow-sqlite', db, w1).list();
      // The worker saves after its reply: wait for the file to appear (bounded).
      const folder = path.join(storage, 'mlflow-listings');
      for (let i = 0; !(existsSync(folder) && readdirSync(folder).some((f) => f.endsWith('.bin'))); i++) {
        assert.ok(i < 2000, 'the listing is saved');
        await new Promise((r) => setTimeout(r, 5));
      }
      w1.dispose();

      const w2 = runsWorker({ script: workerScript, sources: { wasmPath }, snapshots: place });
      workers.push(w2);
      const second = new IsolatedRunSource('mlflow-sqlite', db, w2, Date.now, new SavedListingGate(place, db, 'runs'));
      const reopened = await second.list();
      assert.equal(w2.starts, 0, 'answered without starting the worker');
      assert.deepEqual(JSON.parse(JSON.stringify(reopened.runs)), JSON.parse(JSON.stringify(first.runs)));
      assert.deepEqual(reopened.experiments, first.experiments);
      assert.equal((await second.list()).runs, reopened.runs, 'while the stamp holds, the same listing');
      assert.equal(w2.starts, 0);
      assert.equal(await loadListingSnapshot({ ...place, reader: 'reader-2' }, db), undefined, 'another reader build does not use it');

      // MLflow logs: the stamp moves, the saved listing no longer answers, the worker reads.
      const runId = first.runs[0].id;
      execFileSync(python, ['-c', `import mlflow, sys\nmlflow.MlflowClient(tracking_uri='sqlite:///' + sys.argv[1]).log_metric(sys.argv[2], 'after_save', 2.5, step=4)`, db, runId], { env: mlflowEnv, stdio: 'pipe' });
      assert.equal(await loadListingSnapshot(place, db), undefined, 'the file changed: the saved listing is not answered');
      const after = await second.list();
      assert.equal(w2.starts, 1, 'the worker read the changed file');
      assert.equal(after.runs.find((r) => r.id === runId)!.metrics.after_save.value, 2.5);
      await assertSameAsMlflow(second, mlflowRead(python, `sqlite:///${db}`));
    } finally {
      rmSync(storage, { recursive: true, force: true });
    }
  });
});
