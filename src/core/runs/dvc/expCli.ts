// Running the lifecycle commands of expLifecycle.ts: through the one DVC runner
// (core/data/dvcCli.ts: argv, cancellable with Ctrl-C's signal, DVC's own message on
// failure), with the next step a failure of each command calls for. The editor commands
// and the integration tests both come through here, so what the tests reach is what the
// user reaches.
import { ActionableError, errorMessage } from '../../common/errors';
import { runDvc } from '../../data/dvcCli';
import { listRemoteArgs, queueLogsArgs } from './expLifecycle';

export interface ExpCliOptions {
  signal?: AbortSignal;
  onLine?(line: string): void;
}

const NEXT_STEP: Record<string, string> = {
  'exp run': 'Fix what DVC reports (a param that params.yaml lacks, a stage that fails), then queue or run it again.',
  'exp apply': 'Commit or stash your workspace changes if DVC refused to overwrite them, then apply again.',
  'exp branch': 'Pick a branch name that does not exist yet (git branch --list shows them).',
  'exp rename': 'Pick a name no other experiment of this baseline has.',
  'exp remove': 'Refresh the Runs view: the experiment may be gone already.',
  'exp push': 'Check the git remote (git remote -v) and that you may push to it; DVC-tracked outputs also need a DVC remote (dvc remote list).',
  'exp pull': 'Check the git remote (git remote -v) and that it holds the experiment (dvc exp list <remote>).',
  'exp list': 'Check the git remote (git remote -v) and that you can fetch from it.',
  'queue start': 'See the log of a queued experiment (Show Experiment Log) or run "dvc queue status" in a terminal.',
  'queue stop': 'Run "dvc queue status" in a terminal to see the workers.',
  'queue kill': 'The experiment may have ended already: refresh the Runs view.',
  'queue logs': 'Only experiments run from the queue have logs; one still queued has none yet (start the queue workers).',
};

/** Runs `dvc <args>` in `cwd`; a failure becomes DVC's message and what to do next. */
export async function runExpCommand(dvc: string, cwd: string, args: string[], options: ExpCliOptions = {}): Promise<{ stdout: string; stderr: string }> {
  try {
    // `dvc queue start` leaves its workers running with our pipes.
    return await runDvc(dvc, args, { cwd, signal: options.signal, onLine: options.onLine, detaches: args[0] === 'queue' && args[1] === 'start' });
  } catch (err) {
    if (options.signal?.aborted) {
      const e = new Error(`dvc ${args.slice(0, 2).join(' ')} was cancelled`);
      e.name = 'Cancelled';
      throw e;
    }
    throw new ActionableError(errorMessage(err), NEXT_STEP[args.slice(0, 2).join(' ')] ?? 'Run the same command in a terminal for details.');
  }
}

/** `dvc queue logs <task>`: the output of a queued experiment (for a failed one, where its error is). */
export async function queueLogs(dvc: string, cwd: string, task: string, options: ExpCliOptions = {}): Promise<string> {
  return (await runExpCommand(dvc, cwd, queueLogsArgs(task), options)).stdout;
}

/** `dvc exp list --name-only <remote>`: the experiment names a git remote holds. */
export async function remoteExperiments(dvc: string, cwd: string, remote: string, options: ExpCliOptions = {}): Promise<string[]> {
  const { stdout } = await runExpCommand(dvc, cwd, listRemoteArgs(remote), options);
  return [...new Set(stdout.split(/\r?\n/).map((l) => l.trim()).filter((l) => l && !l.endsWith(':')))];
}
