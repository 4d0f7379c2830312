// The one way to read a file a repository controls (pipeline and params files, dvc.lock,
// mlruns/, DVCLive and experiment files, event files, mlflow.db). A cloned repository can
// commit a symlink to /dev/urandom (reading it grows memory without bound), a FIFO (opening
// it blocks until a writer comes, which is never), or a symlink to a file outside the
// workspace (~/.ssh/...). So: only regular files, only inside the allowed root once links
// are resolved, never more than a cap per kind of file, and a FIFO never blocks.
import * as fs from 'node:fs';
import { closeSync, constants, fstatSync, lstatSync, openSync, readSync, realpathSync, statSync } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import { promisify } from 'node:util';
import * as path from 'node:path';
import { formatBytes } from './format';

/** How much of one kind of file is read at most; `kind` names it in the warning. */
export interface ReadCap {
  bytes: number;
  kind: string;
}

const MB = 1024 * 1024;

/** Pipeline, params, dvc.lock, meta.yaml, metrics/params JSON/YAML, .dvc files, small state files. */
export const YAML_JSON_CAP: ReadCap = { bytes: 10 * MB, kind: 'YAML/JSON inputs' };
/** Metric histories as text (mlruns `metrics/<key>`, DVCLive `.tsv`): long runs log millions of lines. */
export const HISTORY_CAP: ReadCap = { bytes: 256 * MB, kind: 'metric history files' };

/** DVC's `.dir` manifests in the cache: one line per file of a tracked folder. */
export const MANIFEST_CAP: ReadCap = { bytes: 256 * MB, kind: 'DVC folder manifests' };

export type RefusalReason = 'not-a-file' | 'outside-root' | 'too-large';

/**
 * A file that was not read because of what it is, not because it is missing: the caller
 * turns it into one warning for that file. A missing file still throws the ENOENT error, so
 * `emptyIfMissing` and `code === 'ENOENT'` checks keep working.
 */
export class FileRefusedError extends Error {
  readonly code = 'EREFUSED';
  constructor(
    readonly file: string,
    readonly reason: RefusalReason,
    message: string,
  ) {
    super(message);
    this.name = 'FileRefusedError';
  }
}

export interface ReadLimits {
  cap: ReadCap;
  /** The file must lie inside this folder once every symlink is resolved; omitted: anywhere. */
  root?: string;
}

// O_NONBLOCK: opening a FIFO for reading returns at once instead of waiting for a writer;
// it changes nothing for regular files. Windows has no FIFOs and no such flag.
const OPEN_FLAGS = constants.O_RDONLY | (constants.O_NONBLOCK ?? 0);

const notAFile = (file: string, what: string) => new FileRefusedError(file, 'not-a-file', `${path.basename(file)} is ${what}, not a regular file; not read`);

function kindOf(s: { isFIFO(): boolean; isCharacterDevice(): boolean; isBlockDevice(): boolean; isSocket(): boolean; isDirectory(): boolean }): string {
  if (s.isFIFO()) return 'a FIFO';
  if (s.isCharacterDevice() || s.isBlockDevice()) return 'a device';
  if (s.isSocket()) return 'a socket';
  if (s.isDirectory()) return 'a folder';
  return 'not a file';
}

function insideRoot(file: string, real: string, realRoot: string): void {
  const rel = path.relative(realRoot, real);
  if (rel === '' || rel.startsWith('..') || path.isAbsolute(rel)) {
    throw new FileRefusedError(file, 'outside-root', `${path.basename(file)} leads outside the workspace (to ${real}); not read`);
  }
}

function tooLarge(file: string, cap: ReadCap, size: number): FileRefusedError {
  return new FileRefusedError(file, 'too-large', `${path.basename(file)} is larger than the ${formatBytes(cap.bytes)} limit for ${cap.kind} (${formatBytes(size)}); not read`);
}

// The callback API, promisified: a FileHandle costs more than the read of a small file
// (measured: 10,000 small files read 2-3x faster on descriptors than with fs/promises).
const fsp = {
  lstat: promisify(fs.lstat),
  stat: promisify(fs.stat),
  realpath: promisify(fs.realpath),
  open: promisify(fs.open),
  fstat: promisify(fs.fstat),
  read: promisify(fs.read),
  close: promisify(fs.close),
};

// Where a folder really is, remembered for a second: a listing reads many files of one
// folder, and resolving every component of every path (realpath) made a 26,000-file mlruns
// listing twice as slow. A second is far shorter than any listing's refresh interval.
const FOLDER_TTL_MS = 1000;
const folders = new Map<string, { real: Promise<string>; at: number }>();
const foldersSync = new Map<string, { real: string; at: number }>();

function realFolder(dir: string): Promise<string> {
  const now = Date.now();
  const hit = folders.get(dir);
  if (hit && now - hit.at < FOLDER_TTL_MS) return hit.real;
  if (folders.size > 4096) folders.clear();
  const real = fsp.realpath(dir);
  folders.set(dir, { real, at: now });
  real.catch(() => folders.delete(dir));
  return real;
}

function realFolderSync(dir: string): string {
  const now = Date.now();
  const hit = foldersSync.get(dir);
  if (hit && now - hit.at < FOLDER_TTL_MS) return hit.real;
  if (foldersSync.size > 4096) foldersSync.clear();
  const real = realpathSync(dir);
  foldersSync.set(dir, { real, at: now });
  return real;
}

/**
 * Where `file` really is, after checking that it is a regular file inside `root` (links
 * resolved, in the file's name and in its folders). Checked before opening: opening some
 * devices does something (a tape rewinds); a FIFO is opened with O_NONBLOCK anyway.
 */
async function checkedPath(file: string, root: string | undefined): Promise<string> {
  const abs = path.resolve(file);
  const l = await fsp.lstat(abs);
  const link = l.isSymbolicLink();
  const real = link ? await fsp.realpath(abs) : path.join(await realFolder(path.dirname(abs)), path.basename(abs));
  if (root !== undefined) insideRoot(file, real, await realFolder(path.resolve(root)));
  const s = link ? await fsp.stat(real) : l;
  if (!s.isFile()) throw notAFile(file, kindOf(s));
  return real;
}

/** Opens the checked path and checks the descriptor again: a file swapped meanwhile is still caught. */
async function openChecked(file: string, root: string | undefined): Promise<{ fd: number; size: number }> {
  const fd = await fsp.open(await checkedPath(file, root), OPEN_FLAGS);
  try {
    const s = await fsp.fstat(fd);
    if (!s.isFile()) throw notAFile(file, kindOf(s));
    return { fd, size: s.size };
  } catch (err) {
    await fsp.close(fd);
    throw err;
  }
}

/**
 * Opens `file` for streamed reading (event files, hashing data files) after the same
 * checks as `readBounded`, without a cap; the caller closes the handle.
 */
export async function openRegularFile(file: string, root?: string): Promise<{ fh: FileHandle; size: number }> {
  const fh = await open(await checkedPath(file, root), OPEN_FLAGS);
  try {
    const s = await fh.stat();
    if (!s.isFile()) throw notAFile(file, kindOf(s));
    return { fh, size: s.size };
  } catch (err) {
    await fh.close();
    throw err;
  }
}

/**
 * The bytes of a regular file inside `root`, at most `cap.bytes` of them (else
 * FileRefusedError). Reads what fstat saw, no more: a file that grows meanwhile is read as
 * it was, and one that claims size 0 (procfs) reads empty.
 */
export async function readBounded(file: string, limits: ReadLimits): Promise<Buffer> {
  const { fd, size } = await openChecked(file, limits.root);
  try {
    if (size > limits.cap.bytes) throw tooLarge(file, limits.cap, size);
    const buf = Buffer.allocUnsafe(size);
    let n = 0;
    while (n < size) {
      const { bytesRead } = await fsp.read(fd, buf, n, size - n, n);
      if (bytesRead === 0) break;
      n += bytesRead;
    }
    return buf.subarray(0, n);
  } finally {
    await fsp.close(fd);
  }
}

/** A regular file's text (UTF-8), bounded as `readBounded`. */
export async function readBoundedText(file: string, limits: ReadLimits): Promise<string> {
  return (await readBounded(file, limits)).toString('utf8');
}

/**
 * `readBoundedText` for synchronous callers (the language server's file system and git's
 * small files): the same checks, in the same order.
 */
export function readBoundedTextSync(file: string, limits: ReadLimits): string {
  const { fd, size } = openRegularFileSync(file, limits.root);
  try {
    if (size > limits.cap.bytes) throw tooLarge(file, limits.cap, size);
    const buf = Buffer.allocUnsafe(size);
    let n = 0;
    while (n < size) {
      const got = readSync(fd, buf, n, size - n, n);
      if (got === 0) break;
      n += got;
    }
    return buf.subarray(0, n).toString('utf8');
  } finally {
    closeSync(fd);
  }
}

/** `openRegularFile` for synchronous callers; the caller closes the descriptor. */
export function openRegularFileSync(file: string, root?: string): { fd: number; size: number } {
  const abs = path.resolve(file);
  const l = lstatSync(abs);
  const link = l.isSymbolicLink();
  const real = link ? realpathSync(abs) : path.join(realFolderSync(path.dirname(abs)), path.basename(abs));
  if (root !== undefined) insideRoot(file, real, realFolderSync(path.resolve(root)));
  const s = link ? statSync(real) : l;
  if (!s.isFile()) throw notAFile(file, kindOf(s));
  const fd = openSync(real, OPEN_FLAGS);
  try {
    const s = fstatSync(fd);
    if (!s.isFile()) throw notAFile(file, kindOf(s));
    return { fd, size: s.size };
  } catch (err) {
    closeSync(fd);
    throw err;
  }
}

/** Checks only (mlflow.db, which its own reader opens by pages): a regular file inside `root`. */
export async function assertRegularFile(file: string, root?: string): Promise<void> {
  const { fh } = await openRegularFile(file, root);
  await fh.close();
}

/** True for a refusal (warn and skip the file); false for anything else, ENOENT included. */
export function isRefused(err: unknown): err is FileRefusedError {
  return err instanceof FileRefusedError;
}
