// The local half of a cluster job's provenance, captured at submit by the launch capture
// (session.ts) of the tree code sync copies; the environment is measured on the node
// (jobScript.ts) and joined when the results come home (jobProvenance.ts).
import { projectReader } from './capture';
import type { Runner } from './runner';
import { beginLaunch } from './session';
import type { Captured, Provenance } from './types';
import { UNKNOWN } from './types';

/** The environment is not measured here: every probe answers "not found" (read as unknown). */
const notHere: Runner = () => Promise.resolve({ code: 127, stdout: '', stderr: 'measured on the node' });

/** What the argv launches, in the record's words. */
export function launcherOf(command: readonly string[]): Provenance['launcher'] {
  const tool = command[0]?.split(/[\\/]/).pop();
  if (tool === 'mlflow') return 'mlflow-run';
  return tool === 'dvc' && command[1] === 'exp' ? 'dvc-exp' : 'dvc-repro';
}

/**
 * The local half at submit: the launch capture (commit, branch, remote, patch, params and
 * data from dvc.lock, allow-listed env) of the tree code sync copies; no MLflow run, no note.
 */
export async function captureSubmitPart(i: { cwd: string; command: readonly string[]; stages?: string[]; local: Runner; env: Readonly<Record<string, string | undefined>> }): Promise<Captured> {
  const session = await beginLaunch({
    launcher: launcherOf(i.command),
    cwd: i.cwd,
    command: [...i.command],
    ...(i.stages?.length ? { stages: i.stages } : {}),
    local: i.local,
    remote: notHere,
    python: 'python',
    host: UNKNOWN,
    env: i.env,
    readText: projectReader(i.cwd),
  });
  return session.captured;
}

