// The isolation of untrusted readers: a real worker thread (fixtures/testWorker.ts) that
// spins, allocates without bound or throws on request, behind the real IsolatedWorker.
import { strict as assert } from 'node:assert';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import * as nodeModule from 'node:module';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { IsolatedWorker, IsolatedWorkerError, type IsolatedWorkerOptions } from '../../../src/core/common/isolatedWorker';
import { tsWorkerCode } from './fixtures/tsWorker';

const code = tsWorkerCode(path.join(__dirname, 'fixtures', 'testWorker.ts'));

describe('IsolatedWorker (real worker thread)', function () {
  this.timeout(30000);
  const workers: IsolatedWorker[] = [];
  const make = (options: Partial<IsolatedWorkerOptions> = {}) => {
    const w = new IsolatedWorker({ name: 'test reader', script: code, eval: true, deadlineMs: 5000, ...options });
    workers.push(w);
    return w;
  };
  afterEach(() => workers.splice(0).forEach((w) => w.dispose()));

  it('answers calls, and a handler error rejects that call only (same worker goes on)', async () => {
    const w = make();
    assert.deepEqual(await w.call('echo', { a: [1, 2] }), { a: [1, 2] });
    const thread = await w.call<number>('thread', null);
    await assert.rejects(w.call('fail', 'bad input'), (err: Error) => !(err instanceof IsolatedWorkerError) && err.message === 'bad input');
    await assert.rejects(w.call('nope', null), /no such method: nope/);
    assert.equal(await w.call<number>('thread', null), thread);
    assert.equal(w.starts, 1);
  });

  it('terminates a worker spinning past the deadline; the next call runs on a fresh one', async () => {
    const w = make({ deadlineMs: 300 });
    const before = await w.call<number>('thread', null);
    const started = Date.now();
    await assert.rejects(w.call('spin', null), (err: IsolatedWorkerError) => err.failure === 'deadline' && /did not finish spin within 0.3 s/.test(err.message));
    assert.ok(Date.now() - started < 5000, 'the watchdog fired late');
    const after = await w.call<number>('thread', null);
    assert.notEqual(after, before);
    assert.equal(w.starts, 2);
    assert.equal(w.deaths, 1);
  });

  it('turns a heap-cap death into a rejected call, not a crash, and restarts', async () => {
    const w = make({ heapMb: 32, deadlineMs: 20000 });
    await assert.rejects(w.call('grow', null), (err: IsolatedWorkerError) => err.failure === 'died' && /ran out of its 32 MB heap/.test(err.message));
    assert.deepEqual(await w.call('echo', 'still here'), 'still here');
    assert.equal(w.starts, 2);
  });

  it('blames only the call at fault when others were in flight beside it', async () => {
    const lines: string[] = [];
    const w = make({ deadlineMs: 400, log: (l) => lines.push(l) });
    // The innocent call is sent first, so its deadline would come first if blame went by time.
    const innocent = w.call('wait', 200, { deadlineMs: 400 });
    const culprit = assert.rejects(w.call('spin', null), (err: IsolatedWorkerError) => err.failure === 'deadline' && /spin/.test(err.message));
    const other = w.call('echo', 'x');
    assert.equal(await innocent, 200);
    assert.equal(await other, 'x');
    await culprit;
    assert.ok(lines.some((l) => /3 calls in flight; running them again one at a time/.test(l)), lines.join('\n'));
    // Back to normal: concurrent calls on one worker.
    assert.deepEqual(await Promise.all([w.call('echo', 1), w.call('echo', 2)]), [1, 2]);
  });

  it('moves big arrays back as transferred buffers', async () => {
    const w = make();
    const a = await w.call<Float64Array>('floats', 1_000_000);
    assert.ok(a instanceof Float64Array);
    assert.equal(a.length, 1_000_000);
    assert.equal(a[999_999], 999_999 / 2);
  });

  it('stops an idle worker and starts a fresh one on the next call', async () => {
    let stopped!: () => void;
    const idle = new Promise<void>((r) => (stopped = r));
    const w = make({ idleStopMs: 50, log: (l) => /idle/.test(l) && stopped() });
    const first = await w.call<number>('thread', null);
    await idle;
    assert.notEqual(await w.call<number>('thread', null), first);
    assert.equal(w.starts, 2);
    assert.equal(w.deaths, 0);
  });

  it('warm() starts the worker ahead of its first call, which then runs on it; an unused warm worker stops when idle', async () => {
    const w = make();
    assert.equal(w.running, false);
    w.warm();
    assert.equal(w.running, true);
    w.warm();
    assert.equal(w.starts, 1, 'a second warm() starts nothing');
    assert.deepEqual(await w.call('echo', 'on the warm worker'), 'on the warm worker');
    assert.equal(w.starts, 1);
    let stopped!: () => void;
    const idle = new Promise<void>((r) => (stopped = r));
    const unused = make({ idleStopMs: 50, log: (l) => /idle/.test(l) && stopped() });
    unused.warm();
    await idle;
    assert.equal(unused.running, false);
  });

  it('counts deadlines from when the worker is ready, and gives up on one that never gets there', async () => {
    // A slow start (tsx compiling the fixture takes longer than this deadline) is not a timeout.
    const w = make({ deadlineMs: 150 });
    assert.deepEqual(await w.call('echo', 'slow start'), 'slow start');
    const stuck = make({ script: 'setInterval(() => undefined, 1000);', startDeadlineMs: 300 });
    await assert.rejects(stuck.call('echo', 1), (err: IsolatedWorkerError) => err.failure === 'deadline' && /did not start within 0.3 s/.test(err.message));
  });

  it('rejects calls in flight when disposed', async () => {
    const w = make();
    const pending = w.call('wait', 10000);
    w.dispose();
    await assert.rejects(pending, (err: IsolatedWorkerError) => err.failure === 'disposed');
    await assert.rejects(w.call('echo', 1), (err: IsolatedWorkerError) => err.failure === 'disposed');
  });

  it('with compileCacheDir, loads its script through the compile cache (Node ≥ 22.1) and the script keeps its own __dirname and workerData', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'mlops-compile-cache-'));
    try {
      const script = path.join(dir, 'worker.js');
      writeFileSync(
        script,
        `const { parentPort, workerData } = require('node:worker_threads');
parentPort.on('message', (m) => parentPort.postMessage({ id: m.id, ok: true, value: { dir: __dirname, data: workerData } }));
parentPort.postMessage('isolated-worker-ready');`,
      );
      const cache = path.join(dir, 'cache');
      const w = make({ script, eval: false, compileCacheDir: cache, workerData: { n: 7 } });
      assert.deepEqual(await w.call('where', null), { dir, data: { n: 7 } });
      if (typeof (nodeModule as { enableCompileCache?: unknown }).enableCompileCache === 'function') {
        // Written as soon as the script loaded (flushCompileCache), not when the worker exits.
        assert.ok(readdirSync(cache, { recursive: true }).length > 0, 'the compile cache holds the script');
      } else {
        console.log(`      (Node ${process.version} has no compile cache: only the loading is checked)`);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
