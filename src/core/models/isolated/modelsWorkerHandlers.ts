// What the model-registry worker answers (modelsWorker.ts): a listing per file registry, and
// one version's MLmodel. Plain data crosses the thread boundary.
import type { Handlers } from '../../common/isolatedWorkerServe';
import type { MlModelInfo } from '../mlmodel';
import { readSqliteRegistry } from '../mlflowSqliteRegistry';
import type { RegistryListing } from '../types';

export type FileRegistryKind = 'mlflow-sqlite' | 'mlflow-file' | 'gto';

/** The readers of the other kinds (modelsReaders.ts), loaded when first needed. */
export type ModelsReaders = typeof import('./modelsReaders');

export function readFileKind(kind: FileRegistryKind, location: string, readers: () => ModelsReaders, wasmPath?: string): Promise<RegistryListing> {
  if (kind === 'mlflow-sqlite') return readSqliteRegistry(location, { wasmPath });
  if (kind === 'mlflow-file') return readers().readFileRegistry(location);
  return readers().readGtoRegistry(location);
}

export function modelsWorkerHandlers(readers: () => ModelsReaders, wasmPath?: string): Handlers {
  return {
    list: (p: { kind: FileRegistryKind; location: string }) => readFileKind(p.kind, p.location, readers, wasmPath),
    mlmodel: (p: { folder: string }): Promise<MlModelInfo> => readers().readMlModel(p.folder),
  };
}
