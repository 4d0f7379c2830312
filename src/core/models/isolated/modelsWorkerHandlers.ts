// What the model-registry worker answers (modelsWorker.ts): a listing per file registry, and
// one version's MLmodel. Plain data crosses the thread boundary.
import type { Handlers } from '../../common/isolatedWorkerServe';
import { readGtoRegistry } from '../gtoRegistry';
import { readFileRegistry } from '../mlflowFileRegistry';
import { readSqliteRegistry } from '../mlflowSqliteRegistry';
import { readMlModel, type MlModelInfo } from '../mlmodel';
import type { RegistryListing } from '../types';

export type FileRegistryKind = 'mlflow-sqlite' | 'mlflow-file' | 'gto';

export function readFileKind(kind: FileRegistryKind, location: string, wasmPath?: string): Promise<RegistryListing> {
  if (kind === 'mlflow-sqlite') return readSqliteRegistry(location, { wasmPath });
  if (kind === 'mlflow-file') return readFileRegistry(location);
  return readGtoRegistry(location);
}

export function modelsWorkerHandlers(wasmPath?: string): Handlers {
  return {
    list: (p: { kind: FileRegistryKind; location: string }) => readFileKind(p.kind, p.location, wasmPath),
    mlmodel: (p: { folder: string }): Promise<MlModelInfo> => readMlModel(p.folder),
  };
}
