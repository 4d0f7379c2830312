// Where DVC keeps experiments in git (learned from `dvc exp run` 3.67 and
// dvc/repo/experiments/refs.py):
//   refs/exps/<sha[:2]>/<sha[2:]>/<name>   an experiment: a commit whose parent is the
//                                          baseline <sha>, holding dvc.lock, params and metrics
//   refs/exps/celery/stash                 queued runs: a reflog of stash commits, each
//                                          subject `dvc-exp:<rev>:<baseline>:<name>`
//   refs/exps/celery/failed                the same, for queued runs that failed
//   refs/exps/{exec,apply,temp,celery}/…    DVC's own bookkeeping, never experiments
// (Annotated tags are not peeled: that would read every object; such a tag just does not
// name its baseline.)
// A handful of git processes answer all of it, however many experiments there are.
import { readFile, stat } from 'node:fs/promises';
import * as path from 'node:path';
import { simpleGit, type SimpleGit } from 'simple-git';

export interface ExpRef {
  ref: string;
  name: string;
  baseline: string;
  commit: string;
}

export interface StashEntry {
  commit: string;
  baseline: string;
  name: string;
  time: number;
}

export interface GitState {
  /** The commits `dvc exp show -n <num>` shows as baselines, newest first. */
  baselines: { commit: string; time?: number }[];
  /** Branch and tag names by commit (the checked-out branch first). */
  names: Map<string, string>;
  experiments: ExpRef[];
  queued: StashEntry[];
  failed: StashEntry[];
}

const EXP_REF = /^refs\/exps\/([0-9a-f]{2})\/([0-9a-f]{38})\/(.+)$/;
const STASH_SUBJECT = /dvc-exp:([0-9a-f]+):([0-9a-f]+):(.*)$/;

export function openGit(dir: string): SimpleGit {
  return simpleGit({ baseDir: dir, trimmed: true, maxConcurrentProcesses: 4 });
}

export interface GitLayout {
  /** The repository's top folder. */
  top: string;
  /** Where HEAD is (`.git`, or a worktree's folder that a `.git` file points at). */
  gitDir: string;
  /** The DVC root relative to the top ('' at the top), for `rev:path` specs. */
  prefix: string;
}

/** Finds the repository around `dir` on disk, saving a `git rev-parse` per listing. */
export async function findGit(dir: string): Promise<GitLayout | undefined> {
  for (let d = path.resolve(dir); ; d = path.dirname(d)) {
    const dotGit = path.join(d, '.git');
    const st = await stat(dotGit).catch(() => undefined);
    if (st?.isDirectory()) return { top: d, gitDir: dotGit, prefix: path.relative(d, path.resolve(dir)).split(path.sep).join('/') };
    if (st?.isFile()) {
      const m = /^gitdir:\s*(.+)$/m.exec(await readFile(dotGit, 'utf8'));
      if (m) return { top: d, gitDir: path.resolve(d, m[1].trim()), prefix: path.relative(d, path.resolve(dir)).split(path.sep).join('/') };
    }
    if (path.dirname(d) === d) return undefined;
  }
}

export async function readGitState(git: SimpleGit, layout: GitLayout, num: number): Promise<GitState> {
  const headText = (await readFile(path.join(layout.gitDir, 'HEAD'), 'utf8').catch(() => '')).trim();
  const branch = headText.startsWith('ref: ') ? headText.slice(5).trim() : '';
  // Only names and ids: any field about the commit itself would make git read every commit.
  const refsOut = await git.raw(['for-each-ref', '--format=%(objectname) %(refname)', 'refs/exps', 'refs/heads', 'refs/tags']);
  const names = new Map<string, string>();
  const experiments: ExpRef[] = [];
  const stashRefs: string[] = [];
  let headCommit: { commit: string; time?: number } | undefined;
  for (const line of refsOut.split('\n')) {
    const m = /^([0-9a-f]+) (.+)$/.exec(line);
    if (!m) continue;
    const [, commit, ref] = m;
    const exp = EXP_REF.exec(ref);
    if (exp) experiments.push({ ref, name: exp[3], baseline: exp[1] + exp[2], commit });
    else if (ref === 'refs/exps/celery/stash' || ref === 'refs/exps/celery/failed') stashRefs.push(ref);
    else if (ref.startsWith('refs/heads/') || ref.startsWith('refs/tags/')) {
      const short = ref.replace(/^refs\/(heads|tags)\//, '');
      if (ref === branch) headCommit = { commit };
      if (ref === branch || !names.has(commit)) names.set(commit, short);
    }
  }
  let baselines: { commit: string; time?: number }[];
  if (headCommit && num === 1) baselines = [headCommit];
  else {
    // A detached HEAD, or more commits than HEAD: ask git log. An unborn branch has none.
    const logOut = await git.raw(['log', `-n${num}`, '--format=%H %ct', 'HEAD']).catch(() => '');
    baselines = logOut
      .split('\n')
      .filter(Boolean)
      .map((l) => {
        const [commit, t] = l.split(' ');
        return { commit, time: Number(t) * 1000 };
      });
  }
  const [queued, failed] = await Promise.all(
    ['refs/exps/celery/stash', 'refs/exps/celery/failed'].map((ref) => (stashRefs.includes(ref) ? readStash(git, ref) : Promise.resolve([]))),
  );
  return { baselines, names, experiments, queued, failed };
}

async function readStash(git: SimpleGit, ref: string): Promise<StashEntry[]> {
  const out = await git.raw(['log', '-g', '--format=%H %ct %gs', ref]).catch(() => '');
  const entries: StashEntry[] = [];
  for (const line of out.split('\n')) {
    const [commit, t, ...rest] = line.split(' ');
    const m = STASH_SUBJECT.exec(rest.join(' '));
    if (commit && m) entries.push({ commit, baseline: m[2], name: m[3], time: Number(t) * 1000 });
  }
  return entries;
}

/** Tracked dvc.yaml files under the DVC root, relative to it. */
export async function trackedDvcYamls(git: SimpleGit): Promise<string[]> {
  const out = await git.raw(['ls-files', '--', 'dvc.yaml', '**/dvc.yaml']).catch(() => '');
  return out.split('\n').filter((f) => f === 'dvc.yaml' || f.endsWith('/dvc.yaml'));
}
