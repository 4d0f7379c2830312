// The extension host's side of the model-registry worker (modelsWorker.ts): each file
// registry is listed there, except an mlflow.db unchanged since the last window, whose
// listing that window's worker saved in global storage (sqliteListingSnapshot.ts, kind
// 'models'): it is answered here, no worker started, no page read, for as long as the
// file's change stamp is the one it was read under; after that the worker reads the file.
import { IsolatedWorker, type IsolatedWorkerOptions } from '../../common/isolatedWorker';
import { SavedListingGate, type SnapshotPlace } from '../../runs/mlflow/sqliteListingSnapshot';
import type { RegistryListing } from '../types';
import type { FileRegistryKind, ModelsWorkerData } from './modelsWorkerHandlers';

/** Per call: a listing may read a whole registry for the first time. */
export const REGISTRY_DEADLINE_MS = 60_000;
export const REGISTRY_HEAP_MB = 512;

export class IsolatedRegistries {
  /** Per mlflow.db: the listing the last window saved, while its stamp holds. */
  private readonly saved = new Map<string, SavedListingGate<'models'>>();

  constructor(
    readonly worker: IsolatedWorker,
    /** Where the last window saved its listings; none: always the worker. */
    private readonly place?: SnapshotPlace,
  ) {}

  async list(kind: FileRegistryKind, location: string): Promise<RegistryListing> {
    if (kind === 'mlflow-sqlite' && this.place) {
      let gate = this.saved.get(location);
      if (!gate) this.saved.set(location, (gate = new SavedListingGate(this.place, location, 'models')));
      const hit = await gate.answer();
      if (hit) return { models: hit.models, loggedModels: hit.loggedModels, warnings: [] };
    }
    return this.worker.call<RegistryListing>('list', { kind, location });
  }
}

/** The worker that reads file registries: `script` is dist/lazy/modelsWorker.js (or a test's bundle of it). */
export function modelsWorker(options: Omit<IsolatedWorkerOptions, 'name' | 'workerData'> & ModelsWorkerData): IsolatedWorker {
  const { wasmPath, snapshots, ...rest } = options;
  const data: ModelsWorkerData = { wasmPath, snapshots };
  return new IsolatedWorker({ name: 'the model registry reader', heapMb: REGISTRY_HEAP_MB, deadlineMs: REGISTRY_DEADLINE_MS, ...rest, workerData: data });
}
