// Code sync: the project's files to the cluster's remote root over SFTP, incrementally.
// The rules that keep the remote side sound when anything goes wrong:
// - a file is written under .mlops-sync.tmp/ and renamed into place (posix-rename where
//   the server has it), so a dropped connection leaves a temp file, never a half file at
//   the real name; the next sync empties that folder first;
// - the manifest is written last (also temp + rename): a sync cut short sends the files it
//   had not recorded again next time, and forgets nothing it wrote;
// - only files listed in our manifest are ever deleted (a file removed here that we wrote
//   before), and only when the cluster's copy is still the one we wrote (same size and
//   mtime): a file a job or a person changed there is left in place and reported.
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { ActionableError, isActionableError } from '../../common/errors';
import { DEFAULT_WALK_LIMITS, walkProject, type LocalFile, type Skipped, type WalkLimits } from './localTree';
import { emptyManifest, MANIFEST_MAX_BYTES, MANIFEST_NAME, parseManifest, serializeManifest, TEMP_DIR_NAME, type Manifest } from './manifest';
import type { RemoteFs } from './remoteFs';

/** The remote root does not exist; the caller offers to create it and syncs again with `createRoot`. */
export class RemoteRootMissingError extends ActionableError {
  constructor(readonly remoteRoot: string) {
    super(`The remote folder ${remoteRoot} does not exist on the cluster.`, 'Create it (the sync offers to), or set remoteRoot in MLOps › Clusters to a folder that exists.');
  }
}

export class SyncError extends ActionableError {}

export interface SyncOptions {
  localRoot: string;
  /** Absolute, on the cluster. */
  remoteRoot: string;
  fs: RemoteFs;
  /** Make the remote root (and its missing parents) when absent. */
  createRoot?: boolean;
  limits?: WalkLimits;
  /** Paths sent although an ignore file leaves them out (`walkProject`'s `include`). */
  include?: readonly string[];
  /** Files in flight at once. Default 4. */
  concurrency?: number;
  signal?: AbortSignal;
  onProgress?: (done: number, total: number, rel: string) => void;
}

export interface SyncReport {
  uploaded: string[];
  unchanged: number;
  /** Files we wrote earlier, removed here, deleted there. */
  deleted: string[];
  /** Files we wrote earlier, removed here, but changed on the cluster since: left there. */
  keptChanged: string[];
  skipped: Skipped[];
  truncated: boolean;
  bytes: number;
  ms: number;
  warnings: string[];
}

const join = (root: string, rel: string) => `${root.replace(/\/+$/, '')}/${rel}`;
const parentOf = (p: string) => p.slice(0, p.lastIndexOf('/'));

function abortError(): Error {
  const e = new Error('sync cancelled');
  e.name = 'AbortError';
  return e;
}

async function sha256(file: string): Promise<string> {
  const h = createHash('sha256');
  for await (const chunk of createReadStream(file)) h.update(chunk as Buffer);
  return h.digest('hex');
}

/**
 * Makes `dir` and its missing parents. Each folder is made once, by whichever upload asks
 * first; the others wait on that promise (two mkdirs of one folder: the second fails).
 */
function mkdirs(fs: RemoteFs, dir: string, known: Map<string, Promise<void>>): Promise<void> {
  let p = known.get(dir);
  if (!p) {
    const parent = parentOf(dir);
    p = (async () => {
      const st = await fs.stat(dir);
      if (st) {
        if (!st.isDirectory) throw new SyncError(`${dir} on the cluster is a file where the project has a folder.`, 'Move that file away on the cluster and sync again.');
        return;
      }
      if (parent) await mkdirs(fs, parent, known);
      await fs.mkdir(dir);
    })();
    known.set(dir, p);
  }
  return p;
}

/** Makes an absolute remote folder and its missing parents (a file in the way: SyncError). */
export function makeRemoteDirs(fs: RemoteFs, dir: string): Promise<void> {
  return mkdirs(fs, dir.replace(/\/+$/, ''), new Map());
}

export async function syncProject(opts: SyncOptions): Promise<SyncReport> {
  const t0 = Date.now();
  const { fs, signal } = opts;
  const root = opts.remoteRoot.replace(/\/+$/, '') || '/';
  if (!root.startsWith('/')) throw new SyncError(`The remote root "${opts.remoteRoot}" is not an absolute path.`, 'Set remoteRoot in MLOps › Clusters to an absolute folder.');
  const warnings: string[] = [];
  const known = new Map<string, Promise<void>>();

  const rootStat = await fs.stat(root);
  if (!rootStat) {
    if (!opts.createRoot) throw new RemoteRootMissingError(root);
    await mkdirs(fs, root, known);
  } else if (!rootStat.isDirectory) {
    throw new SyncError(`The remote root ${root} is a file, not a folder.`, 'Set remoteRoot in MLOps › Clusters to a folder.');
  }
  known.set(root, Promise.resolve());

  const [tree, manifestText] = await Promise.all([
    walkProject(opts.localRoot, opts.limits ?? DEFAULT_WALK_LIMITS, opts.include),
    fs.readFile(join(root, MANIFEST_NAME), MANIFEST_MAX_BYTES).catch((e: Error) => (warnings.push(`${MANIFEST_NAME}: ${e.message}`), undefined)),
  ]);
  const old: Manifest = manifestText ? parseManifest(manifestText.toString('utf8'), (m) => warnings.push(m)) : emptyManifest();
  const next = emptyManifest();
  let dirty = false;

  // What changed: size + mtime as recorded; where those differ, the content's hash.
  const changed: Array<{ f: LocalFile; sha: string }> = [];
  let unchanged = 0;
  for (const f of tree.files) {
    if (signal?.aborted) throw abortError();
    const m = old.files[f.rel];
    if (m && m.size === f.size && m.mtimeMs === f.mtimeMs) {
      next.files[f.rel] = m;
      unchanged++;
      continue;
    }
    const sha = await sha256(f.abs);
    if (m && m.size === f.size && m.sha256 === sha) {
      next.files[f.rel] = { ...m, mtimeMs: f.mtimeMs };
      dirty = true;
      unchanged++;
      continue;
    }
    changed.push({ f, sha });
  }
  // A file sync could not look at (too large, a symlink, past the caps) keeps its entry: it is not "removed".
  for (const s of tree.skipped) if (old.files[s.rel]) next.files[s.rel] = old.files[s.rel];

  const tempDir = join(root, TEMP_DIR_NAME);
  const temp = await fs.stat(tempDir);
  if (temp?.isDirectory) {
    // Leftovers of a sync that was cut short: only this folder's files, which only sync writes.
    for (const e of (await fs.readdir(tempDir)).slice(0, 100000)) if (e.isFile) await fs.unlink(`${tempDir}/${e.name}`).catch(() => undefined);
  } else if (changed.length) {
    await fs.mkdir(tempDir);
  }
  const tempReady = temp?.isDirectory || changed.length > 0;

  const uploaded: string[] = [];
  let bytes = 0;
  let failure: unknown;
  let done = 0;
  const queue = [...changed];
  const nonce = randomBytes(4).toString('hex');
  const worker = async () => {
    for (let item = queue.shift(); item && failure === undefined; item = queue.shift()) {
      if (signal?.aborted) {
        failure = abortError();
        break;
      }
      const { f, sha } = item;
      const target = join(root, f.rel);
      const tmp = `${tempDir}/${nonce}-${uploaded.length + queue.length}-${randomBytes(3).toString('hex')}`;
      try {
        await mkdirs(fs, parentOf(target), known);
        await fs.upload(f.abs, tmp);
        // The local mtime, so a removed file can later be told apart from one changed there.
        await fs.setMtime(tmp, Math.floor(f.mtimeMs / 1000));
        await fs.rename(tmp, target);
        next.files[f.rel] = { size: f.size, mtimeMs: f.mtimeMs, sha256: sha };
        uploaded.push(f.rel);
        bytes += f.size;
        dirty = true;
        opts.onProgress?.(++done, changed.length, f.rel);
      } catch (err) {
        failure ??= err;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(opts.concurrency ?? 4, changed.length)) }, worker));

  const deleted: string[] = [];
  const keptChanged: string[] = [];
  // With the walk cut short, a file not seen is not a file removed: delete nothing.
  if (failure === undefined && !tree.truncated) {
    for (const [rel, m] of Object.entries(old.files)) {
      if (rel in next.files) continue;
      dirty = true;
      const target = join(root, rel);
      const st = await fs.stat(target);
      if (!st) continue;
      if (st.isFile && st.size === m.size && st.mtime === Math.floor(m.mtimeMs / 1000)) {
        await fs.unlink(target);
        deleted.push(rel);
      } else {
        keptChanged.push(rel);
      }
    }
  } else {
    for (const [rel, m] of Object.entries(old.files)) if (!(rel in next.files)) next.files[rel] = m;
  }

  // Last: the record of what is there now (also what a cut-short sync managed to finish).
  if (dirty) {
    const tmp = `${tempDir}/${nonce}-manifest`;
    try {
      if (!tempReady) await fs.mkdir(tempDir);
      await fs.writeFile(tmp, Buffer.from(serializeManifest(next)));
      await fs.rename(tmp, join(root, MANIFEST_NAME));
    } catch (err) {
      failure ??= err;
    }
  }
  if (failure !== undefined) {
    if (failure instanceof Error && (failure.name === 'AbortError' || isActionableError(failure))) throw failure;
    throw new SyncError(`Code sync to ${root} stopped: ${(failure as Error).message ?? String(failure)}`, 'Sync again: files already sent are kept, the rest are sent then.');
  }
  return { uploaded, unchanged, deleted, keptChanged, skipped: tree.skipped, truncated: tree.truncated, bytes, ms: Date.now() - t0, warnings };
}
