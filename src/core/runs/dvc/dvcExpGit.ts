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
// Refs and reflogs are read from their files (gitRefsFs.ts); git itself only answers what
// those cannot (a reftable repository, a detached HEAD, `-n` above 1).
import { statSync } from 'node:fs';
import * as path from 'node:path';
import { simpleGit, type SimpleGit } from 'simple-git';
import { readTextFile } from '../../pipelines/nodePipelineFs';
import type { InputStamps } from './inputStamps';
import { commonGitDir, readReflog, readRefsFromFiles, type LooseRefFolders } from './gitRefsFs';

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
    const st = statSync(dotGit, { throwIfNoEntry: false });
    if (st?.isDirectory()) return { top: d, gitDir: dotGit, prefix: path.relative(d, path.resolve(dir)).split(path.sep).join('/') };
    if (st?.isFile()) {
      const m = /^gitdir:\s*(.+)$/m.exec(readTextFile(dotGit) ?? '');
      if (m) return { top: d, gitDir: path.resolve(d, m[1].trim()), prefix: path.relative(d, path.resolve(dir)).split(path.sep).join('/') };
    }
    if (path.dirname(d) === d) return undefined;
  }
}

/** `stamps` hears of each file read (inputStamps.ts), and of each question git had to answer instead. */
export async function readGitState(git: () => SimpleGit, layout: GitLayout, num: number, looseRefs?: LooseRefFolders, stamps?: InputStamps): Promise<GitState> {
  stamps?.add(path.join(layout.gitDir, 'HEAD'));
  stamps?.add(path.join(layout.gitDir, 'commondir'));
  const headText = (readTextFile(path.join(layout.gitDir, 'HEAD')) ?? '').trim();
  const branch = headText.startsWith('ref: ') ? headText.slice(5).trim() : '';
  const common = await commonGitDir(layout.gitDir);
  const prefixes = ['refs/exps', 'refs/heads', 'refs/tags'];
  let refs = await readRefsFromFiles(common, prefixes, looseRefs, stamps);
  if (!refs) {
    stamps?.giveUp('refs are read by git');
    // Only names and ids: any field about the commit itself would make git read every commit.
    const refsOut = await git().raw(['for-each-ref', '--format=%(objectname) %(refname)', ...prefixes]);
    refs = new Map();
    for (const line of refsOut.split('\n')) {
      const m = /^([0-9a-f]+) (.+)$/.exec(line);
      if (m) refs.set(m[2], m[1]);
    }
  }
  const names = new Map<string, string>();
  const experiments: ExpRef[] = [];
  const stashRefs: string[] = [];
  let headCommit: { commit: string; time?: number } | undefined;
  // Sorted as for-each-ref prints them, so that which name a commit gets does not depend on where its ref was read from.
  for (const ref of [...refs.keys()].sort()) {
    const commit = refs.get(ref)!;
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
    stamps?.giveUp('baselines are read by git log');
    const logOut = await git()
      .raw(['log', `-n${num}`, '--format=%H %ct', 'HEAD'])
      .catch(() => '');
    baselines = logOut
      .split('\n')
      .filter(Boolean)
      .map((l) => {
        const [commit, t] = l.split(' ');
        return { commit, time: Number(t) * 1000 };
      });
  }
  const [queued, failed] = await Promise.all(
    ['refs/exps/celery/stash', 'refs/exps/celery/failed'].map((ref) => (stashRefs.includes(ref) ? readStash(git, common, ref, stamps) : Promise.resolve([]))),
  );
  return { baselines, names, experiments, queued, failed };
}

async function readStash(git: () => SimpleGit, common: string, ref: string, stamps?: InputStamps): Promise<StashEntry[]> {
  stamps?.add(path.join(common, 'logs', ref));
  let log = await readReflog(common, ref);
  if (!log) {
    stamps?.giveUp(`${ref} is read by git log -g`);
    const out = await git()
      .raw(['log', '-g', '--format=%H %ct %gs', ref])
      .catch(() => '');
    log = out.split('\n').flatMap((line) => {
      const [commit, t, ...rest] = line.split(' ');
      return commit ? [{ commit, time: Number(t), subject: rest.join(' ') }] : [];
    });
  }
  const entries: StashEntry[] = [];
  for (const { commit, time, subject } of log) {
    const m = STASH_SUBJECT.exec(subject);
    if (m) entries.push({ commit, baseline: m[2], name: m[3], time: time * 1000 });
  }
  return entries;
}

/** What changes whenever `git ls-files` may answer differently: the index file's stat. */
export async function indexStamp(layout: GitLayout): Promise<string | undefined> {
  const st = statSync(path.join(layout.gitDir, 'index'), { throwIfNoEntry: false });
  return st ? `${st.ino}:${st.size}:${st.mtimeMs}` : undefined;
}

/** Tracked dvc.yaml files under the DVC root, relative to it. */
export async function trackedDvcYamls(git: SimpleGit): Promise<string[]> {
  const out = await git.raw(['ls-files', '--', 'dvc.yaml', '**/dvc.yaml']).catch(() => '');
  return out.split('\n').filter((f) => f === 'dvc.yaml' || f.endsWith('/dvc.yaml'));
}
