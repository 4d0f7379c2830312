// A reproduction on an SSH host's engine. The worktree is made here as for a local one
// (the user's clone is here); then it goes to a folder of its own on the host through the
// jobs' incremental SFTP code sync (with the DVC-tracked data the run read, which
// .gitignore leaves out), a container of the recorded image runs the command there with
// that folder mounted at the same path, and what the run wrote comes home: DVCLive's
// output, dvc.lock, metrics files, and the MLflow store the run logged into on the host.
// A local MLflow store (sqlite, a file store) cannot be reached from the host: the run
// logs into an SQLite store inside its folder there, and its metrics and params are copied
// onto the run made here once they are home. So are the artifacts it logged there (MLflow
// keeps them under the run's cwd, ./mlruns): fetched from the host, capped, then logged onto
// the run here with MLflow's client.
import { cp, stat, writeFile } from 'node:fs/promises';
import * as path from 'node:path';
import { readBoundedText, YAML_JSON_CAP } from '../common/boundedRead';
import { flattenLeaves } from '../common/flatten';
import type { HostConnection } from '../hosts/hostConnection';
import { DVC_NO_SCM_SETUP } from '../jobs/runCommands';
import { makeRemoteDirs, syncProject, type SyncReport } from '../jobs/sync/codeSync';
import { DEFAULT_FETCH_LIMITS, fetchResults, syncedFiles, type FetchLimits, type FetchReport } from '../jobs/sync/fetchResults';
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
  /** Copies `rel` (a folder relative to `remoteDir`) into `localDir` under the same relative path, within `limits`; nothing is copied over the worktree. */
  fetchTo(rel: string, localDir: string, limits: FetchLimits): Promise<FetchReport>;
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
    fetchTo(rel, localDir, limits) {
      return fetchResults({ fs: i.fs, remoteDir, paths: [rel], localDir, limits, record: { cluster: i.host, jobId: path.basename(remoteDir), remoteDir, what: `artifacts of the reproduction of ${i.runId}`, fetchedAt: new Date().toISOString() } });
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


/** How much of a reproduction's artifacts comes home from a host; the rest stays there, named in the report. */
export const ARTIFACT_LIMITS: FetchLimits = { ...DEFAULT_FETCH_LIMITS, maxBytes: 512 * 1024 * 1024 };

/** The host path of a local artifact location (`file:` URI or a plain absolute path); undefined for s3:, http:, mlflow-artifacts: and the like. */
export function hostArtifactPath(artifactUri: string): string | undefined {
  let p: string;
  if (artifactUri.startsWith('/')) p = artifactUri;
  else if (/^file:/i.test(artifactUri)) {
    try {
      p = decodeURIComponent(new URL(artifactUri).pathname);
    } catch {
      return undefined;
    }
  } else return undefined;
  return path.posix.normalize(p).replace(/\/+$/, '');
}

export interface ArtifactsHome {
  /** Files logged onto the run here. */
  logged: number;
  bytes: number;
  /** Left on the host: past the cap, or not regular files. */
  skipped: string[];
  /** Why none came home although the run has an artifact location (outside our folder, not a local path). */
  leftThere?: string;
}

/**
 * The artifacts the run logged on the host (its store's `artifactUri`), brought home and
 * logged onto `runId` with MLflow's client. Only a folder inside the reproduction's own
 * folder there is read: the location comes from a store the run wrote, so it is not trusted
 * to name anything else on the host.
 */
export async function artifactsHome(
  site: Pick<RemoteSite, 'host' | 'remoteDir' | 'fetchTo'>,
  mlflow: Pick<MlflowHelper, 'logArtifacts'>,
  uri: string,
  runId: string,
  artifactUri: string,
  localDir: string,
  limits: FetchLimits = ARTIFACT_LIMITS,
): Promise<ArtifactsHome> {
  const at = hostArtifactPath(artifactUri);
  if (!at) return { logged: 0, bytes: 0, skipped: [], leftThere: `the run's artifacts on ${site.host} are at ${artifactUri}, not a folder there; they were not brought home` };
  const base = site.remoteDir.replace(/\/+$/, '');
  if (!at.startsWith(`${base}/`)) return { logged: 0, bytes: 0, skipped: [], leftThere: `the run's artifacts on ${site.host} are at ${at}, outside the reproduction's folder; they were left there` };
  const rel = at.slice(base.length + 1);
  const got = await site.fetchTo(rel, localDir, limits);
  const folder = path.join(localDir, ...rel.split('/'));
  if (got.files.length && (await exists(folder))) await mlflow.logArtifacts(uri, runId, folder);
  return { logged: got.files.length, bytes: got.bytes, skipped: got.skipped };
}
