// A RunSource whose reading happens in the run-store worker (runsWorker.ts). Changes are
// still noticed on the host (file watchers, the live poll) and answered by listing again,
// which asks the worker. When the worker dies or runs past the deadline on this store, the
// call rejects with an IsolatedWorkerError: the Runs view shows it as this store's error.
import { IsolatedWorker, IsolatedWorkerError, type IsolatedWorkerOptions } from '../../common/isolatedWorker';
import { compactListingSoon } from '../compactListing';
import type { FileSourceOptions } from '../fileSources';
import type { SavedListingGate, SnapshotPlace } from '../mlflow/sqliteListingSnapshot';
import type { MetricPoint, RunListing, RunSource } from '../types';
import { decodePoints } from './pointsCodec';
import { applyDelta } from './listingDelta';
import type { ListParams, ListReply, RunsWorkerData, StoreRef } from './runsWorkerHandlers';

/** Per call: a listing may read a whole store for the first time (a large mlflow.db, every DVC commit). */
export const READER_DEADLINE_MS = 60_000;
/** V8 heap cap of the worker, for all the stores it reads. */
export const READER_HEAP_MB = 512;
/**
 * After the watchdog or the heap cap stopped a listing, the store is not read again for
 * this long (doubling with each failure in a row, up to MAX_BACKOFF_MS): every file event
 * would otherwise spend a core on the same loop for a whole deadline and hold up the other
 * stores' listings, which run again one at a time after each death.
 */
export const FIRST_BACKOFF_MS = 2 * 60_000;
export const MAX_BACKOFF_MS = 30 * 60_000;

let nextKey = 0;

export class IsolatedRunSource implements RunSource {
  private readonly ref: StoreRef;
  private failed: { error: IsolatedWorkerError; until: number; backoffMs: number } | undefined;
  /** The last full listing and the worker's token for it (see ListReply). */
  private held: { token: number; listing: RunListing } | undefined;

  constructor(
    readonly kind: string,
    readonly location: string,
    private readonly worker: IsolatedWorker,
    private readonly now: () => number = Date.now,
    /** The listing the last window saved (an mlflow.db), answered until the store changes. */
    private readonly saved?: SavedListingGate<'runs'>,
  ) {
    this.ref = { key: `${kind}:${location}#${++nextKey}`, kind, location };
  }

  async list(): Promise<RunListing> {
    // Window open on an unchanged store: the listing the last window saved, no worker.
    const hit = await this.saved?.answer();
    if (hit) return { experiments: hit.experiments, runs: hit.runs, warnings: [] };
    const failed = this.failed;
    if (failed && this.now() < failed.until) throw failed.error;
    try {
      let listing = this.accept(await this.worker.call<ListReply>('list', { ...this.ref, have: this.held?.token } satisfies ListParams));
      // Answered from a listing this side does not hold (cannot happen while both keep their
      // tokens; cheap to survive): ask for the whole listing.
      if (!listing) {
        this.held = undefined;
        listing = this.accept(await this.worker.call<ListReply>('list', { ...this.ref } satisfies ListParams));
        if (!listing) throw new Error(`${this.location}: the run-store worker answered a listing in part without one to start from`);
      }
      this.failed = undefined;
      return listing;
    } catch (err) {
      if (!(err instanceof IsolatedWorkerError) || err.failure === 'disposed') throw err;
      const backoffMs = failed ? Math.min(failed.backoffMs * 2, MAX_BACKOFF_MS) : FIRST_BACKOFF_MS;
      const error = new IsolatedWorkerError(`${err.message}; this store is read again in ${Math.round(backoffMs / 60_000)} min or on Refresh`, err.failure);
      this.failed = { error, until: this.now() + backoffMs, backoffMs };
      throw error;
    }
  }

  /** The listing a reply stands for, kept for the next one; undefined when it builds on a listing not held here. */
  private accept(reply: ListReply): RunListing | undefined {
    const held = this.held;
    if ('unchanged' in reply) {
      if (reply.unchanged !== held?.token) return undefined;
      return { experiments: held.listing.experiments, runs: held.listing.runs, warnings: reply.warnings };
    }
    let listing: RunListing;
    if ('delta' in reply) {
      if (reply.base !== held?.token) return undefined;
      // Only the changed runs are new here: the held ones are packed already.
      compactListingSoon({ runs: reply.delta.changed });
      listing = { experiments: reply.experiments, runs: applyDelta(held.listing.runs, reply.delta), warnings: reply.warnings };
    } else {
      const { token: _token, ...full } = reply;
      // The structured clone made every point an object: packed on this side (soon after
      // the views have the runs), as they hold the listing for as long as they are open.
      listing = compactListingSoon(full);
    }
    this.held = { token: reply.token, listing };
    return listing;
  }

  /** Forgets a failure: the next listing asks the worker again (the Refresh command). */
  retry(): void {
    if (this.failed) this.failed.until = 0;
  }

  async metricHistory(runId: string, key: string): Promise<MetricPoint[]> {
    return decodePoints(await this.metricHistoryPacked(runId, key));
  }

  /** The worker's transferred triples as they come: the metrics panel keeps them packed (heldSeries.ts). */
  metricHistoryPacked(runId: string, key: string): Promise<Float64Array> {
    return this.worker.call<Float64Array>('history', { ...this.ref, runId, metric: key });
  }

  /** Drops the reader's state in the worker; nothing to do when no worker runs. */
  dispose(): void {
    if (this.worker.running) this.worker.call('drop', { key: this.ref.key }).catch(() => undefined);
  }
}

/** The worker that reads run stores: `script` is dist/lazy/runsWorker.js (or test code). */
export function runsWorker(options: Omit<IsolatedWorkerOptions, 'name' | 'workerData'> & { sources: FileSourceOptions; snapshots?: SnapshotPlace }): IsolatedWorker {
  const { sources, snapshots, ...rest } = options;
  const data: RunsWorkerData = { options: sources, snapshots };
  return new IsolatedWorker({ name: 'the run store reader', heapMb: READER_HEAP_MB, deadlineMs: READER_DEADLINE_MS, ...rest, workerData: data });
}
