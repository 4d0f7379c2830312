// A tracking server's artifact, downloaded to a file under one folder per run. The
// server names the path (and the run id), so both are checked before anything is asked
// for or written: a path that would leave the folder is refused, never fetched.
import { mkdir, writeFile } from 'node:fs/promises';
import * as path from 'node:path';
import { artifactFile, runFolderName } from './artifactPaths';

export interface ArtifactDownloader {
  downloadArtifact(runId: string, path: string, signal?: AbortSignal): Promise<Buffer>;
}

/** Downloads `artifactPath` of `runId` to `<root>/<run id>/<path>` and returns that file. */
export async function downloadArtifactTo(source: ArtifactDownloader, runId: string, artifactPath: string, root: string, signal?: AbortSignal): Promise<string> {
  const folder = runFolderName(runId);
  const file = folder && artifactFile(path.join(root, folder), artifactPath);
  if (!file) throw new Error(`refused the artifact path ${JSON.stringify(artifactPath)} of run ${JSON.stringify(runId)}: it would be written outside the download folder`);
  const bytes = await source.downloadArtifact(runId, artifactPath, signal);
  await mkdir(path.dirname(file), { recursive: true });
  await writeFile(file, bytes);
  return file;
}
