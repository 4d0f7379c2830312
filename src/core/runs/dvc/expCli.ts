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
  /** stdout as it comes, unsplit. */
  onStdout?(chunk: string): void;
  /** Added to dvc's environment. */
  env?: Record<string, string>;
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
    return await runDvc(dvc, args, { cwd, signal: options.signal, onLine: options.onLine, onStdout: options.onStdout, env: options.env, detaches: args[0] === 'queue' && args[1] === 'start' });
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

export interface FollowOptions {
  signal?: AbortSignal;
  /** The log as it grows (DVC's own "Following logs ..." line left out). */
  onOutput(chunk: string): void;
  /** Whether the run's process is gone without an exit status (dvcExpActive.ts, runState); asked every `pollMs`. */
  died(): Promise<boolean>;
  pollMs?: number;
  /** How long the run must be seen dead before following stops. */
  graceMs?: number;
}

/** `ended`: the run finished and dvc stopped following by itself; `gone`: the run's process died without an exit status, and we stopped. */
export type FollowEnd = 'ended' | 'gone';

// dvc's first line when following ("... Use Ctrl+C to stop following logs ...", then a blank
// line): about its terminal, not ours. What follows is the log file as it grows.
const FOLLOW_HEADER = /^Following logs for experiment /;

/**
 * `dvc queue logs -f <task>`: the log of a running queued experiment, as it is written,
 * until the run ends. DVC follows until the run's exit status is recorded, which never
 * happens when its worker dies with it (dvcExpActive.ts, `died`): `died()` is watched, and
 * once the run is seen dead for `graceMs` following stops and the log is read once more for
 * its last lines. (Not "no longer running": DVC marks a run done before its process has
 * committed the experiment, printed its last lines and exited.) Cancelling (the signal) stops dvc (Ctrl-C's signal: the run goes on) and
 * rejects with a Cancelled error.
 */
export async function followQueueLog(dvc: string, cwd: string, task: string, o: FollowOptions): Promise<{ text: string; end: FollowEnd }> {
  const stop = new AbortController();
  const onAbort = () => stop.abort();
  if (o.signal?.aborted) stop.abort();
  o.signal?.addEventListener('abort', onAbort, { once: true });
  let text = '';
  let head: string | undefined = '';
  const emit = (chunk: string) => {
    if (head !== undefined) {
      head += chunk;
      const nl = head.indexOf('\n');
      // The header is printed with a line break of its own and one more: wait for what follows it.
      if ((nl < 0 || nl === head.length - 1) && head.length < 4096) return;
      chunk = nl >= 0 && FOLLOW_HEADER.test(head) ? head.slice(head[nl + 1] === '\n' ? nl + 2 : nl + 1) : head;
      head = undefined;
    }
    if (!chunk) return;
    text += chunk;
    o.onOutput(chunk);
  };
  // What came before the first line break, at the end: the header alone is dropped.
  const flushHead = () => {
    const h = head;
    head = undefined;
    if (h && !FOLLOW_HEADER.test(h)) emit(h);
  };
  let gone = false;
  let goneSince: number | undefined;
  let asking = false;
  const poll = setInterval(() => {
    if (asking) return;
    asking = true;
    o.died()
      .catch(() => false)
      .then((dead) => {
        if (!dead) goneSince = undefined;
        else if (Date.now() - (goneSince ??= Date.now()) >= (o.graceMs ?? 3000)) {
          gone = true;
          stop.abort();
        }
      })
      .finally(() => (asking = false));
  }, o.pollMs ?? 1000);
  try {
    // Unbuffered: dvc is Python, and its stdout is our pipe.
    await runExpCommand(dvc, cwd, queueLogsArgs(task, { follow: true }), { signal: stop.signal, onStdout: emit, env: { PYTHONUNBUFFERED: '1' } });
    flushHead();
    return { text, end: 'ended' };
  } catch (err) {
    if (!gone || o.signal?.aborted) throw err;
    const all = await queueLogs(dvc, cwd, task).catch(() => undefined);
    flushHead();
    if (all !== undefined && all.startsWith(text)) emit(all.slice(text.length));
    return { text, end: 'gone' };
  } finally {
    clearInterval(poll);
    o.signal?.removeEventListener('abort', onAbort);
  }
}

/** `dvc exp list --name-only <remote>`: the experiment names a git remote holds. */
export async function remoteExperiments(dvc: string, cwd: string, remote: string, options: ExpCliOptions = {}): Promise<string[]> {
  const { stdout } = await runExpCommand(dvc, cwd, listRemoteArgs(remote), options);
  return [...new Set(stdout.split(/\r?\n/).map((l) => l.trim()).filter((l) => l && !l.endsWith(':')))];
}
