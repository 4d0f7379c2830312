// "Start TensorBoard here": TensorBoard run inside a workspace on a log folder there,
// detached (it outlives the exec), listening on all of the container's addresses so the
// published port reaches it. Its output goes to a file inside, for when it fails.
import type { HostConnection } from './hostConnection';
import { containerRunner } from '../provenance/containerRunner';

export function tensorboardArgv(logdir: string, port: number): string[] {
  return ['tensorboard', '--logdir', logdir, '--host', '0.0.0.0', '--port', String(port)];
}

/** Where its output goes inside the container. */
export const tensorboardLogFile = (port: number) => `/tmp/mlops-tensorboard-${port}.log`;

const tensorboardPidFile = (port: number) => `/tmp/mlops-tensorboard-${port}.pid`;

export type TensorBoardStart = { ok: true; logFile: string } | { ok: false; reason: 'missing' | 'no-logdir' | 'failed'; detail: string };

/**
 * Checks that the image has `tensorboard` and the folder exists, then starts it detached.
 * Returns at once: the caller waits for the port (the forward) to answer.
 */
export async function startTensorBoard(conn: Pick<HostConnection, 'docker'>, containerId: string, o: { logdir: string; port: number }): Promise<TensorBoardStart> {
  const run = containerRunner(conn, containerId);
  const check = await run(['sh', '-c', 'command -v tensorboard >/dev/null 2>&1 || exit 3; test -d "$1" || exit 4', 'sh', o.logdir], { timeoutMs: 15000 });
  if (check.code === 3) return { ok: false, reason: 'missing', detail: 'the image has no `tensorboard` command' };
  if (check.code === 4) return { ok: false, reason: 'no-logdir', detail: `${o.logdir} is not a folder inside the workspace` };
  if (check.code !== 0) return { ok: false, reason: 'failed', detail: check.stderr.trim() || `the check exited with ${check.code}` };
  const logFile = tensorboardLogFile(o.port);
  // A TensorBoard we started on this port before (its pid in our file) is stopped first, so
  // the new folder gets the port; nobody else's process is touched. `exec` keeps the pid.
  const script = [
    'log="$1"; pidf="$2"; shift 2',
    'old=$(cat "$pidf" 2>/dev/null)',
    'if [ -n "$old" ] && kill "$old" 2>/dev/null; then i=0; while kill -0 "$old" 2>/dev/null && [ $i -lt 20 ]; do sleep 1; i=$((i+1)); done; fi',
    'echo $$ >"$pidf"',
    'exec "$@" >"$log" 2>&1',
  ].join('\n');
  // The argv travels as arguments of sh, never inside the script text.
  const exec = await conn.docker().getContainer(containerId).exec({
    Cmd: ['sh', '-c', script, 'sh', logFile, tensorboardPidFile(o.port), ...tensorboardArgv(o.logdir, o.port)],
    AttachStdout: false,
    AttachStderr: false,
    Tty: false,
  });
  await exec.start({ Detach: true });
  return { ok: true, logFile };
}

/** The last lines TensorBoard wrote, for a start that never answered. */
export async function tensorboardOutput(conn: Pick<HostConnection, 'docker'>, containerId: string, port: number): Promise<string> {
  const r = await containerRunner(conn, containerId)(['tail', '-n', '20', tensorboardLogFile(port)], { timeoutMs: 10000, maxBytes: 64 * 1024 });
  return r.stdout.trim();
}
