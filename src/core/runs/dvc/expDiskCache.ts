// What was read of each experiment commit, kept on disk between sessions — the same idea
// as DVC's own .dvc/tmp/exps/cache: a commit never changes, so its params and metrics are
// read from git once, ever. One JSON file per DVC project, in our own cache folder (never
// in the project). A file that is unreadable, of another version, or written for another
// set of dvc.yaml files is ignored and replaced.
// Beside it, in a folder of its own, the last whole listing with the stamps of what it was
// made from (inputStamps.ts): a new window whose stats all match lists from that one file,
// without reading refs, commits or the workspace's files.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { mkdir, rename, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import * as path from 'node:path';
import type { RunListing } from '../types';
import type { PlanStore, StoredPlan } from './dvcExpFiles';
import type { LooseRefFolders } from './gitRefsFs';
import type { Stamps } from './inputStamps';

/** Bump when what is kept per commit, or how it is read, changes. */
const VERSION = 2;
/** Bump when what a kept listing holds, or what it is checked against, changes. */
export const LISTING_VERSION = 2;

/** One commit's data as kept: plain JSON (no Maps). */
export interface StoredRev {
  params: [string, Record<string, string>][];
  metrics: [string, { step: number; values: [string, number][] }][];
  faults: { file: string; message: string }[];
  time?: number;
}

interface CacheFile {
  version: number;
  root: string;
  /** The dvc.yaml files the commits were read with. */
  dvcYamls: string[];
  /** `git ls-files` of dvc.yaml files, valid while the index file is unchanged. */
  tracked?: { index: string; files: string[] };
  commits: Record<string, StoredRev>;
  /** Folders of loose refs and what they held (gitRefsFs.ts), changed in place by each listing. */
  looseRefs?: LooseRefFolders;
  /** dvc.yaml plans by the hash of their text (dvcExpFiles.ts). */
  plans?: Record<string, StoredPlan>;
}

/** A whole listing and what it was made from. */
export interface StoredListing {
  version: number;
  root: string;
  /** The options and the repository's layout it was made with (see DvcExperimentsSource.listingKey). */
  key: string;
  /** Every file and folder the listing read, stamped before it was read. */
  stamps: Stamps;
  /** Metric key as listed → [the file it came from, its name there], for metric histories. */
  metricFiles: Record<string, [string, string]>;
  listing: RunListing;
}

/** Where the core keeps caches when the caller names no folder: the platform's cache folder. */
export function defaultCacheDir(): string {
  if (process.platform === 'win32' && process.env.LOCALAPPDATA) return path.join(process.env.LOCALAPPDATA, 'mlops-workbench', 'Cache');
  if (process.platform === 'darwin') return path.join(homedir(), 'Library', 'Caches', 'mlops-workbench');
  return path.join(process.env.XDG_CACHE_HOME || path.join(homedir(), '.cache'), 'mlops-workbench');
}

export class ExpDiskCache implements PlanStore {
  private readonly file: string;
  private readonly listingFile: string;
  private data: CacheFile | undefined;
  private dirty = false;
  private looseRefsBefore = '';
  /** Plans asked for since the last save: only those are kept. */
  private usedPlans = new Set<string>();

  constructor(
    dir: string,
    private readonly root: string,
  ) {
    const id = createHash('sha1').update(root).digest('hex').slice(0, 16);
    this.file = path.join(dir, 'dvc-experiments', `${id}.json`);
    this.listingFile = path.join(dir, 'dvc-experiments-listing', `${id}.json`);
  }

  /** The kept listing's text, read at once (one small file); undefined when there is none. */
  readListing(): string | undefined {
    try {
      return readFileSync(this.listingFile, 'utf8');
    } catch {
      return undefined;
    }
  }

  /** Keeps `text` (a StoredListing) as the last listing; one that cannot be written only costs the next window time. */
  async writeListing(text: string): Promise<void> {
    const tmp = `${this.listingFile}.${process.pid}.tmp`;
    try {
      await mkdir(path.dirname(this.listingFile), { recursive: true });
      await writeFile(tmp, text);
      await rename(tmp, this.listingFile);
    } catch {
      // Read-only home, full disk: the next window lists the long way.
    }
  }

  /** Reads the file, once. */
  async load(): Promise<void> {
    if (!this.data) {
      try {
        // Read at once: one file, and a promise-based read waits for the thread pool.
        const parsed = JSON.parse(readFileSync(this.file, 'utf8')) as CacheFile;
        if (parsed?.version === VERSION && parsed.root === this.root && parsed.commits && typeof parsed.commits === 'object') this.data = parsed;
      } catch {
        // Missing or broken: start over.
      }
      this.data ??= { version: VERSION, root: this.root, dvcYamls: [], commits: {} };
    }
  }

  /** The commits kept for another set of dvc.yaml files are dropped: each was read with the list it had. */
  useDvcYamls(dvcYamls: string[]): void {
    if (this.data && this.data.dvcYamls.join('\n') !== dvcYamls.join('\n')) {
      this.data = { ...this.data, dvcYamls, commits: {} };
      this.dirty = true;
    }
  }

  commit(sha: string): StoredRev | undefined {
    return this.data?.commits[sha];
  }

  putCommit(sha: string, rev: StoredRev): void {
    if (!this.data) return;
    this.data.commits[sha] = rev;
    this.dirty = true;
  }

  get(key: string): StoredPlan | undefined {
    const plan = this.data?.plans?.[key];
    if (plan) this.usedPlans.add(key);
    return plan;
  }

  put(key: string, plan: StoredPlan): void {
    if (!this.data) return;
    this.usedPlans.add(key);
    if (this.data.plans?.[key]) return;
    (this.data.plans ??= {})[key] = plan;
    this.dirty = true;
  }

  /** The loose-ref folders as last read; the caller updates them in place and calls refsChanged(). */
  looseRefs(): LooseRefFolders | undefined {
    if (!this.data) return undefined;
    this.looseRefsBefore = JSON.stringify(this.data.looseRefs ?? {});
    return (this.data.looseRefs ??= {});
  }

  tracked(indexStamp: string): string[] | undefined {
    return this.data?.tracked?.index === indexStamp ? this.data.tracked.files : undefined;
  }

  putTracked(indexStamp: string, files: string[]): void {
    if (!this.data) return;
    this.data.tracked = { index: indexStamp, files };
    this.dirty = true;
  }

  /** Keeps only the commits still listed (removed experiments leave), then writes if anything changed. */
  async save(keep: Set<string>): Promise<void> {
    if (!this.data) return;
    for (const sha of Object.keys(this.data.commits)) {
      if (!keep.has(sha)) {
        delete this.data.commits[sha];
        this.dirty = true;
      }
    }
    for (const key of Object.keys(this.data.plans ?? {})) {
      if (!this.usedPlans.has(key)) {
        delete this.data.plans![key];
        this.dirty = true;
      }
    }
    this.usedPlans = new Set();
    if (this.data.looseRefs && JSON.stringify(this.data.looseRefs) !== this.looseRefsBefore) this.dirty = true;
    if (!this.dirty) return;
    this.dirty = false;
    // Written beside and renamed over, so a reader never sees half a file; a cache that
    // cannot be written (read-only home, full disk) only costs the next listing time.
    const tmp = `${this.file}.${process.pid}.tmp`;
    try {
      await mkdir(path.dirname(this.file), { recursive: true });
      await writeFile(tmp, JSON.stringify(this.data));
      await rename(tmp, this.file);
    } catch {
      this.dirty = true;
    }
  }
}
