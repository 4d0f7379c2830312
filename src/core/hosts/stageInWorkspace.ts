// Running a pipeline stage inside a workspace container: where the stage's folder is seen
// from inside the container (from the container's own mounts), the argv that runs there,
// and the run itself over the host's connection (local socket or SSH), streamed through a
// TTY so that Ctrl-C reaches the process like in a terminal.
import * as posix from 'node:path/posix';
import type { HostConnection } from './hostConnection';
import { execTty, type TtySession } from './workspaceExec';

/** What `docker inspect` says of a mount; only these two fields matter here. */
export interface MountLike {
  Source?: string;
  Destination?: string;
}

/**
 * The path inside the container of `hostPath` (a path on the engine's host), through the
 * mount whose source covers it most closely; undefined when no mount covers it.
 */
export function containerPathFor(hostPath: string, mounts: readonly MountLike[]): string | undefined {
  const want = trimSlash(posix.normalize(hostPath));
  let best: { source: string; dest: string } | undefined;
  for (const m of mounts) {
    if (!m.Source || !m.Destination) continue;
    const source = trimSlash(posix.normalize(m.Source));
    const covers = want === source || want.startsWith(source === '/' ? '/' : `${source}/`);
    if (covers && (!best || source.length > best.source.length)) best = { source, dest: m.Destination };
  }
  if (!best) return undefined;
  const rest = posix.relative(best.source, want);
  return rest ? posix.join(best.dest, rest) : trimSlash(best.dest);
}

function trimSlash(p: string): string {
  return p.length > 1 ? p.replace(/\/+$/, '') : p;
}

/**
 * Where the stage's folder lies on the engine's host. Locally that is the folder itself;
 * on an SSH host it is the project's remote copy (the host's `remoteProjectPath`) plus the
 * folder's path inside the project. Undefined when the SSH host has no remote path set.
 */
export function hostPathOfFolder(o: { kind: 'local' | 'ssh'; localFolder: string; projectRoot?: string; remoteProjectPath?: string }): string | undefined {
  if (o.kind === 'local') return o.localFolder;
  if (!o.remoteProjectPath) return undefined;
  const rel = o.projectRoot ? posix.relative(toPosix(o.projectRoot), toPosix(o.localFolder)) : '';
  if (rel.startsWith('..')) return undefined;
  return rel ? posix.join(o.remoteProjectPath, rel) : o.remoteProjectPath;
}

function toPosix(p: string): string {
  return p.replace(/\\/g, '/');
}

/** `cd DIR && exec ARGV...` without building a shell string: DIR and ARGV travel as arguments. */
export function inDirArgv(dir: string, argv: readonly string[]): string[] {
  if (!argv.length) throw new Error('nothing to run');
  return ['sh', '-c', 'cd "$1" || exit 2; shift; exec "$@"', 'sh', dir, ...argv];
}

/** `dvc repro <stage>`: the stage and what it depends on, as the issue asks. */
export function stageReproArgv(stage: string): string[] {
  return ['dvc', 'repro', stage];
}

/** Why a run in a workspace failed, in words with a next step; undefined for a plain failure. */
export function explainExit(code: number | null, tool: string, workspace: string): string | undefined {
  if (code === 127) return `${tool} is not installed in ${workspace} (the shell could not find it). Install ${tool} in the workspace's image (e.g. pip install ${tool}), then launch the workspace again.`;
  if (code === 2) return undefined; // a missing folder says so itself (sh: cd: can't cd to ...)
  if (code === null) return `The connection to ${workspace} ended before the run reported its exit status.`;
  return undefined;
}

export interface ContainerRun {
  /** The exit status, null when the engine could not say (the connection dropped). */
  done: Promise<number | null>;
  resize(cols: number, rows: number): void;
  /** Keystrokes for the process (a prompt, or Ctrl-C typed in the terminal). */
  input(data: string): void;
  /** Interrupts the process (Ctrl-C through its TTY), then ends the session. */
  cancel(): Promise<void>;
}

/** Runs `argv` in `dir` inside the container, passing its TTY output on as it comes. */
export async function runInContainer(
  conn: Pick<HostConnection, 'docker'>,
  containerId: string,
  o: { dir: string; argv: readonly string[]; cols: number; rows: number; onOutput: (chunk: Buffer) => void; env?: Record<string, string> },
): Promise<ContainerRun> {
  const s: TtySession = await execTty(conn, containerId, { argv: inDirArgv(o.dir, o.argv), cols: o.cols, rows: o.rows, env: o.env });
  s.stream.on('data', (d: Buffer) => o.onOutput(d));
  return {
    done: s.exitCode(),
    resize: (cols, rows) => void s.resize(cols, rows).catch(() => undefined),
    input: (data) => void (s.stream.destroyed || s.stream.write(data)),
    async cancel() {
      // Ctrl-C lets the process (dvc) clean up; closing the stream alone may leave it running.
      if (!s.stream.destroyed) s.stream.write('\x03');
      await Promise.race([s.ended, new Promise((r) => setTimeout(r, 3000))]);
      s.close();
    },
  };
}
