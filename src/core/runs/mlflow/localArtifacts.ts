// The artifacts of a run in a local MLflow store (mlflow.db or mlruns/), read where MLflow
// wrote them: no server needed, and opening one opens the file itself.
import { readdir, stat } from 'node:fs/promises';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { RunSummary } from '../types';
import { artifactFile } from './artifactPaths';
import type { ArtifactEntry } from './mlflowRestSource';

/**
 * The folder of a run's artifacts: its `artifact_uri` (a `file:` URI, or a path, relative
 * ones taken from the store's folder), else the file store's default
 * `<mlruns>/<exp>/<run>/artifacts`. An artifact store elsewhere (`s3://`,
 * `mlflow-artifacts:`) is not on this machine: the error says where it is.
 */
export function localArtifactRoot(storeKind: 'mlflow-sqlite' | 'mlflow-file', storeLocation: string, run: Pick<RunSummary, 'id' | 'name' | 'experimentId' | 'artifactUri'>): string | { error: string } {
  const uri = run.artifactUri;
  if (!uri) {
    if (storeKind === 'mlflow-file') return path.join(storeLocation, run.experimentId, run.id, 'artifacts');
    return { error: `MLflow recorded no artifact location for run ${run.name}` };
  }
  if (uri.startsWith('file:')) return fileURLToPath(uri);
  const storeDir = storeKind === 'mlflow-file' ? storeLocation : path.dirname(storeLocation);
  // A Windows drive letter looks like a URI scheme; it is a path.
  if (!/^[a-z][a-z0-9+.-]+:/i.test(uri) || /^[a-z]:[\\/]/i.test(uri)) return path.resolve(storeDir, uri);
  return { error: `the artifacts of ${run.name} are at ${uri}, not on this machine; open the run in the MLflow UI or serve this store with \`mlflow server\`` };
}

/** The entries of one folder under `root` (`dir` relative, with `/`); a run without artifacts has none. */
export async function listLocalArtifacts(root: string, dir = ''): Promise<ArtifactEntry[]> {
  const folder = artifactFile(root, dir);
  if (!folder) throw new Error(`refused the artifact folder ${JSON.stringify(dir)}: it leaves ${root}`);
  const parts = dir.split(/[\\/]+/).filter(Boolean);
  const entries = await readdir(path.join(root, ...parts), { withFileTypes: true }).catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'ENOENT' && !parts.length) return [];
    throw err;
  });
  return Promise.all(
    entries.map(async (d) => {
      const rel = [...parts, d.name].join('/');
      const isDir = d.isDirectory();
      const size = isDir ? undefined : (await stat(path.join(root, ...parts, d.name)).catch(() => undefined))?.size;
      return { path: rel, isDir, size };
    }),
  );
}
