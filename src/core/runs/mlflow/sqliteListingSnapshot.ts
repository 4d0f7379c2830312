// The last clean listing of an mlflow.db, kept in the extension's global storage between
// windows: a window opened on a project whose mlflow.db did not change since the last one
// shows that listing without starting a reader worker or reading a page. Two views list
// the same file, each its own kind (ListingKind): the Runs view its runs, the Models view
// its registry, each saved apart (its own folder, the kind in the key). It is
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
import type { RegistryListing } from '../../models/types';
import type { RunListing } from '../types';
import { sqliteChangeStamp } from './sqliteChangeStamp';

/** Bumped whenever what a listing holds changes shape. */
const FORMAT = 1;
const SNAPSHOT_CAP: ReadCap = { bytes: 64 << 20, kind: 'saved mlflow.db listings' };

/** What is saved of each view's listing of one mlflow.db. */
export interface ListingOf {
  runs: Omit<RunListing, 'warnings'>;
  models: Omit<RegistryListing, 'warnings'>;
}
export type ListingKind = keyof ListingOf;

interface KindRules<K extends ListingKind> {
  folder: string;
  /** The listing's arrays: saved, and checked to be arrays on the way back. */
  fields: readonly (keyof ListingOf[K])[];
  /** Rows the listing holds, and how many at most are saved: reading more back would cost more than it spares. */
  size(listing: ListingOf[K]): number;
  max: number;
}
const KINDS: { [K in ListingKind]: KindRules<K> } = {
  // ~2.5 KB a run with 20 params and 10 metrics.
  runs: { folder: 'mlflow-listings', fields: ['experiments', 'runs'], size: (l) => l.runs.length, max: 20_000 },
  // ~0.4 KB a version with a few tags.
  models: {
    folder: 'mlflow-registries',
    fields: ['models', 'loggedModels'],
    size: (l) => l.models.reduce((n, m) => n + 1 + m.versions.length, 0) + l.loggedModels.length,
    max: 100_000,
  },
};

/** Where snapshots go and which reader wrote them (the worker bundle's size and mtime: a new install never reuses an old one's). */
export interface SnapshotPlace {
  dir: string;
  reader: string;
}

export interface SavedListing<K extends ListingKind = 'runs'> {
  stamp: string;
  listing: ListingOf[K];
}

/**
 * One file per store, named by a hash of its path: two paths with the same name share a
 * file (the key inside tells them apart). Not node:crypto, whose loading alone took ~6 ms
 * of the first listing; node:v8 loads only when there is a file to read or write.
 */
function fileOf(place: SnapshotPlace, location: string, kind: ListingKind): string {
  const text = path.resolve(location);
  let a = 0x811c9dc5;
  let b = 0x01000193;
  for (let i = 0; i < text.length; i++) {
    a = Math.imul(a ^ text.charCodeAt(i), 0x01000193);
    b = Math.imul(b ^ text.charCodeAt(i), 0x5bd1e995);
  }
  const hex = (n: number) => (n >>> 0).toString(16).padStart(8, '0');
  return path.join(place.dir, KINDS[kind].folder, `${hex(a)}${hex(b)}.bin`);
}

// The kind is in the key too: a file moved between the folders is not taken for the other view's.
const keyOf = (place: SnapshotPlace, location: string, stamp: string, kind: ListingKind) => `${FORMAT}\n${kind}\n${place.reader}\n${path.resolve(location)}\n${stamp}`;

/** Whether a listing of `location` was saved (by any reader, under any stamp). */
export function hasListingSnapshot(place: SnapshotPlace, location: string, kind: ListingKind = 'runs'): boolean {
  return existsSync(fileOf(place, location, kind));
}

/**
 * Writes the listing read under `stamp` (write then rename: a reader never sees half a
 * file); a listing too large to save removes the older one instead.
 */
export async function saveListingSnapshot<K extends ListingKind = 'runs'>(place: SnapshotPlace, location: string, saved: SavedListing<K>, kind: K = 'runs' as K): Promise<void> {
  const rules = KINDS[kind] as KindRules<K>;
  const file = fileOf(place, location, kind);
  if (rules.size(saved.listing) > rules.max) return rm(file, { force: true });
  const { serialize } = await import('node:v8');
  const value: Record<string, unknown> = { key: keyOf(place, location, saved.stamp, kind) };
  for (const f of rules.fields) value[f as string] = saved.listing[f];
  const bytes = serialize(value);
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
export async function loadListingSnapshot<K extends ListingKind = 'runs'>(place: SnapshotPlace, location: string, kind: K = 'runs' as K): Promise<SavedListing<K> | undefined> {
  const stamp = sqliteChangeStamp(location);
  if (stamp === undefined) return undefined;
  let value: unknown;
  try {
    const bytes = await readBounded(fileOf(place, location, kind), { cap: SNAPSHOT_CAP, root: place.dir });
    const { deserialize } = await import('node:v8');
    value = deserialize(bytes);
  } catch {
    return undefined;
  }
  const v = value as Record<string, unknown> | null;
  if (typeof v !== 'object' || v === null || v.key !== keyOf(place, location, stamp, kind)) return undefined;
  const fields = (KINDS[kind] as KindRules<K>).fields as readonly string[];
  if (!fields.every((f) => Array.isArray(v[f]))) return undefined;
  const listing = Object.fromEntries(fields.map((f) => [f, v[f]])) as unknown as ListingOf[K];
  return { stamp, listing };
}

/**
 * The host's side of one view's saved listing of one mlflow.db: answers it while the file's
 * change stamp is the one it was read under (load compares it on the first call, each later
 * call compares it again), then undefined for good — from then on the view's worker reads
 * the file. Without a saved listing (one existsSync) it answers undefined at once.
 */
export class SavedListingGate<K extends ListingKind> {
  private state: Promise<SavedListing<K> | undefined> | 'worker' | undefined;

  constructor(
    private readonly place: SnapshotPlace,
    private readonly location: string,
    private readonly kind: K,
    /** Applied once to the loaded listing (the Runs view packs its points). */
    private readonly transform: (listing: ListingOf[K]) => ListingOf[K] = (l) => l,
  ) {}

  async answer(): Promise<ListingOf[K] | undefined> {
    if (this.state === 'worker') return undefined;
    const first = this.state === undefined;
    if (first && !hasListingSnapshot(this.place, this.location, this.kind)) {
      this.state = 'worker';
      return undefined;
    }
    const loading = this.state ?? loadListingSnapshot(this.place, this.location, this.kind).then((h) => h && { stamp: h.stamp, listing: this.transform(h.listing) });
    this.state = loading;
    const hit = await loading;
    if (hit && (first || sqliteChangeStamp(this.location) === hit.stamp)) return hit.listing;
    this.state = 'worker';
    return undefined;
  }
}

/**
 * A new listing is saved once no newer one came for this long: while a training run
 * commits every few seconds nothing is written (a window opened after it would read the
 * changed file anyway). The first listing of a store is saved at once (the window may
 * close soon after it opened).
 */
const SAVE_DELAY_MS = 30_000;

/** What a reader worker uses to save its clean listings of each store it reads (one per view's worker). */
export class ListingSaver<K extends ListingKind> {
  private readonly stores = new Map<string, { saved?: string; timer?: ReturnType<typeof setTimeout> }>();

  constructor(
    private readonly place: SnapshotPlace,
    private readonly kind: K,
  ) {}

  /** `listing` was read clean under `stamp` (taken before the read); `key` names the reader of `location`. */
  offer(key: string, location: string, stamp: string, listing: ListingOf[K]): void {
    let e = this.stores.get(key);
    if (!e) this.stores.set(key, (e = {}));
    if (stamp === e.saved) return;
    const entry = e;
    clearTimeout(entry.timer);
    // After the reply is posted (a timer runs after the reply's microtask), never before it.
    entry.timer = setTimeout(
      () => {
        entry.saved = stamp;
        saveListingSnapshot(this.place, location, { stamp, listing }, this.kind).catch(() => undefined);
      },
      entry.saved === undefined ? 0 : SAVE_DELAY_MS,
    );
    entry.timer.unref?.();
  }

  drop(key: string): void {
    clearTimeout(this.stores.get(key)?.timer);
    this.stores.delete(key);
  }
}
