// Bundled apart (dist/lazy/runsLib.js) and required when the Runs view first lists its
// stores, so that activation never parses sql.js or the TensorBoard reader.
import { DvcExperimentsSource } from '../../core/runs/dvc/dvcExperiments';
import { DvcLiveSource } from '../../core/runs/dvc/dvcliveSource';
import { MlflowFileStoreSource } from '../../core/runs/mlflow/fileStoreSource';
import type { MlflowAuth } from '../../core/runs/mlflow/mlflowRestClient';
import { MlflowRestSource } from '../../core/runs/mlflow/mlflowRestSource';
import { MlflowSqliteSource } from '../../core/runs/mlflow/sqliteStoreSource';
import { TensorBoardSource } from '../../core/runs/tensorboard/tensorboardSource';
import type { RunSource } from '../../core/runs/types';

export type { RunSource };

export interface SourceFactoryOptions {
  /** dist/sql-wasm.wasm: sql.js cannot find it beside a bundle by itself. */
  wasmPath: string;
  /** A tracking server's credentials, read for every request (SecretStorage). */
  auth?: () => Promise<MlflowAuth | undefined>;
  /** mlops.mlflow.maxRuns: a tracking server's newest runs listed. */
  maxRuns?: () => number | undefined;
  /** The extension's global storage: caches kept between sessions. */
  cacheDir?: string;
}

/** The reader of one store found in the workspace (see runsModel.StoreKind). */
export function createRunSource(kind: string, location: string, options: SourceFactoryOptions): RunSource & { dispose?(): void } {
  switch (kind) {
    case 'mlflow-sqlite':
      return new MlflowSqliteSource(location, { wasmPath: options.wasmPath });
    case 'mlflow-file':
      return new MlflowFileStoreSource(location);
    case 'mlflow-rest':
      return new MlflowRestSource(location, { auth: options.auth, maxRuns: options.maxRuns });
    case 'dvc-experiments':
      return new DvcExperimentsSource(location, { cacheDir: options.cacheDir });
    case 'dvclive':
      return new DvcLiveSource(location);
    case 'tensorboard':
      return new TensorBoardSource(location);
    default:
      throw new Error(`unknown run store kind ${kind}`);
  }
}
