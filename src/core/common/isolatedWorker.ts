// Runs code we do not trust to stay bounded (readers of files anyone can commit) in a
// worker thread: a V8 heap cap (resourceLimits) turns runaway allocation into the death of
// the worker instead of the extension host, and a watchdog terminates the worker when a
// call runs past its deadline (terminate() interrupts even a synchronous endless loop).
// The next call starts a fresh worker. The worker side is isolatedWorkerServe.ts.
//
// Calls run concurrently in one worker, so when it dies the call that was due is not
// necessarily the one to blame: all calls in flight then become suspects and run again
// one at a time on fresh workers; one that fails alone is the culprit and is rejected,
// the others answer. Only idempotent calls (reads) belong here.
import { Worker } from 'node:worker_threads';
import { workerBootstrap } from './compileCache';
import { errorMessage } from './errors';

export interface IsolatedWorkerOptions {
  /** Named in errors and log lines ("TensorBoard reader"). */
  name: string;
  /** The worker's script (a bundle), or its code when `eval` (tests bootstrap TypeScript so). */
  script: string;
  eval?: boolean;
  /** Where the worker keeps V8's compile cache of its script between windows (compileCache.ts); not with `eval`. */
  compileCacheDir?: string;
  workerData?: unknown;
  /** V8 old-generation cap of the worker, MB (default 512). */
  heapMb?: number;
  /** Default deadline of a call, ms (default 60 s). */
  deadlineMs?: number;
  /** How long the worker may take to load its entry, ms (default 30 s); calls' deadlines start after. */
  startDeadlineMs?: number;
  /** The worker stops after this long without calls, ms (default 120 s); the next call starts one. */
  idleStopMs?: number;
  log?: (line: string) => void;
}

/** Why a call failed when the fault was the worker's, not an error the handler threw. */
export type IsolatedFailure = 'deadline' | 'died' | 'disposed';

export class IsolatedWorkerError extends Error {
  constructor(
    message: string,
    readonly failure: IsolatedFailure,
  ) {
    super(message);
    this.name = 'IsolatedWorkerError';
  }
}

export interface CallOptions {
  deadlineMs?: number;
  /** Buffers moved to the worker instead of copied. */
  transfer?: ArrayBuffer[];
}

interface Call {
  id: number;
  method: string;
  params: unknown;
  options: CallOptions;
  resolve(value: unknown): void;
  reject(err: Error): void;
  timer?: ReturnType<typeof setTimeout>;
  /** Was in flight when a worker died beside other calls: runs again alone. */
  suspect: boolean;
}

/** What the worker answers (isolatedWorkerServe.ts posts it). */
export type WorkerReply = { id: number; ok: true; value: unknown } | { id: number; ok: false; message: string };

/** Posted once the worker's entry has loaded: deadlines count from here, not from its start. */
export const READY = 'isolated-worker-ready';

function isReply(m: unknown): m is WorkerReply {
  const r = m as WorkerReply | undefined;
  return typeof r === 'object' && r !== null && typeof r.id === 'number' && typeof r.ok === 'boolean';
}

export class IsolatedWorker {
  private worker: Worker | undefined;
  /** The worker has loaded its entry; until then calls wait in it without a deadline running. */
  private ready = false;
  private startTimer: ReturnType<typeof setTimeout> | undefined;
  private readonly inflight = new Map<number, Call>();
  private readonly queue: Call[] = [];
  private nextId = 1;
  private idleTimer: ReturnType<typeof setTimeout> | undefined;
  private disposed = false;
  /** Workers started so far (the first included). */
  starts = 0;
  /** Workers that died or were stopped by the watchdog. */
  deaths = 0;

  constructor(private readonly options: IsolatedWorkerOptions) {}

  /** Whether a worker is started now (an idle one stops by itself). */
  get running(): boolean {
    return this.worker !== undefined;
  }

  private get heapMb(): number {
    return this.options.heapMb ?? 512;
  }

  /** Calls `method` in the worker; rejects with IsolatedWorkerError when the worker fails it. */
  call<T>(method: string, params: unknown, options: CallOptions = {}): Promise<T> {
    if (this.disposed) return Promise.reject(new IsolatedWorkerError(`${this.options.name} is closed`, 'disposed'));
    return new Promise<T>((resolve, reject) => {
      this.queue.push({ id: this.nextId++, method, params, options, resolve: resolve as (v: unknown) => void, reject, suspect: false });
      this.pump();
    });
  }

  /**
   * Starts the worker ahead of its first call, so that its start and the loading of its
   * entry overlap whatever the caller does meanwhile; an unused one stops when idle.
   */
  warm(): void {
    if (this.disposed || this.worker) return;
    this.ensureWorker();
    if (!this.inflight.size && !this.queue.length) this.armIdleStop();
  }

  /** Stops the worker; calls waiting or in flight reject. */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    const calls = [...this.inflight.values(), ...this.queue.splice(0)];
    this.inflight.clear();
    this.stopWorker();
    for (const c of calls) this.settle(c, new IsolatedWorkerError(`${this.options.name} was closed`, 'disposed'));
  }

  /** While suspects remain, one call at a time; otherwise everything queued goes now. */
  private pump(): void {
    if (this.disposed) return;
    clearTimeout(this.idleTimer);
    this.idleTimer = undefined;
    while (this.queue.length) {
      const solo = this.queue[0].suspect || [...this.inflight.values()].some((c) => c.suspect);
      if (solo && this.inflight.size) break;
      this.send(this.queue.shift()!);
      if (solo) break;
    }
    if (!this.inflight.size && !this.queue.length) this.armIdleStop();
  }

  private send(call: Call): void {
    const worker = this.ensureWorker();
    this.inflight.set(call.id, call);
    if (this.ready) this.arm(call);
    try {
      worker.postMessage({ id: call.id, method: call.method, params: call.params }, call.options.transfer ?? []);
    } catch (err) {
      // Parameters that cannot be cloned: the caller's fault, the worker is fine.
      this.inflight.delete(call.id);
      this.settle(call, new Error(`${this.options.name}: cannot send ${call.method}: ${errorMessage(err)}`));
    }
  }

  private deadlineOf(call: Call): number {
    return call.options.deadlineMs ?? this.options.deadlineMs ?? 60_000;
  }

  private arm(call: Call): void {
    const deadline = this.deadlineOf(call);
    call.timer = setTimeout(() => this.onDeadline(call, deadline), deadline);
  }

  private ensureWorker(): Worker {
    if (this.worker) return this.worker;
    const { script, compileCacheDir } = this.options;
    const boot = compileCacheDir && !this.options.eval ? workerBootstrap(script, compileCacheDir) : undefined;
    const worker = new Worker(boot ?? script, {
      eval: !!boot || this.options.eval,
      workerData: this.options.workerData,
      resourceLimits: { maxOldGenerationSizeMb: this.heapMb },
      // Its output goes to the host's console as is; nothing of ours reads it.
      stdout: false,
      stderr: false,
    });
    // A worker left idle must not keep a test run or a closing host alive.
    worker.unref();
    this.starts++;
    let fault: string | undefined;
    this.ready = false;
    // A worker that never gets its entry loaded counts as dead (a cold disk can be slow).
    const startMs = this.options.startDeadlineMs ?? 30_000;
    this.startTimer = setTimeout(() => {
      this.stopWorker();
      this.onDeath(`did not start within ${Math.round(startMs / 100) / 10} s`, 'deadline');
    }, startMs);
    worker.on('message', (m: unknown) => {
      if (worker !== this.worker) return;
      if (m === READY) this.onReady();
      else if (isReply(m)) this.onReply(m);
    });
    worker.on('error', (err: Error & { code?: string }) => {
      fault = err.code === 'ERR_WORKER_OUT_OF_MEMORY' ? `ran out of its ${this.heapMb} MB heap` : `failed: ${errorMessage(err)}`;
    });
    worker.on('exit', (code) => {
      if (worker !== this.worker) return; // stopped by us: already handled
      clearTimeout(this.startTimer);
      this.worker = undefined;
      this.ready = false;
      this.onDeath(fault ?? `exited (code ${code})`, 'died');
    });
    this.worker = worker;
    return worker;
  }

  private onReady(): void {
    clearTimeout(this.startTimer);
    this.ready = true;
    for (const call of this.inflight.values()) this.arm(call);
  }

  private onReply(reply: WorkerReply): void {
    const call = this.inflight.get(reply.id);
    if (!call) return;
    this.inflight.delete(reply.id);
    if (reply.ok) this.settle(call, undefined, reply.value);
    else this.settle(call, new Error(reply.message));
    this.pump();
  }

  private onDeadline(call: Call, deadline: number): void {
    if (!this.inflight.has(call.id)) return;
    this.stopWorker();
    this.onDeath(`did not finish ${call.method} within ${Math.round(deadline / 100) / 10} s`, 'deadline');
  }

  /** The worker is gone: a lone call is rejected, calls that were in flight together run again alone. */
  private onDeath(what: string, failure: IsolatedFailure): void {
    this.deaths++;
    const calls = [...this.inflight.values()];
    this.inflight.clear();
    for (const c of calls) clearTimeout(c.timer);
    if (calls.length === 1) {
      const message = `${this.options.name} ${what}; it was stopped and a fresh one takes the next call`;
      this.options.log?.(message);
      this.settle(calls[0], new IsolatedWorkerError(message, failure));
    } else if (calls.length) {
      this.options.log?.(`${this.options.name} ${what} with ${calls.length} calls in flight; running them again one at a time to find the one at fault`);
      for (const c of calls) c.suspect = true;
      this.queue.unshift(...calls);
    }
    this.pump();
  }

  private settle(call: Call, err: Error | undefined, value?: unknown): void {
    clearTimeout(call.timer);
    if (err) call.reject(err);
    else call.resolve(value);
  }

  private armIdleStop(): void {
    if (!this.worker) return;
    const idleMs = this.options.idleStopMs ?? 120_000;
    this.idleTimer = setTimeout(() => {
      this.options.log?.(`${this.options.name} stopped after ${Math.round(idleMs / 1000)} s idle`);
      this.stopWorker();
    }, idleMs);
    this.idleTimer.unref();
  }

  private stopWorker(): void {
    clearTimeout(this.idleTimer);
    clearTimeout(this.startTimer);
    this.idleTimer = this.startTimer = undefined;
    this.ready = false;
    const worker = this.worker;
    this.worker = undefined;
    void worker?.terminate();
  }
}
