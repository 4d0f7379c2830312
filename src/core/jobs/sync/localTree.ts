// The project's files as code sync sees them: regular files under the root, minus what
// .gitignore and .dvcignore leave out (those of the root's own folders and of the folders
// above it up to the git repository's root, as git reads them), minus what never belongs
// on the cluster (.git, DVC's cache). Bounded: a cap on files, on one file's size and on
// the total; symlinks are not followed (one could point anywhere on this machine), they
// are listed as skipped. The walk keeps its own stack, so a deep tree cannot overflow it.
import { lstat, readdir } from 'node:fs/promises';
import * as path from 'node:path';
import ignore, { type Ignore } from 'ignore';
import { readBoundedText, YAML_JSON_CAP } from '../../common/boundedRead';

export interface LocalFile {
  /** `/`-separated, relative to the root. */
  rel: string;
  abs: string;
  size: number;
  mtimeMs: number;
}

export interface WalkLimits {
  maxFiles: number;
  /** A larger file is skipped (it is data: DVC moves data, sync moves code). */
  maxFileBytes: number;
  maxTotalBytes: number;
  /** Folders deeper than this are not entered. */
  maxDepth: number;
}

export const DEFAULT_WALK_LIMITS: WalkLimits = { maxFiles: 20000, maxFileBytes: 50 * 1024 * 1024, maxTotalBytes: 1024 * 1024 * 1024, maxDepth: 64 };

export interface Skipped {
  rel: string;
  why: 'symlink' | 'not-a-file' | 'too-large' | 'over-limit' | 'too-deep' | 'unreadable';
}

export interface LocalTree {
  files: LocalFile[];
  skipped: Skipped[];
  /** The walk stopped at maxFiles or maxTotalBytes: later files were not looked at. */
  truncated: boolean;
}

/** Never synced, whatever the ignore files say: git's own folder, DVC's cache and state, our own logs. */
const ALWAYS_LEFT_OUT = new Set(['.git', '.dvc/cache', '.dvc/tmp', '.mlops']);
const IGNORE_FILES = ['.gitignore', '.dvcignore'];

interface Matcher {
  abs: string;
  ig: Ignore;
}

async function readIgnore(dir: string): Promise<Ignore | undefined> {
  let ig: Ignore | undefined;
  for (const name of IGNORE_FILES) {
    const text = await readBoundedText(path.join(dir, name), { cap: YAML_JSON_CAP, root: dir }).catch(() => undefined);
    if (text !== undefined) (ig ??= ignore()).add(text);
  }
  return ig;
}

/** Folders from the git root (the nearest folder above holding `.git`) down to the root's parent. */
async function foldersAbove(root: string): Promise<string[]> {
  const chain: string[] = [];
  let dir = path.dirname(root);
  for (let i = 0; i < 32 && dir !== path.dirname(dir); i++) {
    chain.unshift(dir);
    if (await lstat(path.join(dir, '.git')).then(() => true, () => false)) return chain;
    dir = path.dirname(dir);
  }
  // No git repository above: only the root's own ignore files count.
  return [];
}

/**
 * Whether the path (absolute, a folder when `dir`) is ignored: each matcher whose folder
 * holds it answers for the path relative to that folder; a deeper file's `!pattern` wins
 * over a shallower one's pattern, as in git.
 */
function ignored(matchers: readonly Matcher[], abs: string, dir: boolean): boolean {
  let out = false;
  for (const m of matchers) {
    const rel = path.relative(m.abs, abs);
    if (!rel || rel.startsWith('..')) continue;
    const r = m.ig.test(rel.split(path.sep).join('/') + (dir ? '/' : ''));
    if (r.ignored) out = true;
    else if (r.unignored) out = false;
  }
  return out;
}

/**
 * `include`: paths (`/`-separated, relative to the root) sent even where an ignore file
 * leaves them out — a reproduction's DVC-tracked data, which .gitignore names because DVC
 * keeps it out of git. The caps, the symlink rule and ALWAYS_LEFT_OUT still hold.
 */
export async function walkProject(root: string, limits: WalkLimits = DEFAULT_WALK_LIMITS, include: readonly string[] = []): Promise<LocalTree> {
  root = path.resolve(root);
  const wanted = include.map((p) => p.replace(/^\.\/+/, '').replace(/\/+$/, '')).filter((p) => p && !p.split('/').includes('..'));
  // Inside an included path, or a folder on the way to one: not left out by the ignore files.
  const kept = (r: string) => wanted.some((w) => r === w || r.startsWith(`${w}/`) || w.startsWith(`${r}/`));
  const files: LocalFile[] = [];
  const skipped: Skipped[] = [];
  let total = 0;
  let truncated = false;
  const above: Matcher[] = [];
  for (const dir of await foldersAbove(root)) {
    const ig = await readIgnore(dir);
    if (ig) above.push({ abs: dir, ig });
  }
  // Depth-first with an explicit stack; each entry carries the matchers in force there.
  const stack: Array<{ rel: string; depth: number; matchers: Matcher[] }> = [{ rel: '', depth: 0, matchers: above }];
  while (stack.length && !truncated) {
    const { rel, depth, matchers: outer } = stack.pop()!;
    const abs = rel ? path.join(root, ...rel.split('/')) : root;
    const own = await readIgnore(abs);
    const matchers = own ? [...outer, { abs, ig: own }] : outer;
    let names: string[];
    try {
      names = (await readdir(abs)).sort();
    } catch {
      skipped.push({ rel: rel || '.', why: 'unreadable' });
      continue;
    }
    const subdirs: string[] = [];
    for (const name of names) {
      const r = rel ? `${rel}/${name}` : name;
      if (ALWAYS_LEFT_OUT.has(r)) continue;
      const a = path.join(abs, name);
      let st;
      try {
        st = await lstat(a);
      } catch {
        continue;
      }
      if (st.isSymbolicLink()) {
        if (kept(r) || !ignored(matchers, a, false)) skipped.push({ rel: r, why: 'symlink' });
        continue;
      }
      if (st.isDirectory()) {
        if (!kept(r) && ignored(matchers, a, true)) continue;
        if (depth + 1 > limits.maxDepth) skipped.push({ rel: r, why: 'too-deep' });
        else subdirs.push(r);
        continue;
      }
      if (!kept(r) && ignored(matchers, a, false)) continue;
      if (!st.isFile()) {
        skipped.push({ rel: r, why: 'not-a-file' });
        continue;
      }
      if (st.size > limits.maxFileBytes) {
        skipped.push({ rel: r, why: 'too-large' });
        continue;
      }
      if (files.length >= limits.maxFiles || total + st.size > limits.maxTotalBytes) {
        skipped.push({ rel: r, why: 'over-limit' });
        truncated = true;
        break;
      }
      total += st.size;
      files.push({ rel: r, abs: a, size: st.size, mtimeMs: Math.floor(st.mtimeMs) });
    }
    // Reverse, so the stack pops them in name order.
    for (const d of subdirs.reverse()) stack.push({ rel: d, depth: depth + 1, matchers });
  }
  return { files, skipped, truncated };
}
