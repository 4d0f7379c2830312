// Two versions of one artifact side by side: size, files added/removed/changed (for
// directories, from their `.dir` manifests in the cache), and the metrics diff.
import { readDirManifest } from './cacheLayout';
import type { ArtifactVersion } from './versionHistory';

export interface MetricChange {
  file: string;
  key: string;
  before?: number;
  after?: number;
  delta?: number;
}

export interface VersionComparison {
  sizeBefore?: number;
  sizeAfter?: number;
  nfilesBefore?: number;
  nfilesAfter?: number;
  /** Directories only; undefined for files. */
  files?: { added: string[]; removed: string[]; changed: string[]; unchanged: number };
  metrics: MetricChange[];
}

type Side = Pick<ArtifactVersion, 'md5' | 'size' | 'nfiles' | 'legacy' | 'metrics'>;

export async function compareVersions(cacheDir: string, before: Side, after: Side, label = 'this artifact'): Promise<VersionComparison> {
  const result: VersionComparison = {
    sizeBefore: before.size,
    sizeAfter: after.size,
    nfilesBefore: before.nfiles,
    nfilesAfter: after.nfiles,
    metrics: diffMetrics(before.metrics, after.metrics),
  };
  if (before.md5.endsWith('.dir') && after.md5.endsWith('.dir')) {
    const [a, b] = await Promise.all([readDirManifest(cacheDir, before.md5, before.legacy, label), readDirManifest(cacheDir, after.md5, after.legacy, label)]);
    const old = new Map(a.map((e) => [e.relpath, e.md5]));
    const files = { added: [] as string[], removed: [] as string[], changed: [] as string[], unchanged: 0 };
    for (const e of b) {
      const was = old.get(e.relpath);
      if (was === undefined) files.added.push(e.relpath);
      else if (was !== e.md5) files.changed.push(e.relpath);
      else files.unchanged++;
      old.delete(e.relpath);
    }
    files.removed = [...old.keys()];
    for (const l of Object.values(files)) if (Array.isArray(l)) l.sort();
    result.files = files;
  }
  return result;
}

export function diffMetrics(before: Side['metrics'], after: Side['metrics']): MetricChange[] {
  const out: MetricChange[] = [];
  const files = new Set([...Object.keys(before), ...Object.keys(after)]);
  for (const file of [...files].sort()) {
    const keys = new Set([...Object.keys(before[file] ?? {}), ...Object.keys(after[file] ?? {})]);
    for (const key of [...keys].sort()) {
      const b = before[file]?.[key];
      const a = after[file]?.[key];
      if (a === b) continue;
      out.push({ file, key, before: b, after: a, delta: a !== undefined && b !== undefined ? a - b : undefined });
    }
  }
  return out;
}
