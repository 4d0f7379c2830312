// Bundled apart (dist/lazy/runsLib.js) and required when the Runs view first lists its
// stores, so that activation never parses the run-store readers. The readers of stores in
// files run in one worker thread (dist/lazy/runsWorker.js, see core/runs/isolated); only a
// tracking server's REST source runs on the extension host.
import { statSync } from 'node:fs';
import * as path from 'node:path';
import type { IsolatedWorker } from '../../core/common/isolatedWorker';
import { isFileStoreKind } from '../../core/runs/fileStoreKinds';
import { IsolatedRunSource, runsWorker } from '../../core/runs/isolated/isolatedRunSource';
import { SavedListingGate, type SnapshotPlace } from '../../core/runs/mlflow/sqliteListingSnapshot';
import { compactListingSoon } from '../../core/runs/compactListing';
import type { MlflowAuth } from '../../core/runs/mlflow/mlflowRestClient';
import { MlflowRestSource } from '../../core/runs/mlflow/mlflowRestSource';
import type { RunSource } from '../../core/runs/types';

export type { RunSource };

export interface SourceFactoryOptions {
  /** dist/sql-wasm.wasm: sql.js cannot find it beside a bundle by itself. */
  wasmPath: string;
  /** A tracking server's credentials, read for every request (SecretStorage). */
  auth?: () => Promise<MlflowAuth | undefined>;
  /** mlops.mlflow.maxRuns: a tracking server's newest runs listed. */
  maxRuns?: () => number | undefined;
  /** The Runs view's search filter (MLflow syntax), sent to a tracking server. */
  filter?: () => string | undefined;
  /** The extension's global storage: caches kept between sessions. */
  cacheDir?: string;
  /** The worker's restarts and deaths, for the log. */
  log?: (line: string) => void;
}

// One worker for every store (not one each): see the CHANGELOG entry and isolatedWorker.ts
// on how a death is pinned on the one store at fault.
let worker: IsolatedWorker | undefined;
let snapshots: SnapshotPlace | undefined;

const workerScript = () => path.join(__dirname, 'runsWorker.js');

/** Where mlflow.db listings are saved between windows; the reader is named by its bundle's size and mtime. */
function snapshotPlace(options: SourceFactoryOptions): SnapshotPlace | undefined {
  if (!options.cacheDir) return undefined;
  if (!snapshots) {
    const st = statSync(workerScript(), { bigint: true });
    snapshots = { dir: options.cacheDir, reader: `${st.size}:${st.mtimeNs}` };
  }
  return snapshots;
}

function theWorker(options: SourceFactoryOptions): IsolatedWorker {
  worker ??= runsWorker({
    script: workerScript(),
    sources: { wasmPath: options.wasmPath, cacheDir: options.cacheDir },
    snapshots: snapshotPlace(options),
    // A later window's worker starts without compiling its bundle (Node ≥ 22.1).
    compileCacheDir: options.cacheDir && path.join(options.cacheDir, 'compile-cache'),
    log: options.log,
  });
  return worker;
}

/** The reader of one store found in the workspace (see runsModel.StoreKind). */
export function createRunSource(kind: string, location: string, options: SourceFactoryOptions): RunSource & { dispose?(): void } {
  if (kind === 'mlflow-rest') return new MlflowRestSource(location, { auth: options.auth, maxRuns: options.maxRuns, filter: options.filter });
  if (!isFileStoreKind(kind)) throw new Error(`unknown run store kind ${kind}`);
  const place = kind === 'mlflow-sqlite' ? snapshotPlace(options) : undefined;
  const saved = place && new SavedListingGate(place, location, 'runs', compactListingSoon);
  return new IsolatedRunSource(kind, location, theWorker(options), Date.now, saved);
}

/** Starts the run-store worker now (it stops again after a while unused): the Runs view does so before it searches the folders for stores. */
export function startRunsWorker(options: SourceFactoryOptions): void {
  theWorker(options).warm();
}

/** Stops the worker (deactivation). */
export function disposeRunsWorker(): void {
  worker?.dispose();
  worker = undefined;
}
