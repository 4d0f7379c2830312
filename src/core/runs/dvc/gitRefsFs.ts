// Refs and reflogs read from the files git keeps them in, so that listing experiments
// starts no git process (each costs 5–10 ms, more than the rest of a cached listing).
// Only the plain "files" ref backend is read here (packed-refs plus loose files, as
// gitrepository-layout(5) describes); a repository with the reftable backend, or any
// surprise, returns undefined and the caller asks git instead.
import { closeSync, existsSync, readdirSync, readSync, statSync, type Dirent } from 'node:fs';
import { openRegularFileSync } from '../../common/boundedRead';
import { readTextFile } from '../../pipelines/nodePipelineFs';
import * as path from 'node:path';
import type { InputStamps } from './inputStamps';

const SHA = /^[0-9a-f]{40}([0-9a-f]{24})?$/;

/** Where refs live: a worktree's own folder keeps HEAD; the common folder keeps refs (`commondir`). */
export async function commonGitDir(gitDir: string): Promise<string> {
  const text = readTextFile(path.join(gitDir, 'commondir'));
  return text ? path.resolve(gitDir, text.trim()) : gitDir;
}

/**
 * What a folder of loose refs held when last read, by its path under the common folder:
 * git writes a ref to `<name>.lock` and renames it over the ref, so any change to a ref
 * changes its folder's mtime — an unchanged folder need not be read again. (Folders
 * changed within the last seconds are never kept: a write in the same clock tick would not
 * move the mtime, git's "racy" case.)
 */
export type LooseRefFolders = Record<string, { stamp: string; refs: [string, string][]; dirs: string[] }>;

const RACY_MS = 3000;

/**
 * Every ref under `prefixes` (e.g. `refs/exps`) → the object id it names, loose files
 * overriding packed-refs as git does. Symbolic refs are left out. Undefined when the
 * repository is not in a layout read here. `known` (updated in place) saves reading the
 * loose refs of folders that did not change. `stamps` hears of every file and folder read
 * (inputStamps.ts), each stated before it is read.
 */
export async function readRefsFromFiles(commonDir: string, prefixes: string[], known: LooseRefFolders = {}, stamps?: InputStamps): Promise<Map<string, string> | undefined> {
  stamps?.add(path.join(commonDir, 'config'));
  const config = readTextFile(path.join(commonDir, 'config')) ?? '';
  if (/^\s*refstorage\s*=/im.test(config)) return undefined;
  const refs = new Map<string, string>();
  const under = (ref: string) => prefixes.some((p) => ref.startsWith(`${p}/`));
  stamps?.add(path.join(commonDir, 'packed-refs'));
  const packed = existsSync(path.join(commonDir, 'packed-refs')) ? readTextFile(path.join(commonDir, 'packed-refs')) : '';
  if (packed === undefined) return undefined;
  for (const line of packed.split('\n')) {
    if (!line || line[0] === '#' || line[0] === '^') continue;
    const sp = line.indexOf(' ');
    const id = line.slice(0, sp);
    const ref = line.slice(sp + 1).trim();
    if (!SHA.test(id)) return undefined;
    if (under(ref)) refs.set(ref, id);
  }
  // Loose refs are read with synchronous calls: a few µs each against ~100 µs for each
  // promise-based open/read/close on a busy thread pool (200 refs: ~4 ms against ~50 ms).
  // The loop yields every few hundred files so that a huge repository never holds the
  // extension host for long.
  let ok = true;
  let done = 0;
  const buf = Buffer.alloc(128);
  const seen = new Set<string>();
  const walk = async (rel: string): Promise<void> => {
    seen.add(rel);
    const abs = path.join(commonDir, rel);
    const st = statSync(abs, { throwIfNoEntry: false });
    stamps?.addStat(abs, st);
    if (!st?.isDirectory()) {
      delete known[rel];
      return;
    }
    const stamp = `${st.ino}:${st.mtimeMs}`;
    const kept = known[rel];
    if (kept?.stamp === stamp) {
      for (const [ref, id] of kept.refs) refs.set(ref, id);
      for (const d of kept.dirs) await walk(d);
      return;
    }
    let entries: Dirent[];
    try {
      entries = readdirSync(abs, { withFileTypes: true });
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code !== 'ENOENT' && code !== 'ENOTDIR') ok = false;
      return;
    }
    const here: LooseRefFolders[string] = { stamp, refs: [], dirs: [] };
    // A ref being written (its `.lock`, or still empty): neither kept here nor stamped as read.
    let writing = false;
    for (const e of entries) {
      const ref = `${rel}/${e.name}`;
      if (e.isDirectory()) {
        here.dirs.push(ref);
        await walk(ref);
        continue;
      }
      if (e.name.endsWith('.lock')) writing = true;
      if (!e.isFile() || e.name.endsWith('.lock')) continue;
      if (++done % 256 === 0) await new Promise((resolve) => setImmediate(resolve));
      const text = readSmall(path.join(commonDir, ref), buf);
      if (text !== undefined && SHA.test(text)) {
        refs.set(ref, text);
        here.refs.push([ref, text]);
      }
      // A symbolic ref (`ref: …`) is not an experiment or a name of a commit here; a ref
      // being written right now (empty) keeps its packed value.
      else if (text && !text.startsWith('ref:')) ok = false;
      else if (!text) writing = true;
    }
    if (!writing && Date.now() - st.mtimeMs > RACY_MS) known[rel] = here;
    else delete known[rel];
    if (writing) stamps?.giveUp(`a ref in ${abs} is being written`);
  };
  for (const p of prefixes) await walk(p);
  for (const rel of Object.keys(known)) if (!seen.has(rel)) delete known[rel];
  return ok ? refs : undefined;
}

export interface ReflogEntry {
  /** The commit the ref pointed at after this entry. */
  commit: string;
  /** Seconds since the epoch. */
  time: number;
  /** The entry's message (`%gs` of `git log -g`). */
  subject: string;
}

/** A ref's reflog, newest first as `git log -g` walks it; undefined when it cannot be read. */
export async function readReflog(commonDir: string, ref: string): Promise<ReflogEntry[] | undefined> {
  const text = readTextFile(path.join(commonDir, 'logs', ref));
  if (text === undefined) return undefined;
  const out: ReflogEntry[] = [];
  // `<old> <new> <name> <<email>> <time> <tz>\t<message>`
  for (const line of text.split('\n')) {
    if (!line) continue;
    const tab = line.indexOf('\t');
    const head = tab < 0 ? line : line.slice(0, tab);
    const m = /^([0-9a-f]+) ([0-9a-f]+) .*> (\d+) [-+]\d{4}$/.exec(head);
    if (!m) return undefined;
    if (/^0+$/.test(m[2])) continue;
    out.push({ commit: m[2], time: Number(m[3]), subject: tab < 0 ? '' : line.slice(tab + 1) });
  }
  return out.reverse();
}

/** A loose ref file's text, trimmed (a ref is one line; a longer file is not one of git's). */
function readSmall(file: string, buf: Buffer): string | undefined {
  let fd: number | undefined;
  try {
    fd = openRegularFileSync(file).fd; // a FIFO named like a ref must not block the thread
    const n = readSync(fd, buf, 0, buf.length, 0);
    return buf.toString('latin1', 0, n).trim();
  } catch {
    return undefined;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}
