// Entry of the model-registry reader thread (bundled as dist/lazy/modelsWorker.js): mlflow.db,
// mlruns/models, dvc.yaml + git tags and MLmodel files are anyone's to commit, so they are
// read here, where a loop or a runaway allocation costs one call, never the extension host.
import { workerData } from 'node:worker_threads';
import { serveIsolated } from '../../common/isolatedWorkerServe';
import { modelsWorkerHandlers } from './modelsWorkerHandlers';

serveIsolated(modelsWorkerHandlers((workerData as { wasmPath?: string } | undefined)?.wasmPath));
