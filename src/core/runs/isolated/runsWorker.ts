// Entry of the run-store worker thread (bundled as dist/lazy/runsWorker.js): the readers
// of mlflow.db, mlruns/, DVC and TensorBoard files, which anyone can commit, run here so
// that a loop or a runaway allocation in one costs that call, never the extension host.
import { workerData } from 'node:worker_threads';
import { serveIsolated } from '../../common/isolatedWorkerServe';
import { createFileRunSource, isFileStoreKind } from '../fileSources';
import { runsWorkerHandlers, type RunsWorkerData } from './runsWorkerHandlers';

const data = workerData as RunsWorkerData;
serveIsolated(
  runsWorkerHandlers((kind, location, options) => {
    if (!isFileStoreKind(kind)) throw new Error(`no reader for run store kind ${kind}`);
    return createFileRunSource(kind, location, options);
  }, data.options),
);
