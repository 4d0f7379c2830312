// The one way to read a file a repository controls (pipeline and params files, dvc.lock,
// mlruns/, DVCLive and experiment files, event files, mlflow.db). A cloned repository can
// commit a symlink to /dev/urandom (reading it grows memory without bound), a FIFO (opening
// it blocks until a writer comes, which is never), or a symlink to a file outside the
// workspace (~/.ssh/...). So: only regular files, only inside the allowed root once links
// are resolved, never more than a cap per kind of file, and a FIFO never blocks.
import { closeSync, constants, fstatSync, openSync, readSync, realpathSync, statSync } from 'node:fs';
import { open, realpath, stat, type FileHandle } from 'node:fs/promises';
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

function describe(s: { isFIFO(): boolean; isCharacterDevice(): boolean; isBlockDevice(): boolean; isSocket(): boolean; isDirectory(): boolean }): string {
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

function tooLarge(file: string, cap: ReadCap, size?: number): FileRefusedError {
  const has = size === undefined ? 'more than that' : formatBytes(size);
  return new FileRefusedError(file, 'too-large', `${path.basename(file)} is larger than the ${formatBytes(cap.bytes)} limit for ${cap.kind} (${has}); not read`);
}

/**
 * Opens `file` for reading after checking that it is a regular file inside `root` (links
 * resolved), without blocking on a FIFO. The opened descriptor is checked again (fstat), so
 * a file swapped between the check and the open is still caught. The caller closes it.
 */
export async function openRegularFile(file: string, root?: string): Promise<{ fh: FileHandle; size: number }> {
  const real = await realpath(file);
  if (root !== undefined) insideRoot(file, real, await realpath(root));
  const s = await stat(real);
  // Checked before opening: opening some devices does something (a tape rewinds).
  if (!s.isFile()) throw notAFile(file, describe(s));
  const fh = await open(real, OPEN_FLAGS);
  try {
    const fs = await fh.stat();
    if (!fs.isFile()) throw notAFile(file, describe(fs));
    return { fh, size: fs.size };
  } catch (err) {
    await fh.close();
    throw err;
  }
}

/** The bytes of a regular file inside `root`, at most `cap.bytes` of them (else FileRefusedError). */
export async function readBounded(file: string, limits: ReadLimits): Promise<Buffer> {
  const { fh, size } = await openRegularFile(file, limits.root);
  try {
    if (size > limits.cap.bytes) throw tooLarge(file, limits.cap, size);
    // One byte more than fstat said (or than the cap): a file that grows meanwhile is read
    // as far as that, and one that grows past the cap is still refused.
    const buf = Buffer.allocUnsafe(Math.min(size, limits.cap.bytes) + 1);
    let n = 0;
    while (n < buf.length) {
      const { bytesRead } = await fh.read(buf, n, buf.length - n, n);
      if (bytesRead === 0) break;
      n += bytesRead;
    }
    if (n > limits.cap.bytes) throw tooLarge(file, limits.cap);
    return buf.subarray(0, n);
  } finally {
    await fh.close();
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
    const buf = Buffer.allocUnsafe(Math.min(size, limits.cap.bytes) + 1);
    let n = 0;
    while (n < buf.length) {
      const got = readSync(fd, buf, n, buf.length - n, n);
      if (got === 0) break;
      n += got;
    }
    if (n > limits.cap.bytes) throw tooLarge(file, limits.cap);
    return buf.subarray(0, n).toString('utf8');
  } finally {
    closeSync(fd);
  }
}

/** `openRegularFile` for synchronous callers; the caller closes the descriptor. */
export function openRegularFileSync(file: string, root?: string): { fd: number; size: number } {
  const real = realpathSync(file);
  if (root !== undefined) insideRoot(file, real, realpathSync(root));
  const s = statSync(real);
  if (!s.isFile()) throw notAFile(file, describe(s));
  const fd = openSync(real, OPEN_FLAGS);
  try {
    const fs = fstatSync(fd);
    if (!fs.isFile()) throw notAFile(file, describe(fs));
    return { fd, size: fs.size };
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
