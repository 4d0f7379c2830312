// The extension host's side of the model-registry worker (modelsWorker.ts): each file
// registry is listed there, except an mlflow.db unchanged since the last window, whose
// listing that window's worker saved in global storage (sqliteListingSnapshot.ts, kind
// 'models'): it is answered here, no worker started, no page read, for as long as the
// file's change stamp is the one it was read under; after that the worker reads the file.
import { IsolatedWorker, type IsolatedWorkerOptions } from '../../common/isolatedWorker';
import { sqliteChangeStamp } from '../../runs/mlflow/sqliteChangeStamp';
import { hasListingSnapshot, loadListingSnapshot, type SavedListing, type SnapshotPlace } from '../../runs/mlflow/sqliteListingSnapshot';
import type { RegistryListing } from '../types';
import type { FileRegistryKind, ModelsWorkerData } from './modelsWorkerHandlers';

/** Per call: a listing may read a whole registry for the first time. */
export const REGISTRY_DEADLINE_MS = 60_000;
export const REGISTRY_HEAP_MB = 512;

export class IsolatedRegistries {
  /** Per mlflow.db: its saved listing while answered from it; 'worker' once the file changed (or none was saved). */
  private readonly saved = new Map<string, Promise<SavedListing<'models'> | undefined> | 'worker'>();

  constructor(
    readonly worker: IsolatedWorker,
    /** Where the last window saved its listings; none: always the worker. */
    private readonly place?: SnapshotPlace,
  ) {}

  async list(kind: FileRegistryKind, location: string): Promise<RegistryListing> {
    if (kind === 'mlflow-sqlite' && this.place) {
      const hit = await this.fromSaved(this.place, location);
      if (hit) return { models: hit.models, loggedModels: hit.loggedModels, warnings: [] };
    }
    return this.worker.call<RegistryListing>('list', { kind, location });
  }

  private async fromSaved(place: SnapshotPlace, location: string): Promise<SavedListing<'models'>['listing'] | undefined> {
    let state = this.saved.get(location);
    if (state === 'worker') return undefined;
    const first = state === undefined;
    // One existsSync: without a saved listing the worker starts at once.
    if (first && !hasListingSnapshot(place, location, 'models')) state = 'worker';
    else state ??= loadListingSnapshot(place, location, 'models');
    this.saved.set(location, state);
    const hit = state === 'worker' ? undefined : await state;
    // load compared the stamp itself; each later call compares it again.
    if (hit && (first || sqliteChangeStamp(location) === hit.stamp)) return hit.listing;
    // From now on the worker reads this file.
    this.saved.set(location, 'worker');
    return undefined;
  }
}

/** The worker that reads file registries: `script` is dist/lazy/modelsWorker.js (or a test's bundle of it). */
export function modelsWorker(options: Omit<IsolatedWorkerOptions, 'name' | 'workerData'> & ModelsWorkerData): IsolatedWorker {
  const { wasmPath, snapshots, ...rest } = options;
  const data: ModelsWorkerData = { wasmPath, snapshots };
  return new IsolatedWorker({ name: 'the model registry reader', heapMb: REGISTRY_HEAP_MB, deadlineMs: REGISTRY_DEADLINE_MS, ...rest, workerData: data });
}
