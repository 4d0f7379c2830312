// The last clean listing of an mlflow.db, kept in the extension's global storage between
// windows: a window opened on a project whose mlflow.db did not change since the last one
// shows that listing without starting the run-store worker or reading a page. It is
// answered only while the file's change stamp (sqliteChangeStamp.ts: device, inode, size,
// mtime in ns, SQLite's 100-byte header with its change counter, the -wal's header and last
// current frame, no -journal with content) is exactly the one taken before that listing
// was read, and the reader's bundle is the one that wrote it; anything else reads the file.
// The worker writes it (v8.serialize, the structured clone's own format); the host reads
// our own file here, never the store's pages.
import { existsSync } from 'node:fs';
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import * as path from 'node:path';
import { threadId } from 'node:worker_threads';
import { readBounded, type ReadCap } from '../../common/boundedRead';
import type { Experiment, RunListing, RunSummary } from '../types';
import { sqliteChangeStamp } from './sqliteChangeStamp';

/** Bumped whenever what a listing holds changes shape. */
const FORMAT = 1;
const SNAPSHOT_CAP: ReadCap = { bytes: 64 << 20, kind: 'saved mlflow.db listings' };
/** Larger listings are not saved (~2.5 KB a run with 20 params and 10 metrics): reading one back would cost more than it spares. */
const MAX_RUNS = 20_000;

/** Where snapshots go and which reader wrote them (the worker bundle's size and mtime: a new install never reuses an old one's). */
export interface SnapshotPlace {
  dir: string;
  reader: string;
}

export interface SavedListing {
  stamp: string;
  listing: Omit<RunListing, 'warnings'>;
}

/**
 * One file per store, named by a hash of its path: two paths with the same name share a
 * file (the key inside tells them apart). Not node:crypto, whose loading alone took ~6 ms
 * of the first listing; node:v8 loads only when there is a file to read or write.
 */
function fileOf(place: SnapshotPlace, location: string): string {
  const text = path.resolve(location);
  let a = 0x811c9dc5;
  let b = 0x01000193;
  for (let i = 0; i < text.length; i++) {
    a = Math.imul(a ^ text.charCodeAt(i), 0x01000193);
    b = Math.imul(b ^ text.charCodeAt(i), 0x5bd1e995);
  }
  const hex = (n: number) => (n >>> 0).toString(16).padStart(8, '0');
  return path.join(place.dir, 'mlflow-listings', `${hex(a)}${hex(b)}.bin`);
}

const keyOf = (place: SnapshotPlace, location: string, stamp: string) => `${FORMAT}\n${place.reader}\n${path.resolve(location)}\n${stamp}`;

/** Whether a listing of `location` was saved (by any reader, under any stamp). */
export function hasListingSnapshot(place: SnapshotPlace, location: string): boolean {
  return existsSync(fileOf(place, location));
}

/**
 * Writes the listing read under `stamp` (write then rename: a reader never sees half a
 * file); a listing too large to save removes the older one instead.
 */
export async function saveListingSnapshot(place: SnapshotPlace, location: string, saved: SavedListing): Promise<void> {
  const file = fileOf(place, location);
  if (saved.listing.runs.length > MAX_RUNS) return rm(file, { force: true });
  const { serialize } = await import('node:v8');
  const bytes = serialize({ key: keyOf(place, location, saved.stamp), experiments: saved.listing.experiments, runs: saved.listing.runs });
  if (bytes.length > SNAPSHOT_CAP.bytes) return rm(file, { force: true });
  await mkdir(path.dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}-${threadId}.tmp`;
  try {
    await writeFile(tmp, bytes);
    await rename(tmp, file);
  } catch (err) {
    await rm(tmp, { force: true });
    throw err;
  }
}

/** The saved listing when the file's stamp now is the one it was read under; undefined otherwise or on any doubt. */
export async function loadListingSnapshot(place: SnapshotPlace, location: string): Promise<SavedListing | undefined> {
  const stamp = sqliteChangeStamp(location);
  if (stamp === undefined) return undefined;
  let value: unknown;
  try {
    const bytes = await readBounded(fileOf(place, location), { cap: SNAPSHOT_CAP, root: place.dir });
    const { deserialize } = await import('node:v8');
    value = deserialize(bytes);
  } catch {
    return undefined;
  }
  const v = value as { key?: unknown; experiments?: unknown; runs?: unknown } | null;
  if (typeof v !== 'object' || v === null || v.key !== keyOf(place, location, stamp) || !Array.isArray(v.experiments) || !Array.isArray(v.runs)) return undefined;
  return { stamp, listing: { experiments: v.experiments as Experiment[], runs: v.runs as RunSummary[] } };
}
