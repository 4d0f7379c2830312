// What the Data view needs to know about the git repository around a DVC project
// before reading history: where its top is, and whether history is complete.
import * as path from 'node:path';
import { simpleGit, type SimpleGit } from 'simple-git';
import { DataError, type DataProblem } from './dataErrors';

export interface GitRef {
  name: string;
  kind: 'branch' | 'tag';
  commit: string;
}

export interface RepoInfo {
  git: SimpleGit;
  /** The DVC root. */
  root: string;
  /** The repository's top folder. */
  top: string;
  /** DVC root relative to the top, posix, '' when they are the same; the prefix of `rev:path` specs. */
  prefix: string;
  head?: string;
  /** The checked-out branch; undefined when HEAD is detached. */
  branch?: string;
  shallow: boolean;
  problems: DataProblem[];
}

/** The git commands of a folder, as openRepo makes them (for a question asked before it answers). */
export const gitAt = (root: string): SimpleGit => simpleGit({ baseDir: root, trimmed: true });

export async function openRepo(root: string): Promise<RepoInfo> {
  const git = gitAt(root);
  // The three questions at once: each is a git process, and waiting for one before
  // starting the next was most of a metrics table's time.
  const [where, headOut, branchOut] = await Promise.allSettled([
    git.raw(['rev-parse', '--show-toplevel', '--is-shallow-repository']),
    git.raw(['rev-parse', '--verify', '-q', 'HEAD']),
    git.raw(['symbolic-ref', '-q', '--short', 'HEAD']),
  ]);
  if (where.status === 'rejected') {
    const err = where.reason as Error;
    throw new DataError('not-git', `${root} is not in a git repository, so data versions have no history. Run "git init" and commit the .dvc files and dvc.lock. (${String(err?.message ?? err).split('\n')[0]})`);
  }
  const lines = where.value.split('\n');
  const top = path.resolve(lines[0]);
  const shallow = lines[1] === 'true';
  const head = (headOut.status === 'fulfilled' && headOut.value) || undefined;
  const branch = (branchOut.status === 'fulfilled' && branchOut.value) || undefined;
  const problems: DataProblem[] = [];
  if (shallow) {
    problems.push({
      code: 'shallow-clone',
      message: 'This is a shallow clone: versions older than its first commit are not listed. Run "git fetch --unshallow" to see every version.',
    });
  }
  if (head && !branch) {
    problems.push({
      code: 'detached-head',
      message: `HEAD is detached at ${head.slice(0, 7)}: versions are listed from all branches and tags. Checking out a version changes only the workspace; run "git switch <branch>" before committing it.`,
    });
  }
  const prefix = path.relative(top, path.resolve(root)).split(path.sep).join('/');
  return { git, root, top, prefix, head, branch, shallow, problems };
}

/** Branches and tags (annotated tags peeled to their commit). */
export async function listRefs(repo: Pick<RepoInfo, 'git'>): Promise<GitRef[]> {
  const out = await repo.git.raw(['for-each-ref', '--format=%(objectname)%09%(*objectname)%09%(refname)', 'refs/heads', 'refs/tags']);
  const refs: GitRef[] = [];
  for (const line of out.split('\n')) {
    const [obj, peeled, ref] = line.split('\t');
    if (!ref) continue;
    const kind = ref.startsWith('refs/tags/') ? 'tag' : 'branch';
    refs.push({ name: ref.replace(/^refs\/(heads|tags)\//, ''), kind, commit: peeled || obj });
  }
  return refs;
}

/** `rev:path` for a DVC-root-relative path. */
export const revSpec = (repo: RepoInfo, rev: string, rel: string) => `${rev}:${repo.prefix ? `${repo.prefix}/${rel}` : rel}`;
