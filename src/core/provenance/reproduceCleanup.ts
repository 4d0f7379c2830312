// Old reproductions, listed and removed. Ours only: a reproduction is a folder under our
// own `<storage>/reproduce/` (worktreeDir), with its siblings `.patch`, `.home`, `.artifacts` and
// `.remote.json`; its git worktree is removed through git (`git worktree remove`, then
// `prune`) only when the repository its `.git` file names lists exactly that path; its
// copy on an SSH host only when the folder there holds our marker naming that worktree.
import { lstat, readdir, rm } from 'node:fs/promises';
import * as path from 'node:path';
import { readBoundedText, YAML_JSON_CAP } from '../common/boundedRead';
import type { RemoteFs } from '../jobs/sync/remoteFs';
import { parseMarker, REMOTE_MARKER, remoteRecordPath, type RemoteRecord } from './reproduceRemote';
import type { Runner } from './runner';

const SIBLINGS = ['.patch', '.home', '.artifacts', '.remote.json'];
const MAX_ENTRIES = 2000;

export interface ReproEntry {
  /** The worktree folder (it may already be gone, its siblings left). */
  dir: string;
  name: string;
  /** Last change of the folder (ms), for "3 days ago". */
  mtimeMs: number;
  /** The repository whose worktree it is (from its `.git` file); undefined: not a worktree (any more). */
  repo?: string;
  remote?: RemoteRecord;
}

export const reproduceRoot = (cacheRoot: string): string => path.join(cacheRoot, 'reproduce');

/** `gitdir: /repo/.git/worktrees/name` → `/repo` (what `git worktree add` writes). */
export function repoOfGitFile(text: string): string | undefined {
  const m = /^gitdir: (.+)$/m.exec(text.trim());
  if (!m) return undefined;
  const parts = m[1].trim().split(/[\\/]/);
  const at = parts.lastIndexOf('worktrees');
  if (at < 2 || parts[at - 1] !== '.git') return undefined;
  return parts.slice(0, at - 1).join('/') || undefined;
}

function parseRecord(text: string): RemoteRecord | undefined {
  try {
    const r = JSON.parse(text) as Partial<RemoteRecord>;
    return typeof r.host === 'string' && typeof r.remoteDir === 'string' && r.remoteDir.startsWith('/') ? { host: r.host, remoteDir: r.remoteDir } : undefined;
  } catch {
    return undefined;
  }
}

/** The reproductions under our storage, newest first. */
export async function listReproductions(cacheRoot: string): Promise<ReproEntry[]> {
  const root = reproduceRoot(cacheRoot);
  const names = await readdir(root).catch(() => [] as string[]);
  const bases = new Set<string>();
  for (const n of names.slice(0, MAX_ENTRIES)) {
    const sib = SIBLINGS.find((s) => n.endsWith(s));
    bases.add(sib ? n.slice(0, -sib.length) : n);
  }
  const out: ReproEntry[] = [];
  for (const name of bases) {
    const dir = path.join(root, name);
    const st = await lstat(dir).catch(() => undefined);
    if (st && !st.isDirectory()) continue;
    const gitFile = st ? await readBoundedText(path.join(dir, '.git'), { cap: YAML_JSON_CAP }).catch(() => undefined) : undefined;
    const record = await readBoundedText(remoteRecordPath(dir), { cap: YAML_JSON_CAP }).catch(() => undefined);
    const remote = record ? parseRecord(record) : undefined;
    if (!st && !remote) {
      // Only siblings left (a worktree already removed): still ours, still removable.
      out.push({ dir, name, mtimeMs: 0 });
      continue;
    }
    out.push({ dir, name, mtimeMs: st?.mtimeMs ?? 0, ...(gitFile ? { repo: repoOfGitFile(gitFile) } : {}), ...(remote ? { remote } : {}) });
  }
  return out.sort((a, b) => b.mtimeMs - a.mtimeMs);
}

/** The paths `git worktree list --porcelain` names. */
export function worktreePaths(porcelain: string): string[] {
  return porcelain
    .split('\n')
    .filter((l) => l.startsWith('worktree '))
    .map((l) => l.slice('worktree '.length).trim());
}

/**
 * Removes the local side: the git worktree (through git, when its repository lists it),
 * then what is left of the folder and its siblings (all under our storage). The remote
 * record stays until the copy there is gone (removeRemoteCopy).
 */
export async function removeLocal(run: Runner, e: ReproEntry): Promise<{ viaGit: boolean }> {
  let viaGit = false;
  if (e.repo) {
    const list = await run(['git', 'worktree', 'list', '--porcelain'], { cwd: e.repo });
    const mine = list.code === 0 && worktreePaths(list.stdout).some((p) => path.resolve(p) === path.resolve(e.dir));
    if (mine) {
      const r = await run(['git', 'worktree', 'remove', '--force', e.dir], { cwd: e.repo });
      if (r.code !== 0) throw new Error(`git worktree remove ${e.dir}: ${r.stderr.trim().split('\n').slice(-1)[0]}`);
      viaGit = true;
    }
    await run(['git', 'worktree', 'prune'], { cwd: e.repo });
  }
  await rm(e.dir, { recursive: true, force: true });
  for (const s of SIBLINGS.filter((x) => x !== '.remote.json')) await rm(`${e.dir}${s}`, { recursive: true, force: true });
  if (!e.remote) await rm(remoteRecordPath(e.dir), { force: true });
  return { viaGit };
}

/**
 * Removes the copy on the host when its marker names this worktree (`rm -rf` there, argv
 * quoted by the connection); a folder without our marker, or with another's, is left
 * and said. Then the record here goes.
 */
export async function removeRemoteCopy(
  e: ReproEntry & { remote: RemoteRecord },
  fs: Pick<RemoteFs, 'readFile' | 'stat'>,
  exec: (argv: readonly string[]) => Promise<{ code: number | null; stderr: string }>,
): Promise<'removed' | 'gone'> {
  const dir = e.remote.remoteDir.replace(/\/+$/, '');
  if (!(await fs.stat(dir))) {
    await rm(remoteRecordPath(e.dir), { force: true });
    return 'gone';
  }
  const text = await fs.readFile(`${dir}/${REMOTE_MARKER}`, 64 * 1024);
  const marker = text ? parseMarker(text.toString('utf8')) : undefined;
  if (!marker || path.resolve(marker.worktree) !== path.resolve(e.dir)) throw new Error(`${e.remote.host}:${dir} has no marker of this reproduction (${REMOTE_MARKER}); it was left as it is`);
  const r = await exec(['rm', '-rf', '--', dir]);
  if (r.code !== 0) throw new Error(`rm -rf ${dir} on ${e.remote.host}: ${r.stderr.trim() || `exit ${r.code}`}`);
  await rm(remoteRecordPath(e.dir), { force: true });
  return 'removed';
}
