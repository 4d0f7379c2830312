// The readers of stores kept in files (the kinds the Runs view finds in a workspace), by
// kind. The worker thread that isolates them (isolated/runsWorker.ts) builds them here;
// a tracking server's REST source stays on the extension host.
import { DvcExperimentsSource } from './dvc/dvcExperiments';
import { DvcLiveSource } from './dvc/dvcliveSource';
import { MlflowFileStoreSource } from './mlflow/fileStoreSource';
import { MlflowSqliteSource } from './mlflow/sqliteStoreSource';
import { TensorBoardSource } from './tensorboard/tensorboardSource';
import type { RunSource } from './types';
import type { FileStoreKind } from './fileStoreKinds';

export { FILE_STORE_KINDS, isFileStoreKind, type FileStoreKind } from './fileStoreKinds';

export interface FileSourceOptions {
  /** dist/sql-wasm.wasm: sql.js cannot find it beside a bundle by itself. */
  wasmPath?: string;
  /** Where DVC experiment commits are cached between sessions. */
  cacheDir?: string;
}

export type DisposableRunSource = RunSource & { dispose?(): void };

export function createFileRunSource(kind: FileStoreKind, location: string, options: FileSourceOptions): DisposableRunSource {
  switch (kind) {
    case 'mlflow-sqlite':
      return new MlflowSqliteSource(location, { wasmPath: options.wasmPath });
    case 'mlflow-file':
      return new MlflowFileStoreSource(location);
    case 'dvc-experiments':
      return new DvcExperimentsSource(location, { cacheDir: options.cacheDir });
    case 'dvclive':
      return new DvcLiveSource(location);
    case 'tensorboard':
      return new TensorBoardSource(location);
  }
}
