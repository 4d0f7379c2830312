// A shell inside a workspace: `docker exec -it` through the Engine API, on whatever
// connection the host has (local socket, or dial-stdio over SSH). The hijacked stream is
// raw terminal bytes both ways (a TTY exec has no stdout/stderr framing).
import type { Duplex } from 'node:stream';
import type { HostConnection } from './hostConnection';

/** bash when the image has it, else sh (busybox, alpine). */
export const WORKSPACE_SHELL: readonly string[] = ['sh', '-c', 'if command -v bash >/dev/null 2>&1; then exec bash; else exec sh; fi'];

export interface TtySession {
  /** Keystrokes in, terminal output out. */
  stream: Duplex;
  resize(cols: number, rows: number): Promise<void>;
  /** Resolves once the stream has ended, whichever side ended it. */
  ended: Promise<void>;
  /** The command's exit status once the stream has ended (null when the engine cannot say). */
  exitCode(): Promise<number | null>;
  close(): void;
}

export interface TtyOptions {
  argv?: readonly string[];
  cols: number;
  rows: number;
  workingDir?: string;
  env?: Record<string, string>;
}

export async function execTty(conn: Pick<HostConnection, 'docker'>, containerId: string, o: TtyOptions): Promise<TtySession> {
  const docker = conn.docker();
  const exec = await docker.getContainer(containerId).exec({
    Cmd: [...(o.argv ?? WORKSPACE_SHELL)],
    AttachStdin: true,
    AttachStdout: true,
    AttachStderr: true,
    Tty: true,
    Env: Object.entries({ TERM: 'xterm-256color', ...o.env }).map(([k, v]) => `${k}=${v}`),
    ...(o.workingDir ? { WorkingDir: o.workingDir } : {}),
  });
  // The stream itself has no deadline: a terminal is quiet for as long as its user is.
  const streaming = conn.docker({ timeoutMs: 0 }).getExec(exec.id);
  const stream = (await streaming.start({ hijack: true, stdin: true, Tty: true })) as Duplex;
  const resize = async (cols: number, rows: number) => {
    if (cols > 0 && rows > 0) await exec.resize({ w: cols, h: rows });
  };
  // The first size: the engine starts every TTY at 80×24 (ConsoleSize needs API 1.42).
  await resize(o.cols, o.rows).catch(() => undefined);
  const ended = new Promise<void>((resolve) => {
    stream.once('end', resolve);
    stream.once('close', resolve);
    stream.once('error', () => resolve());
  });
  return {
    stream,
    resize,
    ended,
    async exitCode() {
      await ended;
      // The engine records the status a moment after the stream closes.
      for (let i = 0; i < 20; i++) {
        const info = await exec.inspect().catch(() => undefined);
        if (!info) return null;
        if (!info.Running) return info.ExitCode ?? null;
        await new Promise((r) => setTimeout(r, 50));
      }
      return null;
    },
    // ssh2 reports a closed channel only after its end was read: drain what is left.
    close: () => (stream.destroy(), stream.resume()),
  };
}
