// The page reader's counterpart of sqliteSnapshot.ts: the same guarantees without a copy.
// We take no SQLite lock (a writer is never blocked), so a read counts only when no
// `-journal` existed and neither the file nor its WAL changed while the pages were read;
// otherwise it is retried, and after a few tries kept with a warning.
import { stat } from 'node:fs/promises';
import { assertRegularFile } from '../../common/boundedRead';
import { SqliteFile, Unsupported } from './sqlitePages';
import { same, statOrUndefined } from './sqliteSnapshot';

const RETRIES = 5;

export async function readConsistent<T>(file: string, read: (db: SqliteFile) => Promise<T>): Promise<{ value: T; unstable?: string }> {
  // A FIFO named mlflow.db would block the open; a link to a device would never end.
  await assertRegularFile(file);
  let why = '';
  for (let attempt = 0; attempt <= RETRIES; attempt++) {
    const last = attempt === RETRIES;
    if (attempt) await new Promise((r) => setTimeout(r, 20 * 2 ** attempt));
    // The three stats at once: on a busy machine each wait on the thread pool costs more than the stat.
    const [journal, before, walBefore] = await Promise.all([statOrUndefined(`${file}-journal`), stat(file), statOrUndefined(`${file}-wal`)]);
    const committing = !!journal && journal.size > 0;
    if (committing) {
      why = `a writer is committing (${file}-journal exists)`;
      if (!last) continue;
    }
    let value: T | undefined;
    let error: unknown;
    const db = await SqliteFile.open(file).catch((err: unknown) => {
      error = err;
      return undefined;
    });
    if (db) {
      try {
        value = await read(db);
      } catch (err) {
        error = err;
      } finally {
        await db.close();
      }
    }
    const [after, walAfter, journalAfter] = await Promise.all([stat(file), statOrUndefined(`${file}-wal`), statOrUndefined(`${file}-journal`)]);
    const changed = !same(before, after) || !same(walBefore, walAfter) || (!!journalAfter && journalAfter.size > 0);
    if (changed) {
      // A page torn by a concurrent commit can look like anything: read it again.
      why = 'the file changed while it was read';
      if (!last) continue;
    }
    if (error) {
      // Garbage found in a file that did not change is a real limit of our reader.
      if (error instanceof Unsupported || !(error as NodeJS.ErrnoException)?.code) throw error instanceof Unsupported ? error : new Unsupported(String((error as Error)?.message ?? error));
      throw error;
    }
    return { value: value as T, unstable: committing || changed ? `${why}; read after ${RETRIES} tries, it may be a moment old or partial` : undefined };
  }
  throw new Error('unreachable');
}
