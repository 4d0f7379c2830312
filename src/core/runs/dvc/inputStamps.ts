// What a listing was made from, one stat per file or folder, so that a later listing can
// tell with stats alone that nothing it would read has changed (expListingCache.ts).
// A stamp is the inode, size, mtime and ctime, the fields git's index compares:
// - a file git rewrites (HEAD, packed-refs, the index, config, a loose ref) is written to a
//   `.lock` and renamed over: a new inode, and its folder's mtime and ctime move;
// - a reflog is appended to: its size grows;
// - a file edited in place (params.yaml, metrics.json) gets a new mtime and ctime; the
//   ctime cannot be set back (`touch -d`, `cp -p` set only the mtime);
// - a folder's mtime and ctime move when an entry is added, removed or renamed over, not
//   when a file inside it is rewritten in place (so files read are stamped themselves).
// Clocks tick coarsely (a few ms on Linux), so two changes in one tick can leave the same
// stamp: a stamp whose ctime is within RACY_MS of the moment it was taken is not trusted
// (git's "racy" rule), and a listing with one is not kept.
import { statSync, type Stats } from 'node:fs';

export const RACY_MS = 3000;

/** [path, stamp] pairs in the order they were taken; '-' stands for a missing path. */
export type Stamps = [string, string][];

function stampOf(st: Stats | undefined): string {
  return st ? `${st.ino}:${st.size}:${st.mtimeMs}:${st.ctimeMs}` : '-';
}

/** The stamp of `file` now, or undefined when it cannot be stated (not a missing path: that is '-'). */
function statNow(file: string): Stats | undefined | null {
  try {
    return statSync(file, { throwIfNoEntry: false });
  } catch {
    return null;
  }
}

/** Collects the stamps of what one listing reads, each taken before the read. */
export class InputStamps {
  readonly stamps: Stamps = [];
  private why: string | undefined;
  private readonly seen = new Set<string>();

  constructor(private readonly now: () => number = Date.now) {}

  /** Stamps `file` (following links, as reads do); call it before reading the file. */
  add(file: string): void {
    if (this.seen.has(file)) return;
    const st = statNow(file);
    if (st === null) this.giveUp(`${file} cannot be stated`);
    else this.addStat(file, st);
  }

  /** A stat the caller already took (before reading what it stands for). */
  addStat(file: string, st: Stats | undefined): void {
    if (this.seen.has(file)) return;
    this.seen.add(file);
    if (st && this.now() - st.ctimeMs < RACY_MS) this.giveUp(`${file} changed within the last ${RACY_MS} ms`);
    this.stamps.push([file, stampOf(st)]);
  }

  /** The listing also depended on something no stamp covers (a git process's answer, a run in progress). */
  giveUp(why: string): void {
    this.why ??= why;
  }

  /** Undefined when every input is stamped and settled; else why the listing cannot be kept. */
  get notKept(): string | undefined {
    return this.why;
  }
}

/** Whether every path still has the stamp it had: one stat each, stopping at the first change. */
export function unchanged(stamps: Stamps): boolean {
  for (const [file, stamp] of stamps) {
    const st = statNow(file);
    if (st === null || stampOf(st) !== stamp) return false;
  }
  return true;
}
