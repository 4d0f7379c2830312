// DVC experiments read from git, without starting DVC: what `dvc exp show` lists — the
// workspace, the HEAD commit (and `num - 1` before it) as baselines, and every experiment
// in refs/exps (see dvcExpGit.ts), queued and failed runs of `dvc queue`, and runs in
// progress (dvcExpActive.ts). Each commit's params and metrics come from its own
// dvc.yaml/dvc.lock/params/metrics files (dvcExpFiles.ts), all read through one
// `git cat-file --batch`; commits never change, so a commit is read once per source.
// What each row carries follows `dvc exp show --json` (dvc/repo/experiments/collect.py,
// queue/celery.py): a queued run shows its stash commit's params and no metrics (the
// stash commit holds the workspace's old results); a failed one shows its stash commit
// whole; a queued run in progress shows the files of its own checkout.
import { existsSync } from 'node:fs';
import { HISTORY_CAP, readBoundedText } from '../../common/boundedRead';
import { errorMessage } from '../../common/errors';
import * as path from 'node:path';
import type { SimpleGit } from 'simple-git';
import { findDvcRoot } from '../../pipelines/status/stageStatus';
import type { Experiment, MetricPoint, RunListing, RunSource, RunStatus, RunSummary, WarningSink } from '../types';
import { warningCollector } from '../types';
import { parseTsv } from './dvcliveSource';
import { activeRuns } from './dvcExpActive';
import { metricValues, parseDataFile, pipelineFiles, selectParams, DEFAULT_PARAMS } from './dvcExpFiles';
import { findGit, indexStamp, openGit, readGitState, trackedDvcYamls, type GitLayout, type GitState } from './dvcExpGit';
import { defaultCacheDir, ExpDiskCache, LISTING_VERSION, type StoredListing, type StoredRev } from './expDiskCache';
import { InputStamps, unchanged } from './inputStamps';
import { GitBatch } from './gitBatch';
import { nodePipelineFs } from '../../pipelines/nodePipelineFs';

export interface DvcExperimentsOptions {
  onWarning?: WarningSink;
  /** Commits back from HEAD shown as baselines, as `dvc exp show -n` (default 1). */
  num?: number;
  /** Also list experiments whose baseline is not among those commits (default true; `dvc exp show` hides them). */
  allExperiments?: boolean;
  /**
   * Folder for the on-disk cache of what each commit holds (default: the platform's cache
   * folder, see expDiskCache.ts); false keeps it in memory only.
   */
  cacheDir?: string | false;
  /** The clock stamps are judged by (inputStamps.ts); tests move it on instead of waiting. */
  now?: () => number;
}

interface ExpListingKept {
  text: string;
  key: string;
  stamps: StoredListing['stamps'];
  fresh: StoredListing | undefined;
}

type LastRuns = Map<string, { rev?: string; dir?: string; metricFiles: Map<string, { file: string; raw: string }> }>;

/** What one revision holds; `files` maps each metric (raw name) to the file it came from. */
interface RevData {
  params: Map<string, Record<string, string>>;
  metrics: Map<string, { step: number; values: [string, number][] }>;
  faults: { file: string; message: string }[];
  /** The commit's committer time, ms. */
  time?: number;
}

type Kind = 'workspace' | 'baseline' | 'experiment' | 'queued' | 'failed' | 'running';

interface RevRun {
  id: string;
  /** Commit to read, or undefined for the workspace. */
  rev?: string;
  /** A folder read instead of the commit: the checkout a queued run works in. */
  dir?: string;
  /** Names the revision in warnings: `refs/exps/…/name` or the commit. */
  label: string;
  name: string;
  kind: Kind;
  baseline: string;
  time?: number;
}

const STATUS: Record<Kind, RunStatus> = {
  workspace: 'UNKNOWN',
  baseline: 'FINISHED',
  experiment: 'FINISHED',
  queued: 'SCHEDULED',
  failed: 'FAILED',
  running: 'RUNNING',
};

export class DvcExperimentsSource implements RunSource {
  readonly kind = 'dvc-experiments';
  private readonly root: string;
  private git: SimpleGit | undefined;
  private prefix: string | undefined;
  private readonly commits = new Map<string, RevData>();
  /** The dvc.yaml files `commits` were read with. */
  private commitsFor = '';
  /** Blob texts by id: experiments share most files, and a blob never changes. */
  private readonly blobs = new Map<string, string | undefined>();
  /** Per run id of the last listing: where it is read from and which file each metric came from. */
  private lastRuns: LastRuns = new Map();
  /** Builds lastRuns from a kept listing, when a metric history first needs it. */
  private lastRunsFrom: (() => LastRuns) | undefined;
  private readonly disk: ExpDiskCache | undefined;
  /**
   * The last listing kept, as written to or read from the disk: its text (a StoredListing),
   * what it is checked against, and its objects while no caller has them yet.
   */
  private kept: ExpListingKept | undefined;

  constructor(
    /** A folder of the DVC project (its root is found above it). */
    readonly location: string,
    private readonly options: DvcExperimentsOptions = {},
  ) {
    this.root = findDvcRoot(location) ?? location;
    if (options.cacheDir !== false) this.disk = new ExpDiskCache(options.cacheDir ?? defaultCacheDir(), path.resolve(this.root));
  }

  async list(): Promise<RunListing> {
    const { warnings, warn } = warningCollector(this.options.onWarning);
    const git = () => (this.git ??= openGit(this.root));
    let state: GitState = { baselines: [], names: new Map(), experiments: [], queued: [], failed: [] };
    let dvcYamls = ['dvc.yaml'];
    // Runs in progress are read every time (their processes come and go): while there are
    // none, the last listing stands as long as every file it was made from is unchanged.
    const active = await activeRuns(this.root);
    const layout = await findGit(this.root).catch(() => undefined);
    // Set before a kept listing answers: metric histories of commits are read under it.
    if (layout) this.prefix = layout.prefix;
    const key = this.listingKey(layout);
    if (!active.length) {
      const hit = this.keptListing(key);
      if (hit) {
        for (const w of hit.warnings) warn(w);
        return { experiments: hit.experiments, runs: hit.runs, warnings };
      }
    }
    const stamps = new InputStamps(this.options.now);
    if (active.length) stamps.giveUp('a run is in progress');
    try {
      if (!layout) throw new Error('not a git repository');
      let tracked: string[];
      await this.disk?.load();
      [state, tracked] = await Promise.all([readGitState(git, layout, this.options.num ?? 1, this.disk?.looseRefs(), stamps), this.trackedDvcYamls(layout, stamps)]);
      if (tracked.length) dvcYamls = tracked;
    } catch (err) {
      // Not a git repository (or git is missing): the workspace is all there is to show.
      stamps.giveUp('git cannot be read');
      warn({ file: this.root, message: `experiments are kept in git, which cannot be read here, so only the workspace is listed: ${(err as Error).message.split('\n')[0]}` });
    }
    const shown = new Set(state.baselines.map((b) => b.commit));
    const keep = (baseline: string) => this.options.allExperiments !== false || shown.has(baseline);

    const runs: RevRun[] = [];
    const head = state.baselines[0]?.commit;
    const workspaceActive = active.find((a) => a.executor === 'workspace' && !a.died);
    runs.push({ id: 'workspace', label: this.root, name: workspaceActive ? `workspace (${workspaceActive.name})` : 'workspace', kind: workspaceActive ? 'running' : 'workspace', baseline: head ?? 'workspace' });
    for (const b of state.baselines) runs.push({ id: b.commit, rev: b.commit, label: b.commit, name: state.names.get(b.commit) ?? b.commit.slice(0, 7), kind: 'baseline', baseline: b.commit });
    for (const e of state.experiments) if (keep(e.baseline)) runs.push({ id: e.commit, rev: e.commit, label: e.ref, name: e.name, kind: 'experiment', baseline: e.baseline });
    const running = new Map(active.filter((a) => a.executor !== 'workspace' && !a.died).map((a) => [a.executor, a]));
    // DVC shows a run whose worker died as running forever; it failed (its log is still there).
    const died = new Set(active.filter((a) => a.died).map((a) => a.executor));
    for (const q of state.queued) {
      if (!keep(q.baseline)) continue;
      const live = running.get(q.commit);
      const kind: Kind = live ? 'running' : died.has(q.commit) ? 'failed' : 'queued';
      runs.push({ id: q.commit, rev: q.commit, dir: live?.root, label: q.commit, name: q.name || q.commit.slice(0, 7), kind, baseline: q.baseline, time: q.time });
      running.delete(q.commit);
    }
    for (const a of running.values()) if (/^[0-9a-f]{40}$/.test(a.executor) && keep(a.baseline)) runs.push({ id: a.executor, rev: a.executor, dir: a.root, label: a.executor, name: a.name, kind: 'running', baseline: a.baseline });
    // A started run has left the queue's stash: one that died is known only by its executor files.
    for (const a of active) if (a.died && /^[0-9a-f]{40}$/.test(a.executor) && keep(a.baseline)) runs.push({ id: a.executor, rev: a.executor, label: a.executor, name: a.name, kind: 'failed', baseline: a.baseline });
    for (const f of state.failed) if (keep(f.baseline)) runs.push({ id: f.commit, rev: f.commit, label: f.commit, name: f.name || f.commit.slice(0, 7), kind: 'failed', baseline: f.baseline, time: f.time });

    // One row per commit: an experiment checked out as HEAD (`dvc exp branch`) stays the baseline.
    const seen = new Set<string>();
    runs.splice(0, runs.length, ...runs.filter((r) => !seen.has(r.id) && seen.add(r.id)));
    const workspace = this.readFolder(this.root, dvcYamls, stamps);
    // A run's checkout is gone the moment it ends: then its commit is read, as for a failed run.
    const folders = new Map<string, RevData>();
    for (const r of runs) {
      if (r.dir && !folders.has(r.dir) && existsSync(r.dir)) folders.set(r.dir, this.readFolder(r.dir, dvcYamls));
      if (r.dir && !folders.has(r.dir)) r.dir = undefined;
    }
    this.disk?.useDvcYamls(dvcYamls);
    if (this.commitsFor !== dvcYamls.join('\n')) {
      this.commits.clear();
      this.commitsFor = dvcYamls.join('\n');
    }
    const toRead: string[] = [];
    for (const r of runs) {
      if (!r.rev || r.dir || this.commits.has(r.rev)) continue;
      const kept = this.disk?.commit(r.rev);
      if (kept) this.commits.set(r.rev, fromStored(kept));
      else toRead.push(r.rev);
    }
    await this.readCommits([...new Set(toRead)], dvcYamls, workspace.files, stamps);
    await this.disk?.save(new Set(runs.flatMap((r) => (r.rev ? [r.rev] : []))));

    // Metric and param names are shown bare unless two files hold the same one (then `file:name`), as `dvc exp show` does.
    const metricFilesOf = new Map<string, Set<string>>();
    const paramFilesOf = new Map<string, Set<string>>();
    const note = (m: Map<string, Set<string>>, k: string, f: string) => (m.get(k) ?? m.set(k, new Set()).get(k)!).add(f);
    const dataOf = (r: RevRun) => (r.dir ? folders.get(r.dir)! : r.rev ? this.commits.get(r.rev)! : workspace);
    // `dvc exp show` drops a queued run's metrics (collect_queued): they are whatever the workspace held when it was queued.
    const noMetrics: RevData['metrics'] = new Map();
    const metricsOf = (r: RevRun) => (r.kind === 'queued' ? noMetrics : dataOf(r).metrics);
    for (const r of runs) {
      const d = dataOf(r);
      for (const [file, m] of metricsOf(r)) for (const [k] of m.values) note(metricFilesOf, k, file);
      for (const [file, p] of d.params) for (const k of Object.keys(p)) note(paramFilesOf, k, file);
    }

    const experiments = new Map<string, Experiment>();
    const out: RunSummary[] = [];
    this.lastRuns = new Map();
    this.lastRunsFrom = undefined;
    const metricFileOf: StoredListing['metricFiles'] = {};
    for (const r of runs) {
      const d = dataOf(r);
      r.time = d.time ?? r.time;
      // Queued and running commits hold no results yet, and baselines often lack them: only an experiment's missing metrics are a fault.
      for (const f of d.faults) if (r.kind !== 'queued' && (r.kind === 'experiment' || !f.message.includes('missing'))) warn({ file: r.rev && !r.dir ? `${r.label}:${f.file}` : f.file, message: `${r.kind} ${r.name}: ${f.message}` });
      const params: Record<string, string> = {};
      for (const [file, p] of d.params) for (const [k, v] of Object.entries(p)) params[paramFilesOf.get(k)!.size > 1 ? `${file}:${k}` : k] = v;
      const metrics: Record<string, MetricPoint> = {};
      const metricFiles = new Map<string, { file: string; raw: string }>();
      for (const [file, m] of metricsOf(r)) {
        for (const [k, value] of m.values) {
          const key = metricFilesOf.get(k)!.size > 1 ? `${file}:${k}` : k;
          metrics[key] = { step: m.step, timestamp: r.time ?? 0, value };
          metricFiles.set(key, { file, raw: k });
          metricFileOf[key] = [file, k];
        }
      }
      this.lastRuns.set(r.id, { rev: r.rev, dir: r.dir ?? (r.rev ? undefined : this.root), metricFiles });
      if (!experiments.has(r.baseline)) {
        const name = r.baseline === 'workspace' ? 'workspace' : state.names.has(r.baseline) ? `${state.names.get(r.baseline)} (${r.baseline.slice(0, 7)})` : r.baseline.slice(0, 7);
        experiments.set(r.baseline, { id: r.baseline, name });
      }
      const tags: Record<string, string> = { 'dvc.kind': r.kind === 'running' && r.id === 'workspace' ? 'workspace' : r.kind, 'dvc.baseline': r.baseline };
      if (r.rev) tags['git.commit'] = r.rev;
      if (r.kind === 'experiment') tags['dvc.ref'] = r.label;
      // No `startTime: undefined`: the kept listing is JSON, and a listing read from it must equal this one.
      out.push({ id: r.id, experimentId: r.baseline, name: r.name, status: STATUS[r.kind], ...(r.time === undefined ? {} : { startTime: r.time }), params, tags, metrics });
    }
    const listing = { experiments: [...experiments.values()], runs: out, warnings };
    if (stamps.notKept === undefined) await this.keepListing({ version: LISTING_VERSION, root: this.root, key, stamps: stamps.stamps, metricFiles: metricFileOf, listing });
    return listing;
  }

  /** What a kept listing must have been made with besides its files: the options, and where git is. */
  private listingKey(layout: GitLayout | undefined): string {
    return JSON.stringify([this.options.num ?? 1, this.options.allExperiments !== false, layout?.top, layout?.gitDir, layout?.prefix]);
  }

  /** The kept listing (held, or else on disk), when it was made the same way and none of its inputs changed; fresh objects each time. */
  private keptListing(key: string): RunListing | undefined {
    for (const from of this.kept ? ['memory', 'disk'] : ['disk']) {
      if (from === 'disk') this.kept = this.readKept();
      const kept = this.kept;
      if (!kept) return undefined;
      if (kept.key !== key || !unchanged(kept.stamps)) {
        this.kept = undefined;
        continue;
      }
      // The objects parsed from the file go to the first caller; a copy to each one after.
      const stored = kept.fresh ?? (JSON.parse(kept.text) as StoredListing);
      kept.fresh = undefined;
      this.lastRunsFrom = () => this.runsOf(JSON.parse(kept.text) as StoredListing);
      return stored.listing;
    }
    return undefined;
  }

  private readKept(): ExpListingKept | undefined {
    const text = this.disk?.readListing();
    if (text === undefined) return undefined;
    try {
      const stored = JSON.parse(text) as StoredListing;
      if (stored?.version !== LISTING_VERSION || stored.root !== this.root || typeof stored.key !== 'string' || !Array.isArray(stored.stamps) || !Array.isArray(stored.listing?.runs)) return undefined;
      return { text, key: stored.key, stamps: stored.stamps, fresh: stored };
    } catch {
      return undefined;
    }
  }

  /** lastRuns as the listing that was kept had them: a run is read from its commit, the workspace from the folder. */
  private runsOf(stored: StoredListing): LastRuns {
    const out: LastRuns = new Map();
    for (const r of stored.listing.runs) {
      const rev = r.tags['git.commit'];
      const metricFiles = new Map<string, { file: string; raw: string }>();
      for (const k of Object.keys(r.metrics)) {
        const from = stored.metricFiles[k];
        if (from) metricFiles.set(k, { file: from[0], raw: from[1] });
      }
      out.set(r.id, { rev, dir: rev ? undefined : this.root, metricFiles });
    }
    return out;
  }

  private async keepListing(stored: StoredListing): Promise<void> {
    // Serialized now: the caller owns the listing's objects once it is returned.
    const text = JSON.stringify(stored);
    this.kept = { text, key: stored.key, stamps: stored.stamps, fresh: undefined };
    await this.disk?.writeListing(text);
  }

  /**
   * The files of many commits through one `git cat-file --batch` (gitBatch.ts): the commits,
   * their trees, then the blobs of the pipeline files and of those the workspace reads
   * (experiments rarely differ), then whatever a commit's own pipeline names beyond them.
   */
  private async readCommits(revs: string[], dvcYamls: string[], guess: string[], stamps: InputStamps): Promise<void> {
    if (!revs.length) return;
    const batch = new GitBatch(this.root);
    try {
      const infos = await batch.commits(revs);
      const under = (p: string) => (this.prefix ? `${this.prefix}/${p}` : p);
      const texts = revs.map(() => new Map<string, string | undefined>());
      let wanted = revs.map(() => [...new Set([...dvcYamls, DEFAULT_PARAMS, ...guess])]);
      for (let round = 0; round < 4 && wanted.some((w) => w.length); round++) {
        const found = await batch.resolve(revs.map((_, i) => ({ tree: infos[i]?.tree ?? '', paths: infos[i] ? wanted[i].map(under) : [] })));
        const blobs = [...new Set(found.flatMap((m) => [...m.values()].filter((b): b is string => !!b && !this.blobs.has(b))))];
        const got = await batch.read(blobs);
        blobs.forEach((id, k) => this.blobs.set(id, got[k]?.type === 'blob' ? got[k]!.data.toString('utf8') : undefined));
        if (this.blobs.size > 20000) this.blobs.clear();
        wanted.forEach((ps, i) =>
          ps.forEach((p) => {
            const id = found[i].get(under(p));
            texts[i].set(p, id ? this.blobs.get(id) : undefined);
          }),
        );
        // What each commit's pipeline names that was not read yet (a miss is then remembered as absent).
        wanted = revs.map((_, i) => {
          const miss = new Set<string>();
          const text = (p: string) => (texts[i].has(p) ? texts[i].get(p) : (miss.add(p), undefined));
          const plan = pipelineFiles(dvcYamls, text, this.disk);
          for (const p of [...plan.params.keys(), ...plan.metrics]) if (!texts[i].has(p)) miss.add(p);
          return [...miss];
        });
      }
      revs.forEach((rev, i) => {
        const data = revData(pipelineFiles(dvcYamls, (p) => texts[i].get(p), this.disk), (p) => texts[i].get(p));
        data.time = infos[i]?.time;
        if (!infos[i]) {
          data.faults.push({ file: '', message: 'its commit is not in the repository' });
          // It may be fetched without any ref changing.
          stamps.giveUp(`${rev} is not in the repository`);
        }
        // A commit missing now may be fetched later: only what was really read is kept on disk.
        else this.disk?.putCommit(rev, toStored(data));
        this.commits.set(rev, data);
      });
    } finally {
      batch.close();
    }
  }

  /** Tracked dvc.yaml files; `git ls-files` only when the index changed since it last answered. */
  private async trackedDvcYamls(layout: GitLayout, stamps: InputStamps): Promise<string[]> {
    await this.disk?.load();
    stamps.add(path.join(layout.gitDir, 'index'));
    const stamp = await indexStamp(layout);
    const kept = stamp ? this.disk?.tracked(stamp) : undefined;
    if (kept) return kept;
    const files = await trackedDvcYamls((this.git ??= openGit(this.root)));
    if (stamp) this.disk?.putTracked(stamp, files);
    return files;
  }

  /** A checkout on disk: the workspace, or the folder a queued run works in. */
  private readFolder(root: string, dvcYamls: string[], stamps?: InputStamps): RevData & { files: string[] } {
    // Read lazily, each file once, synchronously (nodePipelineFs): only what the plan names,
    // each stamped before it is read.
    const fs = nodePipelineFs(root);
    const text = (p: string) => {
      stamps?.add(path.resolve(root, p));
      return fs.readText(p);
    };
    const plan = pipelineFiles(dvcYamls, text, this.disk);
    const files = [...plan.params.keys(), ...plan.metrics];
    const data = revData(plan, text);
    // A FIFO, a link out of the project or a file over the cap was read as absent: say why.
    for (const [file, why] of fs.refused?.() ?? []) {
      data.faults.push({ file, message: `${why}; its values are left out` });
      // Refused for what it is or where its links lead: more than the file's own stat.
      stamps?.giveUp(`${file} was refused`);
    }
    // On disk a fault names the real file.
    data.faults = data.faults.map((f) => ({ ...f, file: path.join(root, f.file) }));
    return { ...data, files };
  }

  async metricHistory(runId: string, key: string): Promise<MetricPoint[]> {
    if (this.lastRunsFrom) {
      this.lastRuns = this.lastRunsFrom();
      this.lastRunsFrom = undefined;
    }
    const run = this.lastRuns.get(runId);
    const from = run?.metricFiles.get(key);
    if (!run || !from) return [];
    // DVCLive keeps the history beside its summary: <dir>/metrics.json, <dir>/plots/metrics/<name>.tsv.
    const tsv = path.posix.join(path.posix.dirname(from.file), 'plots', 'metrics', `${from.raw}.tsv`);
    let text: string | undefined;
    if (run.dir) text = await readBoundedText(path.join(run.dir, tsv), { cap: HISTORY_CAP, root: this.root }).catch(() => undefined);
    else if (run.rev) {
      const batch = new GitBatch(this.root);
      try {
        const [blob] = await batch.read([`${run.rev}:${this.prefix ? `${this.prefix}/` : ''}${tsv}`]);
        text = blob?.type === 'blob' ? blob.data.toString('utf8') : undefined;
      } finally {
        batch.close();
      }
    }
    if (text === undefined) return [];
    return parseTsv(text, run.dir ? path.join(run.dir, tsv) : `${run.rev}:${tsv}`, this.options.onWarning ?? (() => undefined));
  }

  dispose(): void {
    this.git = undefined;
  }
}

function toStored(d: RevData): StoredRev {
  return { params: [...d.params], metrics: [...d.metrics], faults: d.faults, time: d.time };
}

function fromStored(s: StoredRev): RevData {
  return { params: new Map(s.params), metrics: new Map(s.metrics), faults: s.faults, time: s.time };
}

function revData(plan: ReturnType<typeof pipelineFiles>, text: (p: string) => string | undefined): RevData {
  const data: RevData = { params: new Map(), metrics: new Map(), faults: [] };
  if (plan.refused) {
    // As `dvc exp show`: the revision is listed, with an error instead of its params and metrics.
    data.faults.push({ file: plan.refused.file, message: `dvc cannot load the pipeline, so no params or metrics are shown: ${plan.refused.message}` });
    return data;
  }
  for (const [file, keys] of plan.params) {
    const t = text(file);
    if (t === undefined) continue;
    const parsed = parseDataFile(file, t);
    if (!parsed.ok) {
      data.faults.push({ file, message: `cannot read params file, its params are left out: ${parsed.error}` });
      continue;
    }
    // Per file: one nested past the limit costs its own values, not the listing.
    try {
      data.params.set(file, selectParams(parsed.data, keys));
    } catch (err) {
      data.faults.push({ file, message: `cannot read params file, its params are left out: ${errorMessage(err)}` });
    }
  }
  for (const file of plan.metrics) {
    const t = text(file);
    if (t === undefined) {
      if (!plan.optional.has(file)) data.faults.push({ file, message: 'metrics file declared in dvc.yaml is missing; its metrics are left out' });
      continue;
    }
    const parsed = parseDataFile(file, t);
    if (!parsed.ok) data.faults.push({ file, message: `cannot read metrics file, its metrics are left out: ${parsed.error}` });
    else {
      try {
        data.metrics.set(file, metricValues(parsed.data));
      } catch (err) {
        data.faults.push({ file, message: `cannot read metrics file, its metrics are left out: ${errorMessage(err)}` });
      }
    }
  }
  return data;
}
