// What the model-registry worker answers (modelsWorker.ts): a listing per file registry, and
// one version's MLmodel. Plain data crosses the thread boundary.
import type { Handlers } from '../../common/isolatedWorkerServe';
import { sqliteChangeStamp } from '../../runs/mlflow/sqliteChangeStamp';
import { ListingSaver, type SnapshotPlace } from '../../runs/mlflow/sqliteListingSnapshot';
import type { MlModelInfo } from '../mlmodel';
import { readSqliteRegistry } from '../mlflowSqliteRegistry';
import type { RegistryListing } from '../types';

export type FileRegistryKind = 'mlflow-sqlite' | 'mlflow-file' | 'gto';

/** The readers of the other kinds (modelsReaders.ts), loaded when first needed. */
export type ModelsReaders = typeof import('./modelsReaders');

export interface ModelsWorkerData {
  wasmPath?: string;
  /** Where clean mlflow.db registry listings are saved for the next window (sqliteListingSnapshot.ts); none: not saved. */
  snapshots?: SnapshotPlace;
}

export function readFileKind(kind: FileRegistryKind, location: string, readers: () => ModelsReaders, wasmPath?: string): Promise<RegistryListing> {
  if (kind === 'mlflow-sqlite') return readSqliteRegistry(location, { wasmPath });
  if (kind === 'mlflow-file') return readers().readFileRegistry(location);
  return readers().readGtoRegistry(location);
}

export function modelsWorkerHandlers(readers: () => ModelsReaders, data: ModelsWorkerData = {}): Handlers {
  const saver = data.snapshots && new ListingSaver(data.snapshots, 'models');
  return {
    list: async (p: { kind: FileRegistryKind; location: string }) => {
      // Taken before the read: a commit landing meanwhile changes the next window's stamp, so it reads the file then.
      const stamp = saver && p.kind === 'mlflow-sqlite' ? sqliteChangeStamp(p.location) : undefined;
      const listing = await readFileKind(p.kind, p.location, readers, data.wasmPath);
      // Only a clean listing (no warning: read page by page, stable) is kept for the next window.
      if (stamp && !listing.warnings.length) saver!.offer(p.location, p.location, stamp, { models: listing.models, loggedModels: listing.loggedModels });
      return listing;
    },
    mlmodel: (p: { folder: string }): Promise<MlModelInfo> => readers().readMlModel(p.folder),
  };
}
