// What the run-store worker answers. It keeps one reader per source key between calls
// (TensorBoard readers resume where they stopped, mlflow.db snapshots are reused); a fresh
// worker after a death rebuilds them from kind and location, which every call carries.
import { withTransfer, type Handlers } from '../../common/isolatedWorkerServe';
import type { DisposableRunSource, FileSourceOptions } from '../fileSources';
import type { RunListing } from '../types';
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
}

export function runsWorkerHandlers(create: SourceFactory, options: FileSourceOptions): Handlers {
  const sources = new Map<string, { source: DisposableRunSource; listed: boolean }>();
  const entry = (ref: StoreRef) => {
    let e = sources.get(ref.key);
    if (!e) sources.set(ref.key, (e = { source: create(ref.kind, ref.location, options), listed: false }));
    return e;
  };
  const list = async (ref: StoreRef): Promise<RunListing> => {
    const e = entry(ref);
    const listing = await e.source.list();
    e.listed = true;
    return listing;
  };
  return {
    list,
    history: async (p: StoreRef & { runId: string; metric: string }) => {
      // A fresh worker (after a death or an idle stop) has not listed this store yet, and
      // some readers answer histories only for runs they listed (DVC experiments).
      if (!entry(p).listed) await list(p);
      const source = entry(p).source;
      const packed = source.metricHistoryPacked
        ? await source.metricHistoryPacked(p.runId, p.metric)
        : encodePoints(await source.metricHistory(p.runId, p.metric));
      return withTransfer(packed, [packed.buffer as ArrayBuffer]);
    },
    drop: (ref: { key: string }) => {
      sources.get(ref.key)?.source.dispose?.();
      sources.delete(ref.key);
    },
  };
}
