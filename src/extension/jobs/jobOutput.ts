// Reading a job's output file on the login node: its size and its last OUTPUT_MAX_BYTES in
// one exec, so a chatty job cannot fill the editor's memory. No `vscode` here: the
// integration test reads a real job's output through exactly this.
import type { ExecOutcome } from '../../core/hosts/gpuProbe';
import type { RemoteExec } from '../../core/jobs/types';
import type { L10n } from './jobsModel';

export const OUTPUT_MAX_BYTES = 4 * 1024 * 1024;

/** The file's size on the first line, then its end (`tail -c`: bounded whatever its size). */
export function outputArgv(path: string, maxBytes = OUTPUT_MAX_BYTES): string[] {
  return ['sh', '-c', 'wc -c < "$1" && tail -c "$2" -- "$1"', 'sh', path, String(maxBytes)];
}

/** The text to show, with a first line saying so when the file was cut; throws when it cannot be read. */
export function outputText(l10n: L10n, path: string, res: ExecOutcome, maxBytes = OUTPUT_MAX_BYTES): string {
  if (res.code !== 0) throw new Error(l10n.t('Could not read {0}: {1}', path, res.stderr.trim() || `exit ${res.code}`));
  const nl = res.stdout.indexOf('\n');
  const size = Number(res.stdout.slice(0, nl).trim());
  const body = res.stdout.slice(nl + 1);
  if (!(size > maxBytes)) return body;
  return `${l10n.t('[the last {0} MB of {1} MB; the whole file is {2} on the cluster]', (maxBytes / 1048576).toFixed(1), (size / 1048576).toFixed(1), path)}\n${body}`;
}

export async function readJobOutput(l10n: L10n, exec: RemoteExec, path: string, maxBytes = OUTPUT_MAX_BYTES): Promise<string> {
  return outputText(l10n, path, await exec(outputArgv(path, maxBytes)), maxBytes);
}

/**
 * Both streams of a job, each bounded as readJobOutput reads it (`mlflow run` names its run on
 * stderr, the command prints to stdout); a stream that cannot be read is left out, both
 * missing throws.
 */
export async function readJobStreams(l10n: L10n, exec: RemoteExec, paths: { stdout?: string; stderr?: string }, maxBytes = OUTPUT_MAX_BYTES): Promise<string> {
  const files = [...new Set([paths.stdout, paths.stderr].filter((p): p is string => !!p))];
  const read = await Promise.allSettled(files.map((p) => readJobOutput(l10n, exec, p, maxBytes)));
  const texts = read.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
  if (!texts.length) {
    const failed = read.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    throw failed ? (failed.reason as Error) : new Error(l10n.t('Slurm does not say where the job writes its output.'));
  }
  return texts.join('\n');
}

/** Bytes read per stream per poll while following; a chatty job is caught up over a few polls. */
export const FOLLOW_CHUNK_BYTES = 256 * 1024;

/**
 * One poll of a followed job, in one exec: the job's state (scontrol; empty once Slurm
 * forgot it), then for stdout and stderr the file's size and the bytes from the offset on
 * (at most `chunk`), each ended by a line with the nonce (a job cannot guess it).
 */
export function followArgv(jobId: string, files: ReadonlyArray<readonly [path: string, offset: number]>, nonce: string, chunk = FOLLOW_CHUNK_BYTES): string[] {
  const script = [
    'j=$1; n=$2; m=$3',
    `printf '%s\\n' "$(scontrol -o show job "$j" 2>/dev/null | sed -n 's/.*JobState=\\([A-Z_]*\\).*/\\1/p' | head -n1)"`,
    'shift 3',
    'while [ $# -ge 2 ]; do',
    '  f=$1; o=$2; shift 2',
    '  s=$(wc -c < "$f" 2>/dev/null) || s=-1',
    '  if [ "$s" -lt "$o" ]; then o=0; fi',
    '  l=$((s - o)); if [ "$l" -gt "$m" ]; then l=$m; fi; if [ "$l" -lt 0 ]; then l=0; fi',
    '  printf "%s %s %s\\n" "$s" "$o" "$l"',
    '  if [ "$l" -gt 0 ]; then tail -c +"$((o + 1))" -- "$f" | head -c "$l"; fi',
    '  printf "\\n%s\\n" "$n"',
    'done',
  ].join('\n');
  return ['sh', '-c', script, 'sh', jobId, nonce, String(chunk), ...files.flatMap(([p, o]) => [p, String(o)])];
}

export interface FollowChunk {
  /** The file's size now; -1 when it cannot be read (not made yet). */
  size: number;
  /** Where this chunk starts: 0 again when the file was truncated. */
  offset: number;
  /** Bytes in `text`. */
  length: number;
  text: string;
}

export interface FollowPoll {
  /** Slurm's word (`RUNNING`, `COMPLETED`), '' once Slurm no longer knows the job. */
  state: string;
  out?: FollowChunk;
  err?: FollowChunk;
}

export function parseFollow(stdout: string, nonce: string): FollowPoll {
  const nl = stdout.indexOf('\n');
  const state = (nl < 0 ? stdout : stdout.slice(0, nl)).trim();
  const rest = nl < 0 ? '' : stdout.slice(nl + 1);
  const parts = rest.split(`\n${nonce}\n`);
  const chunk = (p: string | undefined): FollowChunk | undefined => {
    if (p === undefined) return undefined;
    const m = /^(-?\d+) (\d+) (\d+)\n/.exec(p);
    if (!m) return undefined;
    return { size: Number(m[1]), offset: Number(m[2]), length: Number(m[3]), text: p.slice(m[0].length) };
  };
  return { state, out: chunk(parts[0]), err: chunk(parts[1]) };
}

const ACTIVE_STATES = new Set(['PENDING', 'CONFIGURING', 'RUNNING', 'COMPLETING', 'SUSPENDED', 'REQUEUED', 'RESIZING', 'SIGNALING', 'STAGE_OUT', 'REQUEUE_HOLD', 'REQUEUE_FED']);
/** Still running (or yet to): keep following. */
export const stillRunning = (state: string): boolean => ACTIVE_STATES.has(state);
