// Bundled apart (dist/lazy/modelsLib.js) and required when the Models view first lists: the
// registry readers of files run in their own worker thread (dist/lazy/modelsWorker.js); a
// tracking server is read over REST on the extension host, and writes go through MLflow.
import * as path from 'node:path';
import { IsolatedWorker } from '../../core/common/isolatedWorker';
import type { FileRegistryKind } from '../../core/models/isolated/modelsWorkerHandlers';
import type { MlModelInfo } from '../../core/models/mlmodel';
import { readRestRegistry } from '../../core/models/mlflowRestRegistry';
import { writeOverRest, writeWithClient, type ClientWriteOptions, type RegistryWrite, type WriteResult } from '../../core/models/registryWrites';
import type { RegistryListing } from '../../core/models/types';
import { MlflowRestClient, type MlflowAuth } from '../../core/runs/mlflow/mlflowRestClient';

export type { MlModelInfo, RegistryListing, RegistryWrite, WriteResult };
export { signatureLines, localFolder } from '../../core/models/mlmodel';
export { RegistryWriteError } from '../../core/models/registryWrites';

let worker: IsolatedWorker | undefined;

function theWorker(wasmPath: string, log?: (line: string) => void): IsolatedWorker {
  worker ??= new IsolatedWorker({ name: 'the model registry reader', script: path.join(__dirname, 'modelsWorker.js'), workerData: { wasmPath }, heapMb: 512, deadlineMs: 60_000, log });
  return worker;
}

export interface ReadOptions {
  wasmPath: string;
  auth?: () => Promise<MlflowAuth | undefined>;
  log?: (line: string) => void;
  signal?: AbortSignal;
}

export function readRegistry(kind: FileRegistryKind | 'mlflow-rest', location: string, o: ReadOptions): Promise<RegistryListing> {
  if (kind === 'mlflow-rest') return readRestRegistry(new MlflowRestClient(location, { auth: o.auth }), { signal: o.signal });
  return theWorker(o.wasmPath, o.log).call<RegistryListing>('list', { kind, location });
}

export function readMlModelIn(folder: string, o: ReadOptions): Promise<MlModelInfo> {
  return theWorker(o.wasmPath, o.log).call<MlModelInfo>('mlmodel', { folder });
}

export function writeRegistry(target: { server: string; auth?: () => Promise<MlflowAuth | undefined> } | ClientWriteOptions, w: RegistryWrite, signal?: AbortSignal): Promise<WriteResult> {
  if ('server' in target) return writeOverRest(new MlflowRestClient(target.server, { auth: target.auth }), w, signal);
  return writeWithClient({ ...target, signal }, w);
}

export function disposeModelsWorker(): void {
  worker?.dispose();
  worker = undefined;
}
