// Results come home: after a job ends, the outputs that make its runs (DVCLive's folder,
// the stage's metrics and plots files, params.yaml) are copied from the job's folder on
// the cluster into a local folder of their own, where the Runs view's DVCLive source reads
// them like any other run. Each file lands under a temp name and is renamed, so a view
// reading the folder never sees half a file; a record (`mlops-job.json`) names the job.
// The cluster's side is untrusted: names are checked, only regular files are copied (a
// symlink there is not followed), and files, bytes and depth are capped. From a cached
// output (`eventPaths`: model weights live there) only TensorBoard event files come home.
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import * as path from 'node:path';
import { MANIFEST_MAX_BYTES, MANIFEST_NAME, parseManifest, safeRel, type ManifestEntry } from './manifest';
import type { RemoteFs } from './remoteFs';

export const JOB_RECORD_FILE = 'mlops-job.json';

/** What a TensorBoard event file's name holds: TensorBoard finds its files by it too. */
export const EVENT_FILE_MARK = 'tfevents';
export const isEventFileName = (name: string): boolean => name.includes(EVENT_FILE_MARK);

/** What `mlops-job.json` says; DVCLive runs read from a folder that has one carry it as tags. */
export interface JobResultRecord {
  cluster: string;
  jobId: string;
  /** The job's folder on the cluster. */
  remoteDir: string;
  /** The stage, experiment or entry point it ran, as shown. */
  what?: string;
  fetchedAt: string;
}

export interface FetchLimits {
  maxFiles: number;
  maxBytes: number;
  maxDepth: number;
  /** Entries listed while looking for event files in one cached output (a dataset folder may hold millions). */
  maxListed?: number;
}

export const DEFAULT_FETCH_LIMITS: FetchLimits = { maxFiles: 5000, maxBytes: 256 * 1024 * 1024, maxDepth: 16 };
/** Of a cached output, this many entries are looked at for event files, no more. */
export const MAX_LISTED_FOR_EVENTS = 100_000;

export interface FetchReport {
  files: string[];
  bytes: number;
  /** Asked for but absent on the cluster. */
  missing: string[];
  /** Left as code sync wrote them (same size and mtime): the job did not write them. */
  unchanged?: string[];
  /** Left out: a cap was reached, or not a regular file. */
  skipped: string[];
}

/**
 * Copies `paths` (relative to `remoteDir`, files or folders) into `localDir`, keeping their
 * relative places, then writes the record. Existing local copies are replaced.
 */
export async function fetchResults(opts: {
  fs: RemoteFs;
  remoteDir: string;
  paths: readonly string[];
  /** Files or folders (cached outputs) of which only the TensorBoard event files come home; absent ones are not reported missing. */
  eventPaths?: readonly string[];
  localDir: string;
  record: JobResultRecord;
  limits?: FetchLimits;
  /** What code sync wrote, keyed relative to remoteDir (`syncedFiles`): those files unchanged are not the job's results. */
  synced?: Readonly<Record<string, ManifestEntry>>;
}): Promise<FetchReport> {
  const { fs, localDir, synced } = opts;
  const limits = opts.limits ?? DEFAULT_FETCH_LIMITS;
  const base = opts.remoteDir.replace(/\/+$/, '');
  const report: FetchReport = { files: [], bytes: 0, missing: [], skipped: [], unchanged: [] };
  await mkdir(localDir, { recursive: true });
  const copy = async (rel: string, size: number) => {
    // A synced copy of the project's own dvclive/ (from a run here) is not what this job wrote.
    const m = synced && Object.hasOwn(synced, rel) ? synced[rel] : undefined;
    if (m && m.size === size && (await fs.stat(`${base}/${rel}`))?.mtime === Math.floor(m.mtimeMs / 1000)) {
      report.unchanged!.push(rel);
      return;
    }
    if (report.files.length >= limits.maxFiles || report.bytes + size > limits.maxBytes) {
      report.skipped.push(rel);
      return;
    }
    const target = path.join(localDir, ...rel.split('/'));
    await mkdir(path.dirname(target), { recursive: true });
    const tmp = `${target}.mlops-fetch`;
    try {
      await fs.download(`${base}/${rel}`, tmp);
      await rename(tmp, target);
    } catch (err) {
      await rm(tmp, { force: true });
      throw err;
    }
    report.files.push(rel);
    report.bytes += size;
  };
  const clean = (p: string) => p.replace(/^\.\/+/, '').replace(/\/+$/, '');
  // An event path inside another path asked for (`models` and `models/tb`) is walked once, with it.
  const events = [...new Set((opts.eventPaths ?? []).map(clean))];
  const asked = [...opts.paths.map(clean), ...events];
  const covered = (r: string) => opts.paths.some((o) => clean(o) === r) || asked.some((o) => o !== r && r.startsWith(`${o}/`));
  const roots = [...opts.paths.map((p) => ({ p, only: false })), ...events.filter((r) => !covered(r)).map((p) => ({ p, only: true }))];
  for (const { p, only } of roots) {
    const rel = clean(p);
    if (!safeRel(rel)) {
      report.skipped.push(p);
      continue;
    }
    const st = await fs.stat(`${base}/${rel}`);
    if (!st) {
      if (!only) report.missing.push(rel);
      continue;
    }
    // Only the names are filtered: a matching file is still a regular file under the caps.
    const wanted = (name: string) => !only || isEventFileName(name);
    if (st.isFile) {
      if (wanted(rel.split('/').pop()!)) await copy(rel, st.size);
      continue;
    }
    if (!st.isDirectory) {
      report.skipped.push(rel);
      continue;
    }
    // A folder: its own stack, no recursion over what the cluster holds.
    const stack: Array<{ rel: string; depth: number }> = [{ rel, depth: 0 }];
    let listed = 0;
    const maxListed = limits.maxListed ?? MAX_LISTED_FOR_EVENTS;
    while (stack.length) {
      const dir = stack.pop()!;
      const entries = await fs.readdir(`${base}/${dir.rel}`);
      listed += entries.length;
      if (only && listed > maxListed) {
        // Said as the folder left out: the rest of it is not looked at.
        report.skipped.push(`${rel}/...`);
        break;
      }
      for (const e of entries) {
        const r = `${dir.rel}/${e.name}`;
        if (!safeRel(r)) report.skipped.push(r);
        else if (e.isDirectory) {
          if (dir.depth + 1 > limits.maxDepth) report.skipped.push(r);
          else stack.push({ rel: r, depth: dir.depth + 1 });
        } else if (!wanted(e.name)) continue;
        else if (e.isFile) await copy(r, e.size);
        else report.skipped.push(r);
      }
    }
  }
  await writeFile(path.join(localDir, JOB_RECORD_FILE), `${JSON.stringify(opts.record, null, 2)}\n`);
  // Fetched results are not the project's source: keep them out of git.
  await writeFile(path.join(localDir, '.gitignore'), '*\n');
  return report;
}

/**
 * The files code sync last wrote under `remoteRoot` (its manifest), keyed relative to
 * `remoteDir` (the job's folder, at or below the root); empty when there is no manifest.
 */
export async function syncedFiles(fs: RemoteFs, remoteRoot: string, remoteDir: string, warn: (message: string) => void = () => undefined): Promise<Record<string, ManifestEntry>> {
  const root = remoteRoot.replace(/\/+$/, '');
  const dir = remoteDir.replace(/\/+$/, '');
  const prefix = dir === root ? '' : dir.startsWith(`${root}/`) ? `${dir.slice(root.length + 1)}/` : undefined;
  if (prefix === undefined) return {};
  const text = await fs.readFile(`${root}/${MANIFEST_NAME}`, MANIFEST_MAX_BYTES);
  if (!text) return {};
  const out: Record<string, ManifestEntry> = Object.create(null) as Record<string, ManifestEntry>;
  for (const [rel, e] of Object.entries(parseManifest(text.toString('utf8'), warn).files)) if (rel.startsWith(prefix)) out[rel.slice(prefix.length)] = e;
  return out;
}
