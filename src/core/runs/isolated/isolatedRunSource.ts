// A RunSource whose reading happens in the run-store worker (runsWorker.ts). Changes are
// still noticed on the host (file watchers, the live poll) and answered by listing again,
// which asks the worker. When the worker dies or runs past the deadline on this store, the
// call rejects with an IsolatedWorkerError: the Runs view shows it as this store's error.
import { IsolatedWorker, type IsolatedWorkerOptions } from '../../common/isolatedWorker';
import type { FileSourceOptions } from '../fileSources';
import type { MetricPoint, RunListing, RunSource } from '../types';
import { decodePoints } from './pointsCodec';
import type { RunsWorkerData, StoreRef } from './runsWorkerHandlers';

/** Per call: a listing may read a whole store for the first time (a large mlflow.db, every DVC commit). */
export const READER_DEADLINE_MS = 60_000;
/** V8 heap cap of the worker, for all the stores it reads. */
export const READER_HEAP_MB = 512;

let nextKey = 0;

export class IsolatedRunSource implements RunSource {
  private readonly ref: StoreRef;

  constructor(
    readonly kind: string,
    readonly location: string,
    private readonly worker: IsolatedWorker,
  ) {
    this.ref = { key: `${kind}:${location}#${++nextKey}`, kind, location };
  }

  list(): Promise<RunListing> {
    return this.worker.call<RunListing>('list', this.ref);
  }

  async metricHistory(runId: string, key: string): Promise<MetricPoint[]> {
    return decodePoints(await this.worker.call<Float64Array>('history', { ...this.ref, runId, metric: key }));
  }

  /** Drops the reader's state in the worker; nothing to do when no worker runs. */
  dispose(): void {
    if (this.worker.running) this.worker.call('drop', { key: this.ref.key }).catch(() => undefined);
  }
}

/** The worker that reads run stores: `script` is dist/lazy/runsWorker.js (or test code). */
export function runsWorker(options: Omit<IsolatedWorkerOptions, 'name' | 'workerData'> & { sources: FileSourceOptions }): IsolatedWorker {
  const { sources, ...rest } = options;
  const data: RunsWorkerData = { options: sources };
  return new IsolatedWorker({ name: 'the run store reader', heapMb: READER_HEAP_MB, deadlineMs: READER_DEADLINE_MS, ...rest, workerData: data });
}
