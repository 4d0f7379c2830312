// Whether an SQLite file can have changed since it was last listed, from a few hundred
// bytes instead of the listing's hundreds of pages: a refresh (a file event, the Refresh
// command) of an unchanged mlflow.db then answers the listing it already has.
//
// What changes with every commit (https://sqlite.org/fileformat2.html):
// - rollback-journal mode (MLflow's default): the 100-byte header, whose file change
//   counter (bytes 24..27) SQLite increments on each commit, plus the file's size and mtime;
// - WAL mode: the main file changes only at a checkpoint; a commit appends frames to
//   `-wal`. The WAL header's salts change whenever the WAL restarts from its start, and
//   each frame header carries the salts and a checksum over every frame before it: the
//   header of the last frame of the current generation names the WAL's whole content.
//   Frames of the current generation are a prefix of the file (frames behind them hold an
//   older salt-1, which SQLite increments at each restart), so that last frame is found by
//   a binary search, a few 8-byte reads, never trusting the WAL's size or mtime alone.
// A `-journal` with content (a writer is committing, or a crash left it hot) gives no
// stamp: the caller reads the file in full, as it would without one.
import { closeSync, fstatSync, readSync, statSync } from 'node:fs';
import { openRegularFileSync } from '../../common/boundedRead';

const WAL_HEADER = 32;
const FRAME_HEADER = 24;

/** A string that differs whenever the database's content can differ; undefined when that cannot be told cheaply. */
export function sqliteChangeStamp(file: string): string | undefined {
  try {
    const journal = statSync(`${file}-journal`, { throwIfNoEntry: false });
    if (journal && journal.size > 0) return undefined;
    const main = readHead(file, 100);
    if (!main) return undefined;
    const wal = walStamp(`${file}-wal`);
    if (wal === undefined) return undefined;
    return `${main}|${wal}`;
  } catch {
    return undefined;
  }
}

/** The file's identity, size, mtime and first `n` bytes; undefined when it is shorter. */
function readHead(file: string, n: number): string | undefined {
  const { fd } = openRegularFileSync(file);
  try {
    // Nanoseconds, and ctime too (no tool sets it back): stamps are also compared across windows (sqliteListingSnapshot.ts).
    const st = fstatSync(fd, { bigint: true });
    const head = Buffer.alloc(n);
    if (readSync(fd, head, 0, n, 0) < n) return undefined;
    return `${st.dev}:${st.ino}:${st.size}:${st.mtimeNs}:${st.ctimeNs}:${head.toString('base64')}`;
  } finally {
    closeSync(fd);
  }
}

/** '-' without a WAL (or an empty one); the header and the last current frame's header otherwise. */
function walStamp(wal: string): string | undefined {
  if (!statSync(wal, { throwIfNoEntry: false })?.size) return '-';
  const { fd, size } = openRegularFileSync(wal);
  try {
    const at = (off: number, n: number): Buffer | undefined => {
      const b = Buffer.alloc(n);
      return readSync(fd, b, 0, n, off) === n ? b : undefined;
    };
    const head = at(0, WAL_HEADER);
    // A WAL cut shorter than its header holds nothing SQLite would read.
    if (!head) return `short:${size}`;
    const pageSize = head.readUInt32BE(8);
    // Not a WAL SQLite would use: no stamp, the full read decides what it holds.
    if (pageSize < 512 || pageSize > 65536 || (pageSize & (pageSize - 1)) !== 0) return undefined;
    const frame = pageSize + FRAME_HEADER;
    const salts = head.subarray(16, 24);
    const current = (k: number) => at(WAL_HEADER + k * frame + 8, 8)?.equals(salts) ?? false;
    // The first frame not of the current generation, between 0 and the whole frames the file holds.
    let lo = 0;
    let hi = Math.floor((size - WAL_HEADER) / frame);
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (current(mid)) lo = mid + 1;
      else hi = mid;
    }
    const last = lo > 0 ? at(WAL_HEADER + (lo - 1) * frame, FRAME_HEADER) : undefined;
    // Size and mtime too: a frame's header lands before its page, and the page must be read.
    const st = fstatSync(fd, { bigint: true });
    return `${st.ino}:${st.size}:${st.mtimeNs}:${st.ctimeNs}:${head.toString('base64')}:${lo}:${last?.toString('base64') ?? ''}`;
  } finally {
    closeSync(fd);
  }
}
