// The worker side of isolatedWorker.ts: answers each request by id with what its handler
// resolves to. A handler's error is an answer too (the worker lives on); only the host's
// watchdog or the heap cap ends the worker.
import { parentPort } from 'node:worker_threads';
import { errorMessage } from './errors';
import { READY, type WorkerReply } from './isolatedWorker';

const TRANSFER = Symbol('transfer');

/** A handler's result whose buffers are moved to the host instead of copied (big metric arrays). */
export interface Transferred<T> {
  [TRANSFER]: ArrayBuffer[];
  value: T;
}

export function withTransfer<T>(value: T, buffers: ArrayBuffer[]): Transferred<T> {
  return { [TRANSFER]: buffers, value };
}

export type Handlers = Record<string, (params: never) => unknown>;

/** Serves `handlers` on this worker's parent port. */
export function serveIsolated(handlers: Handlers): void {
  const port = parentPort;
  if (!port) throw new Error('serveIsolated runs only in a worker thread');
  port.on('message', (m: { id?: unknown; method?: unknown; params?: unknown }) => {
    if (typeof m?.id !== 'number') return;
    const id = m.id;
    const handler = typeof m.method === 'string' && Object.hasOwn(handlers, m.method) ? handlers[m.method] : undefined;
    void (async () => {
      if (!handler) throw new Error(`no such method: ${String(m.method)}`);
      return handler(m.params as never);
    })().then(
      (result) => {
        const moved = typeof result === 'object' && result !== null && TRANSFER in result ? (result as Transferred<unknown>) : undefined;
        const reply: WorkerReply = { id, ok: true, value: moved ? moved.value : result };
        port.postMessage(reply, moved?.[TRANSFER] ?? []);
      },
      (err: unknown) => {
        const reply: WorkerReply = { id, ok: false, message: errorMessage(err) };
        port.postMessage(reply);
      },
    );
  });
  port.postMessage(READY);
}
