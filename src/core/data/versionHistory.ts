// Versions of tracked artifacts across git history: the commits that changed an
// artifact's hash in its .dvc file or dvc.lock. One `git log -p` with whole-file
// context gives every revision of the file (old and new side of each commit), and one
// `git cat-file --batch` reads what each branch/tag records and the metrics at each
// version — a constant number of processes however long the history.
import { emptyIfMissing } from '../common/errors';
import { readBoundedText, YAML_JSON_CAP } from '../common/boundedRead';
import * as path from 'node:path';
import { lockArtifacts, type Artifact } from './artifacts';
import type { DataProblem } from './dataErrors';
import { parseDvcFile } from './dvcFile';
import { GitObjects } from './gitObjects';
import { listRefs, openRepo, revSpec, type RepoInfo } from './gitRepo';
import { flattenMetrics, metricsFilesOf, parseMetricsFile } from './metricsFiles';

export interface ArtifactVersion {
  commit: string;
  subject: string;
  author: string;
  /** ISO 8601 author date. */
  date: string;
  md5: string;
  size?: number;
  nfiles?: number;
  legacy: boolean;
  /** Branches whose tip records this version. */
  branches: string[];
  /** Tags (e.g. release/0.1) whose commit records this version. */
  tags: string[];
  /** HEAD records this version. */
  head: boolean;
  /** Metrics recorded at this commit: metrics file → flat key → value. */
  metrics: Record<string, Record<string, number>>;
}

export interface VersionListing {
  /** Newest first. */
  versions: ArtifactVersion[];
  problems: DataProblem[];
}

interface Revision {
  commit: string;
  author: string;
  date: string;
  subject: string;
  /** The file after and before the commit (undefined: absent on that side). */
  after?: string;
  before?: string;
}

const RS = '\x1e';
const US = '\x1f';

/** Every commit on branches, tags and HEAD that changed `file` (DVC-root-relative), with both sides. */
export async function fileRevisions(repo: RepoInfo, file: string, maxCount?: number): Promise<Revision[]> {
  const args = ['log', '--branches', '--tags', 'HEAD', `--format=${RS}%H${US}%an${US}%aI${US}%s`, '-p', '-U100000000', '--no-color', '--no-ext-diff', '--no-renames', '--no-textconv'];
  if (maxCount) args.push(`--max-count=${maxCount}`);
  if (!repo.head) return [];
  const out = await repo.git.raw([...args, '--', file]);
  const revisions: Revision[] = [];
  for (const record of out.split(RS)) {
    if (!record.trim()) continue;
    const nl = record.indexOf('\n');
    const [commit, author, date, subject] = (nl < 0 ? record : record.slice(0, nl)).split(US);
    const diff = nl < 0 ? '' : record.slice(nl + 1);
    const sides = diffSides(diff);
    if (!sides) continue;
    revisions.push({ commit, author, date, subject, ...sides });
  }
  return revisions;
}

/** Old and new text of a one-file, whole-context unified diff. */
function diffSides(diff: string): { before?: string; after?: string } | undefined {
  const start = diff.indexOf('\n@@');
  if (start < 0) return undefined;
  const header = diff.slice(0, start);
  const lines = diff.slice(diff.indexOf('\n', start + 1) + 1).split('\n');
  const before: string[] = [];
  const after: string[] = [];
  let beforeEol = true;
  let afterEol = true;
  let last: '-' | '+' | ' ' = ' ';
  for (const line of lines) {
    const c = line[0];
    if (c === ' ' || c === '-' || c === '+') {
      if (c !== '+') before.push(line.slice(1));
      if (c !== '-') after.push(line.slice(1));
      last = c;
    } else if (c === '\\') {
      if (last !== '+') beforeEol = false;
      if (last !== '-') afterEol = false;
    } else if (c === '@') continue;
    else if (line.startsWith('diff --git')) break;
  }
  const joined = (l: string[], eol: boolean) => l.join('\n') + (eol && l.length ? '\n' : '');
  return {
    before: /\n--- \/dev\/null/.test(`\n${header}`) ? undefined : joined(before, beforeEol),
    after: /\n\+\+\+ \/dev\/null/.test(`\n${header}`) ? undefined : joined(after, afterEol),
  };
}

type Recorded = { md5: string; size?: number; nfiles?: number; legacy: boolean };

/** What one revision of the artifact's source file records for it, memoised by text. */
function recorder(a: Artifact, dvcYamlText: string): (text: string | undefined) => Recorded | undefined {
  const memo = new Map<string, Recorded | undefined>();
  return (text) => {
    if (text === undefined) return undefined;
    if (memo.has(text)) return memo.get(text);
    let found: Recorded | undefined;
    if (a.source.kind === 'dvc-file') {
      const dir = path.posix.dirname(a.source.file);
      const o = parseDvcFile(text, a.source.file).outs.find((o) => path.posix.normalize(path.posix.join(dir, o.path)) === a.path);
      if (o) found = { md5: o.md5, size: o.size, nfiles: o.nfiles, legacy: o.legacy };
    } else {
      const o = lockArtifacts(text, dvcYamlText, a.source.file).artifacts.find((x) => x.path === a.path);
      if (o) found = { md5: o.md5, size: o.size, nfiles: o.nfiles, legacy: o.legacy };
    }
    memo.set(text, found);
    return found;
  };
}

export interface VersionOptions {
  /** Read metrics at each version (one batch read); default true. */
  metrics?: boolean;
  /** Stop after this many commits touching the file. */
  maxCommits?: number;
  /** Reuse an opened repo (the view opens it once per refresh). */
  repo?: RepoInfo;
  objects?: GitObjects;
}

/** The versions of one artifact, newest first. */
export async function listVersions(root: string, artifact: Artifact, options: VersionOptions = {}): Promise<VersionListing> {
  const repo = options.repo ?? (await openRepo(root));
  const objects = options.objects ?? new GitObjects(repo.top);
  try {
    const dvcYamlText = await readBoundedText(path.join(root, path.dirname(artifact.source.file), 'dvc.yaml'), { cap: YAML_JSON_CAP, root }).catch(emptyIfMissing);
    const record = recorder(artifact, dvcYamlText);
    const revisions = await fileRevisions(repo, artifact.source.file, options.maxCommits);
    const versions: ArtifactVersion[] = [];
    for (const r of revisions) {
      const now = record(r.after);
      if (!now || now.md5 === record(r.before)?.md5) continue;
      versions.push({ commit: r.commit, subject: r.subject, author: r.author, date: r.date, ...now, branches: [], tags: [], head: false, metrics: {} });
    }
    if (!versions.length) return { versions, problems: repo.problems };

    // Which version each branch, tag and HEAD records: the newest version of that hash.
    const refs = await listRefs(repo);
    const targets = [...refs.map((r) => r.commit), ...(repo.head ? [repo.head] : [])];
    const texts = await objects.readText(targets.map((c) => revSpec(repo, c, artifact.source.file)));
    const byMd5 = new Map<string, ArtifactVersion>();
    for (const v of [...versions].reverse()) byMd5.set(v.md5, v);
    texts.forEach((text, i) => {
      const v = byMd5.get(record(text)?.md5 ?? '');
      if (!v) return;
      if (i === refs.length) v.head = true;
      else if (refs[i].kind === 'tag') v.tags.push(refs[i].name);
      else v.branches.push(refs[i].name);
    });

    if (options.metrics !== false) {
      // Metrics are the project's (dvc.yaml at the DVC root), whichever file tracks the artifact.
      const rootYaml = await readBoundedText(path.join(root, 'dvc.yaml'), { cap: YAML_JSON_CAP, root }).catch(emptyIfMissing);
      await attachMetrics(repo, objects, versions, rootYaml);
    }
    return { versions, problems: repo.problems };
  } finally {
    if (!options.objects) objects.close();
  }
}

async function attachMetrics(repo: RepoInfo, objects: GitObjects, versions: ArtifactVersion[], dvcYamlText: string): Promise<void> {
  const files = metricsFilesOf(dvcYamlText);
  if (!files.length) return;
  const specs = versions.flatMap((v) => files.map((f) => revSpec(repo, v.commit, f)));
  const texts = await objects.readText(specs);
  versions.forEach((v, i) => {
    files.forEach((f, j) => {
      const text = texts[i * files.length + j];
      const parsed = text === undefined ? undefined : parseMetricsFile(text, f);
      if (parsed) v.metrics[f] = flattenMetrics(parsed);
    });
  });
}
