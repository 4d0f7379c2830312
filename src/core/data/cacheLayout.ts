// DVC's content-addressed layout, shared by the local cache and local/SSH remotes:
// DVC 3 puts an object at files/md5/<first 2 hex>/<other 30>, DVC 2 (outs without
// `hash: md5`) at <2>/<30>. A directory is a `.dir` manifest object listing its files.
import { existsSync } from 'node:fs';
import { stat } from 'node:fs/promises';
import { isRefused, MANIFEST_CAP, readBoundedText } from '../common/boundedRead';
import * as path from 'node:path';
import { DataError } from './dataErrors';

export interface ManifestEntry {
  md5: string;
  relpath: string;
}

export function objectPath(store: string, md5: string, legacy = false): string {
  const base = legacy ? store : path.join(store, 'files', 'md5');
  return path.join(base, md5.slice(0, 2), md5.slice(2));
}

/** The `.dir` manifest of a directory version, from the cache; DataError when absent. */
export async function readDirManifest(cacheDir: string, md5: string, legacy = false, label = md5): Promise<ManifestEntry[]> {
  const file = objectPath(cacheDir, md5, legacy);
  let text: string;
  try {
    text = await readBoundedText(file, { cap: MANIFEST_CAP });
  } catch (err) {
    if (isRefused(err)) throw new DataError('missing-cache', `The file list of ${label} (${md5}) in the DVC cache was not read: ${err.message}.`);
    throw new DataError(
      'missing-cache',
      `The file list of ${label} (${md5}) is not in the DVC cache (${path.relative(process.cwd(), file) || file}). Run "dvc pull" or "dvc fetch" to get it from the remote; nothing in the workspace was changed.`,
    );
  }
  const parsed = JSON.parse(text) as unknown;
  if (!Array.isArray(parsed)) throw new DataError('missing-cache', `The cache entry ${file} is not a directory manifest; remove it and run "dvc fetch".`);
  return parsed.filter((e): e is ManifestEntry => !!e && typeof e.md5 === 'string' && typeof e.relpath === 'string');
}

export interface PresenceResult {
  /** Every object present. */
  complete: boolean;
  /** Objects that are missing (the manifest itself counts as one). */
  missing: number;
  /** Bytes of the objects found (the whole size when complete). */
  size?: number;
}

/**
 * Whether a file or directory version is fully present in a store (the cache or a
 * local remote). `manifest` is the directory's file list when already known.
 */
export async function presence(store: string, md5: string, legacy: boolean, manifest?: ManifestEntry[]): Promise<PresenceResult> {
  if (!md5.endsWith('.dir')) {
    const st = await stat(objectPath(store, md5, legacy)).catch(() => undefined);
    return st ? { complete: true, missing: 0, size: st.size } : { complete: false, missing: 1 };
  }
  const manifestFile = objectPath(store, md5, legacy);
  let entries = manifest;
  if (!existsSync(manifestFile)) {
    if (!entries) return { complete: false, missing: 1 };
  }
  entries ??= JSON.parse(await readBoundedText(manifestFile, { cap: MANIFEST_CAP })) as ManifestEntry[];
  let missing = existsSync(manifestFile) ? 0 : 1;
  for (const e of entries) if (!existsSync(objectPath(store, e.md5, legacy))) missing++;
  return { complete: missing === 0, missing };
}
