// A run's star and note. MLflow keeps both as tags, so the MLflow UI and
// `mlflow.search_runs` see them too: the note in `mlflow.note.content` (the MLflow UI's own
// note tag), the star in `mlops.starred`. They are written the way MLflow itself writes:
// over a tracking server's REST API, and into mlflow.db or mlruns/ by MLflow's own client
// in a child Python (argv array, no shell) — never by writing the store's files ourselves.
// DVC, DVCLive and TensorBoard keep nowhere for them: the extension keeps those (MarkStore).
import { spawn } from 'node:child_process';
import { MlflowRestError, type MlflowRestClient } from './mlflow/mlflowRestClient';
import type { RunSummary } from './types';

export const STAR_TAG = 'mlops.starred';
export const NOTE_TAG = 'mlflow.note.content';

/** A tag to set (`value`) or to delete (`value` undefined). */
export interface TagChange {
  key: string;
  value?: string;
}

export interface RunMark {
  starred: boolean;
  note?: string;
}

/** What MLflow's tags say of a run. */
export function mlflowMark(run: Pick<RunSummary, 'tags'>): RunMark {
  const note = run.tags[NOTE_TAG];
  return { starred: run.tags[STAR_TAG] === 'true', note: note ? note : undefined };
}

/** A mark as the tags an MLflow run would carry (for searching runs of stores without tags); undefined when unmarked. */
export function markTags(mark: RunMark): Record<string, string> | undefined {
  if (!mark.starred && mark.note === undefined) return undefined;
  const tags: Record<string, string> = {};
  if (mark.starred) tags[STAR_TAG] = 'true';
  if (mark.note !== undefined) tags[NOTE_TAG] = mark.note;
  return tags;
}

/** The tag change behind a star, an unstar, or a note (an empty note deletes the tag). */
export function starChange(starred: boolean): TagChange {
  return starred ? { key: STAR_TAG, value: 'true' } : { key: STAR_TAG };
}
export function noteChange(note: string): TagChange {
  return note.trim() ? { key: NOTE_TAG, value: note } : { key: NOTE_TAG };
}

/** Over a tracking server: runs/set-tag or runs/delete-tag; deleting a tag already gone is no error (unstar twice). */
export async function setRunTagRest(client: MlflowRestClient, runId: string, change: TagChange, signal?: AbortSignal): Promise<void> {
  if (change.value !== undefined) {
    await client.post('api/2.0/mlflow/runs/set-tag', { run_id: runId, key: change.key, value: change.value }, signal);
    return;
  }
  try {
    await client.post('api/2.0/mlflow/runs/delete-tag', { run_id: runId, key: change.key }, signal);
  } catch (err) {
    const gone = err instanceof MlflowRestError && err.errorCode === 'RESOURCE_DOES_NOT_EXIST' && /No tag with name/.test(err.serverMessage ?? '');
    if (!gone) throw err;
  }
}

// MLflow's client does the writes, in order; a tag already gone is no error (unstar twice).
// argv after the script: URI RUN_ID, then `set KEY VALUE` or `del KEY` for each change.
const TAG_SCRIPT = `
import sys
from mlflow.exceptions import MlflowException
from mlflow.tracking import MlflowClient
uri, run_id, rest = sys.argv[1], sys.argv[2], sys.argv[3:]
client = MlflowClient(tracking_uri=uri)
i = 0
while i < len(rest):
    if rest[i] == "set":
        client.set_tag(run_id, rest[i + 1], rest[i + 2])
        i += 3
    else:
        try:
            client.delete_tag(run_id, rest[i + 1])
        except MlflowException as e:
            if "No tag with name" not in e.message:
                raise
        i += 2
`;

/** The child process that sets or deletes tags with MLflow's client (`python -c`, argv only). */
export function mlflowTagArgv(python: string, trackingUri: string, runId: string, changes: readonly TagChange[]): string[] {
  const ops = changes.flatMap((c) => (c.value !== undefined ? ['set', c.key, c.value] : ['del', c.key]));
  return [python, '-c', TAG_SCRIPT, trackingUri, runId, ...ops];
}

/** The tracking URI MLflow's client opens a store found in the workspace by. */
export function localTrackingUri(kind: 'mlflow-sqlite' | 'mlflow-file', location: string): string {
  // sqlite:/// + an absolute path gives four slashes on POSIX, as MLflow expects.
  return kind === 'mlflow-sqlite' ? `sqlite:///${location}` : `file://${location.startsWith('/') ? '' : '/'}${location.replace(/\\/g, '/')}`;
}

/**
 * Runs MLflow's client to set or delete tags in a local store (one Python start for all:
 * importing mlflow takes seconds); rejects with MLflow's last error lines.
 */
export function setRunTagsLocal(python: string, trackingUri: string, runId: string, changes: readonly TagChange[], signal?: AbortSignal): Promise<void> {
  const [exe, ...args] = mlflowTagArgv(python, trackingUri, runId, changes);
  const what = changes.map((c) => `${c.value !== undefined ? 'set' : 'delete'} tag ${c.key}`).join(', ');
  return new Promise((resolve, reject) => {
    // The store is the user's own: a file store is one MLflow 3 asks to opt in to.
    const env = { ...process.env, MLFLOW_ALLOW_FILE_STORE: 'true', MLFLOW_DISABLE_TELEMETRY: 'true', DO_NOT_TRACK: 'true' };
    const child = spawn(exe, args, { env, stdio: ['ignore', 'ignore', 'pipe'], signal, timeout: 120_000 });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => {
      // The last lines say why; a long traceback is cut from the front.
      stderr = (stderr + d.toString()).slice(-8000);
    });
    child.on('error', (err) => reject(new Error(`cannot run ${exe}: ${err.message}`)));
    child.on('close', (code, sig) => {
      if (code === 0) return resolve();
      const why = stderr.trim().split('\n').filter((l) => l.trim()).slice(-3).join('\n');
      reject(new Error(`MLflow's client could not ${what} on run ${runId} (${sig ?? `exit ${code}`}): ${why || 'no output'}`));
    });
  });
}

/** Where stars and notes of runs in stores without tags live: one JSON object, kept by the caller (workspace state). */
export type LocalMarks = Record<string, RunMark>;

export const localMarkKey = (sourceId: string, runId: string): string => `${sourceId}\u0000${runId}`;

/** The marks after one change; a run with neither star nor note is dropped, so the object does not grow forever. */
export function updateLocalMarks(marks: LocalMarks, key: string, change: Partial<RunMark>): LocalMarks {
  const next = { ...marks };
  const merged: RunMark = { ...next[key], ...change, starred: change.starred ?? next[key]?.starred ?? false };
  if (merged.note !== undefined && !merged.note.trim()) delete merged.note;
  if (!merged.starred && merged.note === undefined) delete next[key];
  else next[key] = merged;
  return next;
}
