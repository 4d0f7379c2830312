// State of each artifact, natively: the workspace hashed with DVC's md5 rules
// (HashCache, unchanged files not re-hashed), the cache and a local remote checked by
// their layout. Other remote kinds are asked of DVC by the caller (remoteStatusFromCli).
import * as path from 'node:path';
import { HashCache } from '../pipelines/status/dvcHash';
import type { Artifact } from './artifacts';
import { presence, readDirManifest, type ManifestEntry } from './cacheLayout';
import type { DvcConfig } from './dvcConfig';

export type ArtifactStateKind = 'in-sync' | 'modified' | 'missing' | 'not-cached' | 'not-pushed';

export interface ArtifactState {
  kind: ArtifactStateKind;
  workspace: 'same' | 'modified' | 'missing';
  /** Hash of the workspace copy, when it exists. */
  workspaceMd5?: string;
  workspaceSize?: number;
  cached: boolean;
  /** Objects of this version missing from the cache. */
  missingInCache: number;
  /** undefined: no default remote, or one DVC has to be asked about. */
  pushed?: boolean;
  remote?: string;
  /** Files of a directory version, from its manifest (when cached). */
  manifest?: ManifestEntry[];
}

export const STATE_TEXT: Record<ArtifactStateKind, string> = {
  'in-sync': 'in sync',
  modified: 'modified in the workspace',
  missing: 'not in the workspace',
  'not-cached': 'not in the local cache',
  'not-pushed': 'not pushed to the remote',
};

export async function artifactState(root: string, a: Artifact, config: DvcConfig, hashes: HashCache = new HashCache()): Promise<ArtifactState> {
  const ws = await hashes.any(path.join(root, a.path));
  const workspace = !ws ? 'missing' : ws.md5 === a.md5 ? 'same' : 'modified';
  const manifest = a.isDir ? await readDirManifest(config.cacheDir, a.md5, a.legacy).catch(() => undefined) : undefined;
  const cache = await presence(config.cacheDir, a.md5, a.legacy, manifest);
  let pushed: boolean | undefined;
  if (config.remote?.localPath) pushed = (await presence(config.remote.localPath, a.md5, a.legacy, manifest)).complete;
  const kind: ArtifactStateKind =
    workspace === 'modified' ? 'modified' : workspace === 'missing' ? 'missing' : !cache.complete ? 'not-cached' : pushed === false ? 'not-pushed' : 'in-sync';
  return {
    kind,
    workspace,
    workspaceMd5: ws?.md5,
    workspaceSize: ws?.size,
    cached: cache.complete,
    missingInCache: cache.missing,
    pushed,
    remote: config.remote?.name,
    manifest,
  };
}

export async function artifactStates(root: string, artifacts: Artifact[], config: DvcConfig, hashes: HashCache = new HashCache()): Promise<Map<string, ArtifactState>> {
  const out = new Map<string, ArtifactState>();
  for (const a of artifacts) out.set(a.path, await artifactState(root, a, config, hashes));
  return out;
}

/** Paths `dvc data status --not-in-remote --json` lists as not in the remote (dirs as "dir/"). */
export function notInRemoteFromCli(json: unknown): Set<string> {
  const list = (json as { not_in_remote?: unknown })?.not_in_remote;
  return new Set(Array.isArray(list) ? list.map((p) => String(p).replace(/\/$/, '')) : []);
}
