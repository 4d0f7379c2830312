// Metrics across revisions, like `dvc metrics show -a -T`: the workspace, every branch
// and tag (and optionally the last commits of HEAD), read from git objects in one
// batch instead of DVC checking out each revision's tree.
import { emptyIfMissing } from '../common/errors';
import { existsSync } from 'node:fs';
import { isRefused, readBoundedText, YAML_JSON_CAP } from '../common/boundedRead';
import * as path from 'node:path';
import type { DataProblem } from './dataErrors';
import { GitObjects } from './gitObjects';
import { gitAt, listRefs, openRepo, revSpec, type RepoInfo } from './gitRepo';
import { flattenMetrics, metricDirection, metricsFilesOf, parseMetricsFile } from './metricsFiles';

export interface RevisionMetrics {
  /** As `dvc metrics show -a -T` names it: "workspace", a branch, a tag, or a short commit. */
  rev: string;
  kind: 'workspace' | 'branch' | 'tag' | 'commit';
  commit?: string;
  subject?: string;
  date?: string;
  /** metrics file → flat key → value. */
  metrics: Record<string, Record<string, number>>;
}

export interface MetricColumn {
  file: string;
  key: string;
  direction: 'max' | 'min';
  best?: number;
  /** Revisions holding the best value. */
  bestRevs: string[];
}

export interface MetricsTable {
  rows: RevisionMetrics[];
  columns: MetricColumn[];
  problems: DataProblem[];
}

export interface MetricsTableOptions {
  /** Also the last N commits of HEAD (default 0, like -a -T). */
  recentCommits?: number;
  repo?: RepoInfo;
}

/** Metrics files of the DVC project at one revision: every dvc.yaml's declarations. */
async function metricsFilesAt(objects: GitObjects, repo: RepoInfo, revs: string[]): Promise<string[][]> {
  const texts = await objects.readText(revs.map((r) => revSpec(repo, r, 'dvc.yaml')));
  return texts.map((t) => (t ? metricsFilesOf(t) : []));
}

export async function metricsAcrossRevisions(root: string, options: MetricsTableOptions = {}): Promise<MetricsTable> {
  // What needs no other answer starts at once: the repository's questions, the refs and
  // the `git cat-file` process each cost a git start, and one after another they were
  // most of the table's time. Refs and object names hold from any folder of the repository.
  const objects = new GitObjects(root);
  objects.start();
  const repoPromise = options.repo ? Promise.resolve(options.repo) : openRepo(root);
  const refsPromise = listRefs(options.repo ?? { git: gitAt(root) });
  refsPromise.catch(() => undefined); // awaited below, or moot when this is no repository
  try {
    const rows: RevisionMetrics[] = [];
    // Workspace first, read from disk while git answers.
    const limits = { cap: YAML_JSON_CAP, root };
    const wsYaml = await readBoundedText(path.join(root, 'dvc.yaml'), limits).catch(emptyIfMissing);
    const ws: RevisionMetrics = { rev: 'workspace', kind: 'workspace', metrics: {} };
    for (const f of metricsFilesOf(wsYaml)) {
      const abs = path.join(root, f);
      // A FIFO or a link out of the project is left out like a missing file.
      const text = existsSync(abs) ? await readBoundedText(abs, limits).catch((err: unknown) => (isRefused(err) ? undefined : Promise.reject(err as Error))) : undefined;
      const parsed = text === undefined ? undefined : parseMetricsFile(text, f);
      if (parsed) ws.metrics[f] = flattenMetrics(parsed);
    }
    rows.push(ws);

    const repo = await repoPromise;
    if (repo.head) {
      const refs = await refsPromise;
      // Refs at one commit share a row named "a,b", as `dvc metrics show -a -T` names it.
      const revs: { rev: string; kind: RevisionMetrics['kind']; commit: string }[] = [];
      for (const r of refs) {
        const same = revs.find((x) => x.commit === r.commit);
        if (same) same.rev += `,${r.name}`;
        else revs.push({ rev: r.name, kind: r.kind, commit: r.commit });
      }
      if (options.recentCommits) {
        const log = await repo.git.raw(['log', `--max-count=${options.recentCommits}`, '--format=%H', 'HEAD']);
        const known = new Set(revs.map((r) => r.commit));
        for (const c of log.split('\n').filter(Boolean)) if (!known.has(c)) revs.push({ rev: c.slice(0, 7), kind: 'commit', commit: c });
      }
      if (!repo.branch) revs.unshift({ rev: 'HEAD', kind: 'commit', commit: repo.head });
      // The commits' subjects and dates (one git process) while cat-file reads the files.
      const infoPromise = commitInfo(repo, [...new Set(revs.map((r) => r.commit))]);
      infoPromise.catch(() => undefined); // awaited below
      const filesPerRev = await metricsFilesAt(objects, repo, revs.map((r) => r.commit));
      const specs = revs.flatMap((r, i) => filesPerRev[i].map((f) => revSpec(repo, r.commit, f)));
      const texts = await objects.readText(specs);
      const info = await infoPromise;
      let k = 0;
      revs.forEach((r, i) => {
        const row: RevisionMetrics = { ...r, subject: info.get(r.commit)?.subject, date: info.get(r.commit)?.date, metrics: {} };
        for (const f of filesPerRev[i]) {
          const text = texts[k++];
          const parsed = text === undefined ? undefined : parseMetricsFile(text, f);
          if (parsed) row.metrics[f] = flattenMetrics(parsed);
        }
        rows.push(row);
      });
    }
    return { rows, columns: bestColumns(rows), problems: repo.problems };
  } finally {
    objects.close();
  }
}

async function commitInfo(repo: RepoInfo, commits: string[]): Promise<Map<string, { subject: string; date: string }>> {
  const out = new Map<string, { subject: string; date: string }>();
  if (!commits.length) return out;
  const text = await repo.git.raw(['show', '-s', '--no-walk', '--format=%H%x1f%aI%x1f%s', ...commits]);
  for (const line of text.split('\n')) {
    const [c, date, subject] = line.split('\x1f');
    if (c && subject !== undefined) out.set(c, { subject, date });
  }
  return out;
}

/** Every metric seen in any row, with its best value (by the metric's direction) and where. */
export function bestColumns(rows: RevisionMetrics[]): MetricColumn[] {
  const cols = new Map<string, MetricColumn>();
  for (const row of rows) {
    for (const [file, values] of Object.entries(row.metrics)) {
      for (const [key, v] of Object.entries(values)) {
        const id = `${file}\0${key}`;
        let col = cols.get(id);
        if (!col) cols.set(id, (col = { file, key, direction: metricDirection(key), bestRevs: [] }));
        const better = col.best === undefined || (col.direction === 'max' ? v > col.best : v < col.best);
        if (better) {
          col.best = v;
          col.bestRevs = [row.rev];
        } else if (v === col.best) col.bestRevs.push(row.rev);
      }
    }
  }
  return [...cols.values()].sort((a, b) => a.file.localeCompare(b.file) || a.key.localeCompare(b.key));
}
