// Entry of the model-registry reader thread (bundled as dist/lazy/modelsWorker.js): mlflow.db,
// mlruns/models, dvc.yaml + git tags and MLmodel files are anyone's to commit, so they are
// read here, where a loop or a runaway allocation costs one call, never the extension host.
// The mlflow.db reader is in this bundle; the others (modelsReaders.ts) load from beside it
// on first use, as the run-store worker does with its readers.
import * as path from 'node:path';
import { workerData } from 'node:worker_threads';
import { serveIsolated } from '../../common/isolatedWorkerServe';
import { modelsWorkerHandlers, type ModelsReaders, type ModelsWorkerData } from './modelsWorkerHandlers';

let readers: ModelsReaders | undefined;
const loadReaders = (): ModelsReaders =>
  // Computed, so that esbuild leaves the require alone and the readers out of this bundle.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  (readers ??= require(path.join(__dirname, 'modelsReaders.js')) as ModelsReaders);

serveIsolated(modelsWorkerHandlers(loadReaders, (workerData as ModelsWorkerData | undefined) ?? {}));
