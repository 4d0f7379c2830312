// Entry of the run-store worker thread (bundled as dist/lazy/runsWorker.js): the readers
// of mlflow.db, mlruns/, DVC and TensorBoard files, which anyone can commit, run here so
// that a loop or a runaway allocation in one costs that call, never the extension host.
// The mlflow.db reader is in this bundle; the others (runsReaders.ts) load from beside it
// on first use: the worker starts and lists an mlflow.db sooner with less to parse.
import * as path from 'node:path';
import { workerData } from 'node:worker_threads';
import { serveIsolated } from '../../common/isolatedWorkerServe';
import { isFileStoreKind } from '../fileStoreKinds';
import { MlflowSqliteSource } from '../mlflow/sqliteStoreSource';
import { runsWorkerHandlers, type RunsWorkerData } from './runsWorkerHandlers';

type Readers = typeof import('./runsReaders');
let readers: Readers | undefined;

const data = workerData as RunsWorkerData;
serveIsolated(
  runsWorkerHandlers((kind, location, options) => {
    if (!isFileStoreKind(kind)) throw new Error(`no reader for run store kind ${kind}`);
    // As createFileRunSource makes it.
    if (kind === 'mlflow-sqlite') return new MlflowSqliteSource(location, { wasmPath: options.wasmPath });
    // Computed, so that esbuild leaves the require alone and the readers out of this bundle.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    readers ??= require(path.join(__dirname, 'runsReaders.js')) as Readers;
    return readers.createFileRunSource(kind, location, options);
  }, data.options, data.snapshots),
);
