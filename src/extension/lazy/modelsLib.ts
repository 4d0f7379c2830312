// Bundled apart (dist/lazy/modelsLib.js) and required when the Models view first lists: the
// registry readers of files run in their own worker thread (dist/lazy/modelsWorker.js); a
// tracking server is read over REST on the extension host, and writes go through MLflow.
import { statSync } from 'node:fs';
import * as path from 'node:path';
import { IsolatedRegistries, modelsWorker } from '../../core/models/isolated/isolatedRegistries';
import type { FileRegistryKind } from '../../core/models/isolated/modelsWorkerHandlers';
import type { MlModelInfo } from '../../core/models/mlmodelInfo';
import { readRestRegistry } from '../../core/models/mlflowRestRegistry';
import { writeOverRest, writeWithClient, type ClientWriteOptions, type RegistryWrite, type WriteResult } from '../../core/models/registryWrites';
import type { RegistryListing } from '../../core/models/types';
import { MlflowRestClient, type MlflowAuth } from '../../core/runs/mlflow/mlflowRestClient';

export type { MlModelInfo, RegistryListing, RegistryWrite, WriteResult };
export { signatureLines, localFolder } from '../../core/models/mlmodelInfo';
export { RegistryWriteError } from '../../core/models/registryWrites';

let registries: IsolatedRegistries | undefined;

export interface ReadOptions {
  wasmPath: string;
  auth?: () => Promise<MlflowAuth | undefined>;
  log?: (line: string) => void;
  signal?: AbortSignal;
  /** The extension's global storage: the last window's mlflow.db listings and the worker's compile cache. */
  cacheDir?: string;
}

function theRegistries(o: ReadOptions): IsolatedRegistries {
  if (registries) return registries;
  const script = path.join(__dirname, 'modelsWorker.js');
  // Named by the worker bundle's size and mtime: a new install never answers an old one's listing.
  const st = o.cacheDir ? statSync(script, { bigint: true }) : undefined;
  const snapshots = st && o.cacheDir ? { dir: o.cacheDir, reader: `${st.size}:${st.mtimeNs}` } : undefined;
  const worker = modelsWorker({
    script,
    wasmPath: o.wasmPath,
    snapshots,
    // A later window's worker starts without compiling its bundle (Node ≥ 22.1), as the run-store worker does.
    compileCacheDir: o.cacheDir && path.join(o.cacheDir, 'compile-cache'),
    log: o.log,
  });
  return (registries = new IsolatedRegistries(worker, snapshots));
}

export function readRegistry(kind: FileRegistryKind | 'mlflow-rest', location: string, o: ReadOptions): Promise<RegistryListing> {
  if (kind === 'mlflow-rest') return readRestRegistry(new MlflowRestClient(location, { auth: o.auth }), { signal: o.signal });
  return theRegistries(o).list(kind, location);
}

export function readMlModelIn(folder: string, o: ReadOptions): Promise<MlModelInfo> {
  return theRegistries(o).worker.call<MlModelInfo>('mlmodel', { folder });
}

export function writeRegistry(target: { server: string; auth?: () => Promise<MlflowAuth | undefined> } | ClientWriteOptions, w: RegistryWrite, signal?: AbortSignal): Promise<WriteResult> {
  if ('server' in target) return writeOverRest(new MlflowRestClient(target.server, { auth: target.auth }), w, signal);
  return writeWithClient({ ...target, signal }, w);
}

/** How many times this window started the worker (the bench checks that a window answered without it). */
export function modelsWorkerStarts(): number {
  return registries?.worker.starts ?? 0;
}

export function disposeModelsWorker(): void {
  registries?.worker.dispose();
  registries = undefined;
}
