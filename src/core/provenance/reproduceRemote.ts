// A reproduction on an SSH host's engine. The worktree is made here as for a local one
// (the user's clone is here); then it goes to a folder of its own on the host through the
// jobs' incremental SFTP code sync (with the DVC-tracked data the run read, which
// .gitignore leaves out), a container of the recorded image runs the command there with
// that folder mounted at the same path, and what the run wrote comes home: DVCLive's
// output, dvc.lock, metrics files, and the MLflow store the run logged into on the host.
// A local MLflow store (sqlite, a file store) cannot be reached from the host: the run
// logs into an SQLite store inside its folder there, and its metrics and params are copied
// onto the run made here once they are home.
import { cp, stat, writeFile } from 'node:fs/promises';
import * as path from 'node:path';
import { readBoundedText, YAML_JSON_CAP } from '../common/boundedRead';
import { flattenLeaves } from '../common/flatten';
import type { HostConnection } from '../hosts/hostConnection';
import { DVC_NO_SCM_SETUP } from '../jobs/runCommands';
import { makeRemoteDirs, syncProject, type SyncReport } from '../jobs/sync/codeSync';
import { fetchResults, syncedFiles, type FetchReport } from '../jobs/sync/fetchResults';
import type { RemoteFs } from '../jobs/sync/remoteFs';
import type { ImportedResults, MlflowHelper } from './mlflowHelper';
import { containerImage } from './containerRunner';
import { startReproContainer } from './reproduceContainer';
import type { ImageRun } from './reproduceFlow';

/** In each remote reproduction folder: says it is ours (cleanup removes only folders with it). */
export const REMOTE_MARKER = '.mlops-reproduce.json';
/** Where a run on the host logs MLflow when the original's store is local (relative to the project). */
export const REMOTE_STORE = '.mlops-reproduce/mlflow.db';
export const REMOTE_DIR_LABEL = 'mlops.reproduce.dir';

/** `<worktree>.remote.json`: the host and folder a worktree was copied to. */
export interface RemoteRecord {
  host: string;
  remoteDir: string;
}

export const remoteRecordPath = (worktree: string): string => `${worktree}.remote.json`;

export interface RemoteSite {
  host: string;
  /** The local worktree and its copy on the host. */
  localDir: string;
  remoteDir: string;
  sync: SyncReport;
  /** A path of the worktree as the host sees it (others are returned as they are). */
  toRemote(localPath: string): string;
  /**
   * Copies what the run wrote under `paths` (relative to the project folder `project` of
   * the worktree) home: into `homeDir`, and from there over the worktree's own files.
   */
  bringHome(project: string, paths: readonly string[], homeDir: string): Promise<FetchReport>;
}

export interface RemoteReproInput {
  conn: Pick<HostConnection, 'docker'>;
  fs: RemoteFs;
  host: string;
  /** Absolute, on the host: reproduction folders go under it. */
  remoteBase: string;
  /** The local worktree (its name names the remote folder). */
  worktree: string;
  /** Paths relative to the worktree sent although ignored (the run's DVC-tracked data). */
  include: readonly string[];
  ref: string;
  deviceIds?: string[];
  labels?: Record<string, string>;
  /** The original run, for the marker. */
  runId: string;
  signal?: AbortSignal;
  onProgress?: (done: number, total: number, rel: string) => void;
  now?: () => number;
}

/** The marker's content; read back from the host, so checked like any untrusted input. */
export interface RemoteMarker {
  version: 1;
  runId: string;
  worktree: string;
  created: number;
}

export function parseMarker(text: string): RemoteMarker | undefined {
  try {
    const m = JSON.parse(text) as Partial<RemoteMarker>;
    return m && m.version === 1 && typeof m.runId === 'string' && typeof m.worktree === 'string' && typeof m.created === 'number' ? (m as RemoteMarker) : undefined;
  } catch {
    return undefined;
  }
}

/** Sends the worktree to the host and starts a container of `ref` there with it mounted. */
export async function startRemoteRepro(i: RemoteReproInput): Promise<ImageRun & { site: RemoteSite }> {
  const base = i.remoteBase.replace(/\/+$/, '');
  if (!base.startsWith('/')) throw new Error(`the remote folder for reproductions "${i.remoteBase}" is not an absolute path`);
  const remoteDir = `${base}/${path.basename(i.worktree)}`;
  await makeRemoteDirs(i.fs, remoteDir);
  // The marker first: a sync cut short still leaves a folder cleanup recognises as ours.
  const marker: RemoteMarker = { version: 1, runId: i.runId, worktree: i.worktree, created: (i.now ?? Date.now)() };
  await i.fs.writeFile(`${remoteDir}/${REMOTE_MARKER}`, Buffer.from(`${JSON.stringify(marker)}\n`));
  // Beside the worktree here: where its copy is, so cleanup removes both.
  await writeFile(remoteRecordPath(i.worktree), `${JSON.stringify({ host: i.host, remoteDir } satisfies RemoteRecord)}\n`);
  const sync = await syncProject({ localRoot: i.worktree, remoteRoot: remoteDir, fs: i.fs, include: i.include, signal: i.signal, onProgress: i.onProgress });
  const toRemote = (p: string) => (p === i.worktree ? remoteDir : p.startsWith(`${i.worktree}${path.sep}`) ? `${remoteDir}/${path.relative(i.worktree, p).split(path.sep).join('/')}` : p);
  const container = await startReproContainer(i.conn, { ref: i.ref, mounts: [remoteDir], deviceIds: i.deviceIds, labels: { [REMOTE_DIR_LABEL]: remoteDir, ...i.labels } });
  const site: RemoteSite = {
    host: i.host,
    localDir: i.worktree,
    remoteDir,
    sync,
    toRemote,
    async bringHome(project, paths, homeDir) {
      const remoteProject = toRemote(project);
      const synced = await syncedFiles(i.fs, remoteDir, remoteProject);
      const got = await fetchResults({ fs: i.fs, remoteDir: remoteProject, paths, localDir: homeDir, synced, record: { cluster: i.host, jobId: path.basename(remoteDir), remoteDir: remoteProject, what: `reproduction of ${i.runId}`, fetchedAt: new Date().toISOString() } });
      for (const rel of got.files) await cp(path.join(homeDir, ...rel.split('/')), path.join(project, ...rel.split('/')), { force: true });
      return got;
    },
  };
  const image = (await containerImage(i.conn, container.id)) ?? { name: i.ref, digest: i.ref };
  return { container, host: i.host, image, site };
}

/**
 * The command's environment on the host: a tracking server is kept (the run continues the
 * run made first there); a local store is out of reach, so the run logs into a file store
 * in its folder, `.mlops-reproduce/mlflow.db` (no MLFLOW_RUN_ID: that run is not in it) and is imported afterwards.
 */
export function remoteRunEnv(env: Readonly<Record<string, string>>, remoteProject: string, uri: string | undefined): Record<string, string> {
  if (!uri || /^https?:/i.test(uri)) return { ...env };
  const rest = Object.fromEntries(Object.entries(env).filter(([k]) => k !== 'MLFLOW_RUN_ID' && k !== 'MLFLOW_EXPERIMENT_ID'));
  return { ...rest, MLFLOW_TRACKING_URI: `sqlite:///${remoteProject}/${REMOTE_STORE}` };
}

/** A synced copy has no `.git`: DVC runs there with `core.no_scm` (the jobs' own setup line). */
export function remoteArgv(argv: readonly string[]): string[] {
  const tool = path.posix.basename(argv[0] ?? '');
  return tool === 'dvc' ? ['sh', '-c', `${DVC_NO_SCM_SETUP} && exec "$@"`, 'sh', ...argv] : [...argv];
}

/** What to bring home from a run's project folder on the host. */
export function homePaths(extra: readonly string[] = []): string[] {
  return [...new Set(['dvclive', 'dvc.lock', REMOTE_STORE, ...extra])];
}

const exists = (p: string) => stat(p).then(() => true, () => false);

/**
 * DVCLive's summary (`dvclive/metrics.json`) as MLflow metric names (nested keys joined by
 * `/`, as DVCLive names them), without its `step`; empty when absent or unreadable.
 */
export async function dvcliveSummary(file: string): Promise<{ metrics: Record<string, number>; step?: number }> {
  let doc: unknown;
  try {
    doc = JSON.parse(await readBoundedText(file, { cap: YAML_JSON_CAP }));
  } catch {
    return { metrics: {} };
  }
  if (!doc || typeof doc !== 'object' || Array.isArray(doc)) return { metrics: {} };
  const metrics: Record<string, number> = {};
  let step: number | undefined;
  let leaves: [string, unknown][] = [];
  try {
    leaves = flattenLeaves(doc, '/');
  } catch {
    return { metrics: {} };
  }
  for (const [k, v] of leaves.slice(0, 1000)) {
    if (typeof v !== 'number' || !Number.isFinite(v)) continue;
    if (k === 'step') step = v;
    else metrics[k] = v;
  }
  return { metrics, step };
}

/**
 * The results brought home onto the run made here: the host's MLflow store (its newest
 * run), else DVCLive's summary. Undefined when neither came back.
 */
export async function importHome(mlflow: Pick<MlflowHelper, 'importResults'>, uri: string, runId: string, homeProject: string): Promise<ImportedResults | undefined> {
  const store = path.join(homeProject, ...REMOTE_STORE.split('/'));
  if (await exists(store)) {
    const got = await mlflow.importResults(uri, runId, { from: `sqlite:///${store.split(path.sep).join('/')}` });
    if (got.runs) return got;
  }
  const live = await dvcliveSummary(path.join(homeProject, 'dvclive', 'metrics.json'));
  if (!Object.keys(live.metrics).length) return undefined;
  return mlflow.importResults(uri, runId, { metrics: live.metrics, step: live.step });
}

