// One launch's provenance, from start to end: the single place every launcher goes
// through. Only what the process needs before it starts is awaited (the MLflow run it
// will continue, the experiment refs to tell its DVC commit later, and the untracked files
// the patch will carry); everything else
// is captured concurrently while it runs and stored as soon as it is known.
import { allowListedEnv } from './envAllowList';
import { captureGitHead, captureGpu, captureLockData, capturePatch, capturePythonCached, listUntracked, readLockedStages, venvStamp, type LockedStages, type ReadText, type UntrackedFiles } from './capture';
import { expRefs, newExpCommits, writeNote } from './gitNote';
import type { CreatedRun, MlflowHelper } from './mlflowHelper';
import { FREEZE_ARTIFACT, PATCH_ARTIFACT, RECORD_ARTIFACT, REPRODUCED_FROM_TAG, endTags, provenanceTags, sourceTags } from './mlflowTags';
import type { Runner } from './runner';
import type { Captured, Provenance } from './types';
import { UNKNOWN } from './types';

export type MlflowWriter = Pick<MlflowHelper, 'createRun' | 'setTags' | 'logText' | 'endRun'>;

export interface LaunchInput {
  launcher: Provenance['launcher'];
  /** The project folder on this machine (the dvc.yaml's or MLproject's). */
  cwd: string;
  command: string[];
  /** The stages run; none: every stage in dvc.lock. */
  stages?: string[];
  /** Runs git here, on this machine. */
  local: Runner;
  /** Runs nvidia-smi and Python where the run executes (here, or in its container). */
  remote: Runner;
  /** The interpreter of the run's environment, as `remote` finds it. */
  python: string;
  /** The folder `remote` runs Python in (the project's folder inside a container). */
  remoteCwd?: string;
  host: string;
  image?: { name: string; digest: string };
  env: Readonly<Record<string, string | undefined>>;
  readText: ReadText;
  mlflow?: {
    writer: MlflowWriter;
    uri: string;
    experiment: string;
    /** Use this experiment (a reproduction goes where its original is). */
    experimentId?: string;
    sourceName: string;
    runName?: string;
    reproducedFrom?: string;
  };
  now?: () => number;
}

export interface FinishResult {
  runId?: string;
  /** Experiment commits that got a note. */
  noted: string[];
  /** Pieces that could not be stored, in words (the launch itself went on). */
  problems: string[];
}

export interface LaunchSession {
  /** For the process: MLFLOW_RUN_ID (and the experiment) when an MLflow run was made first. */
  env: Record<string, string>;
  mlflowRun?: CreatedRun;
  /** What went wrong before the process started (it starts anyway). */
  problems: string[];
  /** The capture, complete; rejects never (pieces that fail read "unknown"). */
  captured: Promise<Captured>;
  /** Records exit status and timing, refreshes data/params from dvc.lock, writes the git note. */
  finish(exitCode: number | undefined): Promise<FinishResult>;
}

async function captureAll(i: LaunchInput, start: number, untracked: Promise<UntrackedFiles>, locked: Promise<LockedStages>): Promise<Captured> {
  const [head, patch, gpu, py, lock] = await Promise.all([
    captureGitHead(i.local, i.cwd),
    capturePatch(i.local, i.cwd, undefined, untracked),
    captureGpu(i.remote).catch(() => ({ model: UNKNOWN, driver: UNKNOWN, cuda: UNKNOWN })),
    // A stamp of the environment only where the run executes here (its folders are on this disk).
    (i.remote === i.local ? venvStamp(i.python) : Promise.resolve(undefined))
      .then((stamp) => capturePythonCached(i.remote, i.python, i.remoteCwd, stamp))
      .catch(() => ({ python: UNKNOWN, pipFreeze: '' })),
    locked.then((l) => captureLockData(i.readText, i.stages, l)).catch(() => ({ data: { deps: {}, dvcFiles: {} }, params: {} })),
  ]);
  const { patch: text, ...code } = patch;
  const provenance: Provenance = {
    version: 1,
    launcher: i.launcher,
    ...(i.stages?.length ? { stages: i.stages } : {}),
    code: { ...head, ...code },
    params: lock.params,
    data: lock.data,
    environment: {
      ...(i.image ? { image: i.image } : {}),
      host: i.host,
      gpu,
      python: py.python,
      packages: py.pipFreeze.split('\n').filter((l) => l.trim()).length,
      command: i.command,
      env: allowListedEnv(i.env),
    },
    timing: { start },
  };
  return { provenance, patch: text, pipFreeze: py.pipFreeze };
}

export async function beginLaunch(i: LaunchInput): Promise<LaunchSession> {
  const now = i.now ?? Date.now;
  const start = now();
  const problems: string[] = [];
  const refsBefore = i.launcher === 'dvc-exp' ? expRefs(i.local, i.cwd) : undefined;
  // dvc.lock as the launch finds it, read and parsed once: the untracked files' DVC-output
  // filter and the data part both use it (finish reads it again, as the run left it).
  const lock = readLockedStages(i.readText);
  // The untracked files are listed before the process starts (beside the MLflow run's
  // creation): what the run writes itself (dvc.lock, metrics) is not the user's change.
  const untracked = listUntracked(i.local, i.cwd, lock);
  let created: CreatedRun | undefined;
  const env: Record<string, string> = {};
  const m = i.mlflow;
  // On the critical path only the run made first: the git facts and the rest follow with
  // the capture, which starts after it so that its processes do not slow it down.
  if (m) {
    const tags: Record<string, string> = { ...sourceTags({ sourceName: m.sourceName, sourceType: i.launcher === 'mlflow-run' ? 'PROJECT' : 'LOCAL' }), 'mlops.launcher': i.launcher, 'mlops.startTime': String(start) };
    if (m.reproducedFrom) tags[REPRODUCED_FROM_TAG] = m.reproducedFrom;
    // `mlflow run` names the entry point only on runs it makes itself: this one is ours.
    const project = i.launcher === 'mlflow-run' ? entryPointOf(i.command) : undefined;
    if (project) tags['mlflow.project.entryPoint'] = project.entryPoint;
    try {
      created = await m.writer.createRun(m.uri, { experiment: m.experiment, experimentId: m.experimentId, tags, runName: m.runName, cwd: i.cwd, ...(project ? { project } : {}) });
      if (created.problem) problems.push(created.problem);
      Object.assign(env, { MLFLOW_RUN_ID: created.runId, MLFLOW_TRACKING_URI: m.uri, MLFLOW_EXPERIMENT_ID: created.experimentId });
    } catch (err) {
      problems.push(`no MLflow run was made first (${err instanceof Error ? err.message : String(err)}); the run is not linked to its provenance`);
    }
  }
  const captured = captureAll(i, start, untracked, lock);
  const runId = created?.runId;
  // Tags and artifacts as soon as the capture is in; finish waits for this.
  const stored =
    m && runId
      ? captured.then(async (c) => {
          const writes: Array<Promise<unknown>> = [m.writer.setTags(m.uri, runId, provenanceTags(c, m.sourceName))];
          if (c.patch) writes.push(m.writer.logText(m.uri, runId, PATCH_ARTIFACT, c.patch));
          if (c.pipFreeze) writes.push(m.writer.logText(m.uri, runId, FREEZE_ARTIFACT, c.pipFreeze));
          const results = await Promise.allSettled(writes);
          for (const r of results) if (r.status === 'rejected') problems.push(`storing provenance in MLflow: ${String(r.reason instanceof Error ? r.reason.message : r.reason)}`);
        })
      : captured.then(() => undefined);
  await refsBefore?.catch(() => undefined);
  await untracked.catch(() => undefined);

  return {
    env,
    mlflowRun: created,
    problems: [...problems],
    captured,
    async finish(exitCode) {
      const c = await captured;
      await stored;
      const end = now();
      c.provenance.timing = { start, end, exitCode };
      // dvc.lock after a good run holds the hashes and params the run used.
      if (exitCode === 0) {
        const lock = await captureLockData(i.readText, i.stages).catch(() => undefined);
        if (lock) Object.assign(c.provenance, { data: lock.data, params: lock.params });
      }
      const noted: string[] = [];
      if (m && runId) {
        try {
          await m.writer.setTags(m.uri, runId, { ...endTags({ end, exitCode }), ...pick(provenanceTags(c, m.sourceName), ['mlops.data', 'mlops.params']) });
          await m.writer.logText(m.uri, runId, RECORD_ARTIFACT, `${JSON.stringify(c.provenance, null, 1)}\n`);
          await m.writer.endRun(m.uri, runId, exitCode === 0 ? 'FINISHED' : exitCode === 130 ? 'KILLED' : 'FAILED');
        } catch (err) {
          problems.push(`recording the end in MLflow: ${err instanceof Error ? err.message : String(err)}`);
        }
      }
      if (refsBefore) {
        const before = await refsBefore.catch(() => new Map<string, string>());
        const commits = newExpCommits(before, await expRefs(i.local, i.cwd));
        for (const commit of commits) {
          try {
            await writeNote(i.local, i.cwd, commit, c.provenance);
            noted.push(commit);
          } catch (err) {
            problems.push(`git note on ${commit.slice(0, 7)}: ${err instanceof Error ? err.message : String(err)}`);
          }
        }
      }
      return { runId, noted, problems };
    },
  };
}

function pick(o: Record<string, string>, keys: string[]): Record<string, string> {
  return Object.fromEntries(keys.filter((k) => k in o).map((k) => [k, o[k]]));
}

/**
 * The argv to start, given the recorded command and the session: `mlflow run` continues
 * the pre-created run through its own `--run-id` (it does not read MLFLOW_RUN_ID).
 */
export function launchArgv(command: readonly string[], sessionEnv: Readonly<Record<string, string>>): string[] {
  const tool = command[0]?.split(/[\\/]/).pop()?.replace(/\.exe$/i, '');
  if (tool === 'mlflow' && command[1] === 'run' && sessionEnv.MLFLOW_RUN_ID) return [...command, '--run-id', sessionEnv.MLFLOW_RUN_ID];
  return [...command];
}

/**
 * The entry point (`-e`, MLflow's default `main`) and the `-P k=v` values of an
 * `mlflow run` argv: `mlflow run --run-id` logs no params, so the run made first logs them.
 */
export function entryPointOf(command: readonly string[]): { entryPoint: string; parameters: Record<string, string> } | undefined {
  if (command[1] !== 'run') return undefined;
  let entryPoint = 'main';
  const parameters: Record<string, string> = {};
  for (let i = 2; i < command.length; i++) {
    const a = command[i];
    if ((a === '-e' || a === '--entry-point') && i + 1 < command.length) entryPoint = command[++i];
    else if ((a === '-P' || a === '--param-list') && i + 1 < command.length) {
      const kv = command[++i];
      const eq = kv.indexOf('=');
      if (eq > 0) parameters[kv.slice(0, eq)] = kv.slice(eq + 1);
    }
  }
  return { entryPoint, parameters };
}
