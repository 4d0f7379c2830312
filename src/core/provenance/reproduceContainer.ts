// A reproduction inside the run's recorded image: is the image (by digest) on the host,
// pull it when the user said so, and a short-lived container of ours with the worktree
// mounted at the same path as here, in which the recorded command runs (non-TTY exec,
// its output passed on) and the capture's probes run too.
import { PassThrough } from 'node:stream';
import type { HostConnection } from '../hosts/hostConnection';
import { describeEngineError } from '../hosts/engineErrors';
import { WORKSPACE_LABEL } from '../hosts/workspaceSpec';
import { inDirArgv } from '../hosts/stageInWorkspace';
import { containerRunner } from './containerRunner';
import { digestReference } from './reproduceTarget';
import type { Runner } from './runner';

export const REPRODUCE_LABEL = 'mlops.reproduce';

type Conn = Pick<HostConnection, 'docker'>;

/** Whether the engine has `ref` (an image ID, `name@sha256:...` or `name:tag`); its 404 reads false. */
export async function imagePresent(conn: Conn, ref: string): Promise<boolean> {
  try {
    await conn.docker().getImage(ref).inspect();
    return true;
  } catch (err) {
    if ((err as { statusCode?: number }).statusCode === 404) return false;
    throw err;
  }
}

/**
 * The reference under which the engine has exactly the recorded image: its ID (what we record
 * for an image with no registry digest) or `repo@sha256:...` (a registry digest); undefined: gone.
 */
export async function findRecordedImage(conn: Conn, image: { name: string; digest: string }): Promise<string | undefined> {
  if (await imagePresent(conn, image.digest)) return image.digest;
  const pinned = digestReference(image.name, image.digest);
  return (await imagePresent(conn, pinned)) ? pinned : undefined;
}

/** Pulls `ref` (only ever after the user chose to); rejects with the engine's own words. */
export async function pullImage(conn: Conn, ref: string, onProgress?: (status: string) => void): Promise<void> {
  const docker = conn.docker({ timeoutMs: 0 });
  const stream = await docker.pull(ref);
  await new Promise<void>((resolve, reject) =>
    docker.modem.followProgress(
      stream,
      (err: Error | null) => (err ? reject(err) : resolve()),
      (e: { status?: string; error?: string }) => e.status && onProgress?.(e.status),
    ),
  );
}

/** An engine error in words with a next step (a missing image says so). */
export function imageProblem(err: unknown, host: string): string {
  const p = describeEngineError(err, host);
  return `${p.message} ${p.nextStep}`;
}

export interface ReproContainer {
  id: string;
  /** Probes for the capture (nvidia-smi, python) inside the container. */
  runner: Runner;
  /** Runs argv in cwd with env added; resolves with its exit status (undefined: unknown). */
  exec(cwd: string, argv: readonly string[], env: Record<string, string>, onOutput?: (chunk: string) => void): Promise<number | undefined>;
  /** Removes the container (the worktree, a bind mount, stays). */
  remove(): Promise<void>;
}

/**
 * A container of `ref` that idles until removed, with each folder of `mounts` bound at the
 * same path inside (so paths in dvc config, MLflow URIs and the report read alike), labelled
 * ours; GPUs by device id when given.
 */
export async function startReproContainer(conn: Conn, o: { ref: string; mounts: readonly string[]; labels?: Record<string, string>; deviceIds?: string[]; name?: string }): Promise<ReproContainer> {
  const docker = conn.docker();
  const container = await docker.createContainer({
    Image: o.ref,
    Cmd: ['sh', '-c', 'trap "exit 0" TERM; sleep 86400 & wait'],
    Labels: { [WORKSPACE_LABEL]: '1', [REPRODUCE_LABEL]: '1', ...o.labels },
    ...(o.name ? { name: o.name } : {}),
    HostConfig: {
      Binds: [...new Set(o.mounts)].map((m) => `${m}:${m}`),
      ...(o.deviceIds?.length ? { DeviceRequests: [{ Driver: 'nvidia', DeviceIDs: o.deviceIds, Capabilities: [['gpu']] }] } : {}),
    },
  });
  try {
    await container.start();
  } catch (err) {
    await container.remove({ force: true }).catch(() => undefined);
    throw err;
  }
  return {
    id: container.id,
    runner: containerRunner(conn, container.id),
    async exec(cwd, argv, env, onOutput) {
      const x = await container.exec({ Cmd: inDirArgv(cwd, argv), Env: Object.entries(env).map(([k, v]) => `${k}=${v}`), AttachStdout: true, AttachStderr: true, Tty: false });
      const stream = await x.start({ hijack: true, stdin: false });
      const out = new PassThrough();
      out.on('data', (d: Buffer) => onOutput?.(d.toString('utf8')));
      conn.docker().modem.demuxStream(stream, out, out);
      await new Promise<void>((resolve) => {
        stream.once('end', resolve);
        stream.once('close', resolve);
        stream.once('error', () => resolve());
      });
      const info = await x.inspect().catch(() => undefined);
      return info?.ExitCode ?? undefined;
    },
    async remove() {
      await container.remove({ force: true }).catch(() => undefined);
    },
  };
}
