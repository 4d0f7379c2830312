// What the run-store worker answers. It keeps one reader per source key between calls
// (TensorBoard readers resume where they stopped, mlflow.db snapshots are reused); a fresh
// worker after a death rebuilds them from kind and location, which every call carries.
import { withTransfer, type Handlers } from '../../common/isolatedWorkerServe';
import type { DisposableRunSource, FileSourceOptions } from '../fileSources';
import { ListingSaver, type SnapshotPlace } from '../mlflow/sqliteListingSnapshot';
import type { RunListing } from '../types';
import { diffRuns, type RunsDelta } from './listingDelta';
import { encodePoints } from './pointsCodec';

/** Names the store a call is about; `key` tells apart two sources of the same store. */
export interface StoreRef {
  key: string;
  kind: string;
  location: string;
}

export type SourceFactory = (kind: string, location: string, options: FileSourceOptions) => DisposableRunSource;

export interface RunsWorkerData {
  options: FileSourceOptions;
  /** Where clean mlflow.db listings are saved for the next window (sqliteListingSnapshot.ts); none: not saved. */
  snapshots?: SnapshotPlace;
}

/** A reader that can name the change stamp its listing was read under (MlflowSqliteSource). */
type StampedSource = DisposableRunSource & { listingStamp?(listing: RunListing): string | undefined };

/**
 * A listing as the worker answers it: in full with a token naming it, or, when the host
 * says it holds the listing of that token and the reader answered the same objects again
 * (an unchanged mlflow.db), only that token: the host reuses what it holds instead of
 * receiving a structured clone of every run again.
 */
export type ListReply =
  | (RunListing & { token: number })
  | { unchanged: number; warnings: RunListing['warnings'] }
  /** Only the runs that changed since the listing of token `base` (listingDelta.ts). */
  | { token: number; base: number; delta: RunsDelta; experiments: RunListing['experiments']; warnings: RunListing['warnings'] };

/** `have`: the token of the listing the host holds for this store. */
export type ListParams = StoreRef & { have?: number };

// Tokens differ between workers too: a host may still hold one from a worker that died.
let nextToken = Math.floor(Math.random() * 2 ** 40);

export function runsWorkerHandlers(create: SourceFactory, options: FileSourceOptions, snapshots?: SnapshotPlace): Handlers {
  const sources = new Map<string, { source: StampedSource; listed: boolean; sent?: { token: number; listing: RunListing } }>();
  // Saved at once the first time, later once listings stop changing for 30 s (sqliteListingSnapshot.ts).
  const saver = snapshots && new ListingSaver(snapshots, 'runs');
  const entry = (ref: StoreRef) => {
    let e = sources.get(ref.key);
    if (!e) sources.set(ref.key, (e = { source: create(ref.kind, ref.location, options), listed: false }));
    return e;
  };
  const list = async (ref: ListParams): Promise<ListReply> => {
    const e = entry(ref);
    const listing = await e.source.list();
    const stamp = saver && e.source.listingStamp?.(listing);
    if (stamp) saver.offer(ref.key, ref.location, stamp, listing);
    e.listed = true;
    const sent = e.sent;
    const held = sent && ref.have === sent.token ? sent.listing : undefined;
    if (held && held.runs === listing.runs && held.experiments === listing.experiments) return { unchanged: sent!.token, warnings: listing.warnings };
    const delta = held && diffRuns(held.runs, listing.runs);
    const token = ++nextToken;
    e.sent = { token, listing };
    if (delta) return { token, base: sent!.token, delta, experiments: listing.experiments, warnings: listing.warnings };
    return { ...listing, token };
  };
  return {
    list,
    history: async (p: StoreRef & { runId: string; metric: string }) => {
      // A fresh worker (after a death or an idle stop) has not listed this store yet, and
      // some readers answer histories only for runs they listed (DVC experiments).
      if (!entry(p).listed) await list({ key: p.key, kind: p.kind, location: p.location });
      const source = entry(p).source;
      const packed = source.metricHistoryPacked
        ? await source.metricHistoryPacked(p.runId, p.metric)
        : encodePoints(await source.metricHistory(p.runId, p.metric));
      return withTransfer(packed, [packed.buffer as ArrayBuffer]);
    },
    drop: (ref: { key: string }) => {
      saver?.drop(ref.key);
      sources.get(ref.key)?.source.dispose?.();
      sources.delete(ref.key);
    },
  };
}
