// The few file operations code sync needs on the cluster, and their ssh2 SFTP form. Sync
// talks to this interface so its rules (temp name, rename, manifest last) read apart from
// SFTP's callback API; the integration test drives the real SFTP subsystem through it.
import type { SFTPWrapper, Stats } from 'ssh2';

export interface RemoteStat {
  size: number;
  /** Whole seconds since the epoch (SFTP's resolution). */
  mtime: number;
  isDirectory: boolean;
  isFile: boolean;
}

export interface RemoteEntry {
  name: string;
  size: number;
  isFile: boolean;
  isDirectory: boolean;
}

export interface RemoteFs {
  /** undefined when there is nothing at the path. */
  stat(path: string): Promise<RemoteStat | undefined>;
  mkdir(path: string): Promise<void>;
  /** The folder's entries (not `.` and `..`); a symlink is neither a file nor a folder here. */
  readdir(path: string): Promise<RemoteEntry[]>;
  /** The whole file, or undefined when it is missing; throws past maxBytes. */
  readFile(path: string, maxBytes: number): Promise<Buffer | undefined>;
  writeFile(path: string, data: Buffer): Promise<void>;
  /** Copies a local file to the remote path (several requests in flight); `onBytes` as they are acknowledged. */
  upload(localPath: string, remotePath: string, onBytes?: (sent: number, total: number) => void): Promise<void>;
  /** Copies a remote file to a local path. */
  download(remotePath: string, localPath: string): Promise<void>;
  setMtime(path: string, mtimeSec: number): Promise<void>;
  /** Replaces `to` in one step where the server can (posix-rename@openssh.com). */
  rename(from: string, to: string): Promise<void>;
  unlink(path: string): Promise<void>;
  close(): void;
}

/** SFTP's status code for "no such file". */
const NO_SUCH_FILE = 2;

function missing(err: unknown): boolean {
  return (err as { code?: number } | null)?.code === NO_SUCH_FILE;
}

/** A request with no answer for this long fails (a half-dead link otherwise waits forever). */
const IDLE_MS = 30000;

export function sftpRemoteFs(sftp: SFTPWrapper, idleMs = IDLE_MS): RemoteFs {
  // When the session ends (the connection dropped), every request still waiting fails at
  // once: ssh2 does not answer them, and a sync must stop, not hang.
  const pending = new Set<(err: Error) => void>();
  let closed: Error | undefined;
  const end = () => {
    closed ??= new Error('the SFTP session ended (the connection to the cluster dropped)');
    for (const fail of [...pending]) fail(closed);
  };
  sftp.once('close', end);
  sftp.once('end', end);
  /** One request; `touch` (given to the request) restarts its idle timer, for long uploads. */
  const call = <T>(fn: (cb: (err: Error | null | undefined, v?: T) => void, touch: () => void) => void): Promise<T> =>
    new Promise<T>((resolve, reject) => {
      if (closed) return reject(closed);
      let timer: NodeJS.Timeout | undefined;
      const fail = (err: Error) => settle(err);
      const touch = () => {
        if (timer) clearTimeout(timer);
        timer = setTimeout(() => settle(new Error(`no answer from the SFTP server for ${idleMs / 1000} s`)), idleMs);
      };
      const settle = (err: Error | null | undefined, v?: T) => {
        if (!pending.delete(fail)) return;
        if (timer) clearTimeout(timer);
        if (err) reject(err);
        else resolve(v as T);
      };
      pending.add(fail);
      touch();
      try {
        fn(settle, touch);
      } catch (err) {
        settle(err as Error);
      }
    });
  // posix-rename is an OpenSSH extension; a server without it gets unlink + rename (a short
  // window where the file is absent, never one where it is half written).
  let posixRename = true;
  return {
    async stat(path) {
      try {
        const s: Stats = await call((cb) => sftp.stat(path, cb));
        return { size: s.size, mtime: s.mtime, isDirectory: s.isDirectory(), isFile: s.isFile() };
      } catch (err) {
        if (missing(err)) return undefined;
        throw err;
      }
    },
    mkdir: (path) => call((cb) => sftp.mkdir(path, cb)),
    async readdir(path) {
      const list = await call<Array<{ filename: string; attrs: Stats }>>((cb) => sftp.readdir(path, cb));
      return list
        .filter((e) => e.filename !== '.' && e.filename !== '..')
        .map((e) => ({ name: e.filename, size: e.attrs.size, isFile: e.attrs.isFile(), isDirectory: e.attrs.isDirectory() }));
    },
    download: (remotePath, localPath) => call((cb, touch) => sftp.fastGet(remotePath, localPath, { concurrency: 8, step: () => touch() }, cb)),
    async readFile(path, maxBytes) {
      let handle: Buffer;
      try {
        handle = await call((cb) => sftp.open(path, 'r', cb));
      } catch (err) {
        if (missing(err)) return undefined;
        throw err;
      }
      try {
        const chunks: Buffer[] = [];
        let total = 0;
        for (;;) {
          const buf = Buffer.alloc(32768);
          const n = await call<number>((cb) => sftp.read(handle, buf, 0, buf.length, total, (err, bytes) => cb(err, bytes)));
          if (n <= 0) break;
          total += n;
          if (total > maxBytes) throw new Error(`${path} is larger than ${maxBytes} bytes`);
          chunks.push(buf.subarray(0, n));
        }
        return Buffer.concat(chunks);
      } finally {
        await call((cb) => sftp.close(handle, cb)).catch(() => undefined);
      }
    },
    writeFile: (path, data) => call((cb) => sftp.writeFile(path, data, cb)),
    upload: (localPath, remotePath, onBytes) =>
      call((cb, touch) =>
        sftp.fastPut(
          localPath,
          remotePath,
          {
            concurrency: 8,
            step: (sent: number, _chunk: number, total: number) => {
              touch();
              onBytes?.(sent, total);
            },
          },
          cb,
        ),
      ),
    setMtime: (path, mtimeSec) => call((cb) => sftp.utimes(path, mtimeSec, mtimeSec, cb)),
    async rename(from, to) {
      if (posixRename) {
        try {
          return await call((cb) => sftp.ext_openssh_rename(from, to, cb));
        } catch (err) {
          if (!/not support/i.test((err as Error).message)) throw err;
          posixRename = false;
        }
      }
      await call((cb) => sftp.unlink(to, cb)).catch((err: unknown) => {
        if (!missing(err)) throw err;
      });
      await call((cb) => sftp.rename(from, to, cb));
    },
    unlink: (path) => call((cb) => sftp.unlink(path, cb)),
    close: () => {
      sftp.end();
      end();
    },
  };
}
