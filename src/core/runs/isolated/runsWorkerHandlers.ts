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
  const sources = new Map<string, DisposableRunSource>();
  const source = (ref: StoreRef) => {
    let s = sources.get(ref.key);
    if (!s) sources.set(ref.key, (s = create(ref.kind, ref.location, options)));
    return s;
  };
  return {
    list: (ref: StoreRef): Promise<RunListing> => source(ref).list(),
    history: async (p: StoreRef & { runId: string; metric: string }) => {
      const packed = encodePoints(await source(p).metricHistory(p.runId, p.metric));
      return withTransfer(packed, [packed.buffer as ArrayBuffer]);
    },
    drop: (ref: { key: string }) => {
      sources.get(ref.key)?.dispose?.();
      sources.delete(ref.key);
    },
  };
}
