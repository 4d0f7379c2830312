// A consistent, read-only copy of an SQLite database taken without any SQLite lock, so
// a training job writing to mlflow.db is never blocked by us (sql.js runs SQLite in
// WASM on an in-memory copy; it cannot share the writer's file locks anyway).
//
// MLflow itself leaves SQLite in its default rollback-journal mode ("delete"): a writer
// changes the main file only while committing, and a `-journal` file exists meanwhile.
// So we copy the file when no journal exists and check that nothing changed during the
// copy, retrying a few times. Databases switched to WAL (`mlflow migrate-filestore`
// does this, as do users) keep recent commits in `-wal`: we replay its committed,
// checksum-valid frames onto the copy, as a reader would see them, and mark the copy as
// a rollback-journal database so the in-memory SQLite does not look for shared memory.
import { readFile, stat } from 'node:fs/promises';
import { assertRegularFile } from '../../common/boundedRead';

export interface Snapshot {
  bytes: Uint8Array;
  /** Frames replayed from `-wal` (0 when there is none). */
  walFrames: number;
  /** Set when the copy could not be confirmed consistent after retries. */
  unstable?: string;
}

const RETRIES = 5;

export async function statOrUndefined(file: string) {
  try {
    return await stat(file);
  } catch {
    return undefined;
  }
}

export const same = (a?: { size: number; mtimeMs: number }, b?: { size: number; mtimeMs: number }) =>
  a === b || (!!a && !!b && a.size === b.size && a.mtimeMs === b.mtimeMs);

export async function snapshotSqlite(file: string): Promise<Snapshot> {
  await assertRegularFile(file); // regular files only, as the page reader
  let why = '';
  for (let attempt = 0; attempt < RETRIES; attempt++) {
    if (attempt) await new Promise((r) => setTimeout(r, 20 * 2 ** attempt));
    const journal = await statOrUndefined(`${file}-journal`);
    if (journal && journal.size > 0) {
      why = `a writer is committing (${file}-journal exists)`;
      continue;
    }
    const before = await stat(file);
    const walBefore = await statOrUndefined(`${file}-wal`);
    const [main, wal] = await Promise.all([readFile(file), walBefore && walBefore.size > 0 ? readFile(`${file}-wal`) : undefined]);
    const after = await stat(file);
    const walAfter = await statOrUndefined(`${file}-wal`);
    const journalAfter = await statOrUndefined(`${file}-journal`);
    if (!same(before, after) || !same(walBefore, walAfter) || (journalAfter && journalAfter.size > 0)) {
      why = 'the file changed while it was read';
      continue;
    }
    const { bytes, frames } = wal ? applyWal(main, wal) : { bytes: main, frames: 0 };
    markRollbackJournal(bytes);
    return { bytes, walFrames: frames };
  }
  const bytes = await readFile(file);
  markRollbackJournal(bytes);
  return { bytes, walFrames: 0, unstable: `${why}; read after ${RETRIES} tries, it may be a moment old or partial` };
}

/** Header bytes 18/19 are the write/read format versions: 2 means WAL, 1 rollback journal. */
function markRollbackJournal(db: Uint8Array): void {
  if (db.length >= 100 && (db[18] === 2 || db[19] === 2)) {
    db[18] = 1;
    db[19] = 1;
  }
}

/**
 * Replays the committed frames of a WAL file onto the main database bytes.
 */
export function applyWal(main: Uint8Array, wal: Uint8Array): { bytes: Uint8Array; frames: number } {
  const index = walIndex(wal);
  if (!index) return { bytes: main, frames: 0 };
  const { pageSize, dbPages, pages, frames } = index;
  const out = new Uint8Array(dbPages * pageSize);
  out.set(main.subarray(0, Math.min(main.length, out.length)));
  for (const [page, off] of pages) if (page <= dbPages) out.set(wal.subarray(off, off + pageSize), (page - 1) * pageSize);
  return { bytes: out, frames };
}

export interface WalIndex {
  pageSize: number;
  /** Pages in the database as of the last commit. */
  dbPages: number;
  /** Page number → offset of its latest committed content in the WAL bytes. */
  pages: Map<number, number>;
  frames: number;
}

/**
 * Where the latest committed version of each page lies in a WAL file. Frames are valid
 * while their salts match the WAL header and their cumulative checksum holds; only
 * frames up to the last valid commit frame count (https://sqlite.org/fileformat2.html#walformat).
 * Undefined when the WAL holds no committed frame.
 */
export function walIndex(wal: Uint8Array): WalIndex | undefined {
  if (wal.length < 32) return undefined;
  const w = new DataView(wal.buffer, wal.byteOffset, wal.byteLength);
  const magic = w.getUint32(0);
  if (magic !== 0x377f0682 && magic !== 0x377f0683) return undefined;
  const bigEndian = (magic & 1) === 1;
  const pageSize = w.getUint32(8);
  const salt1 = w.getUint32(16);
  const salt2 = w.getUint32(20);
  let [s0, s1] = walChecksum(w, 0, 24, 0, 0, bigEndian);
  if (s0 !== w.getUint32(24) || s1 !== w.getUint32(28)) return undefined;

  const committed = new Map<number, number>();
  const pending = new Map<number, number>();
  let dbPages = 0;
  let frames = 0;
  const frameSize = 24 + pageSize;
  for (let off = 32; off + frameSize <= wal.length; off += frameSize) {
    if (w.getUint32(off + 8) !== salt1 || w.getUint32(off + 12) !== salt2) break;
    [s0, s1] = walChecksum(w, off, off + 8, s0, s1, bigEndian);
    [s0, s1] = walChecksum(w, off + 24, off + frameSize, s0, s1, bigEndian);
    if (s0 !== w.getUint32(off + 16) || s1 !== w.getUint32(off + 20)) break;
    pending.set(w.getUint32(off), off + 24);
    const commitSize = w.getUint32(off + 4);
    if (commitSize > 0) {
      for (const [p, o] of pending) committed.set(p, o);
      frames += pending.size;
      pending.clear();
      dbPages = commitSize;
    }
  }
  return committed.size ? { pageSize, dbPages, pages: committed, frames } : undefined;
}

function walChecksum(v: DataView, start: number, end: number, s0: number, s1: number, bigEndian: boolean): [number, number] {
  const le = !bigEndian;
  for (let i = start; i < end; i += 8) {
    s0 = (s0 + v.getUint32(i, le) + s1) >>> 0;
    s1 = (s1 + v.getUint32(i + 4, le) + s0) >>> 0;
  }
  return [s0, s1];
}
