// Capture inside a workspace container: the probes (nvidia-smi, python, pip freeze) run
// where the stage runs, through a non-TTY exec; and the container's image with its digest,
// from the engine.
import { PassThrough } from 'node:stream';
import type { HostConnection } from '../hosts/hostConnection';
import type { RunOutcome, Runner } from './runner';

export function containerRunner(conn: Pick<HostConnection, 'docker'>, containerId: string, workingDir?: string): Runner {
  return async (argv, opts = {}): Promise<RunOutcome> => {
    const max = opts.maxBytes ?? 4 * 1024 * 1024;
    try {
      const exec = await conn.docker().getContainer(containerId).exec({ Cmd: [...argv], AttachStdout: true, AttachStderr: true, Tty: false, ...(opts.env ? { Env: Object.entries(opts.env).map(([k, v]) => `${k}=${v}`) } : {}), ...(opts.cwd ?? workingDir ? { WorkingDir: opts.cwd ?? workingDir } : {}) });
      const stream = await exec.start({ hijack: true, stdin: false });
      const out = new PassThrough();
      const err = new PassThrough();
      let stdout = '';
      let stderr = '';
      let truncated = false;
      out.on('data', (d: Buffer) => {
        if (stdout.length + d.length > max) truncated = true;
        else stdout += d.toString('utf8');
      });
      err.on('data', (d: Buffer) => void (stderr.length < 64 * 1024 && (stderr += d.toString('utf8'))));
      conn.docker().modem.demuxStream(stream, out, err);
      await new Promise<void>((resolve) => {
        const timer = opts.timeoutMs ? setTimeout(() => (stream.destroy(), resolve()), opts.timeoutMs) : undefined;
        stream.once('end', () => (timer && clearTimeout(timer), resolve()));
        stream.once('close', () => (timer && clearTimeout(timer), resolve()));
        stream.once('error', () => resolve());
      });
      const info = await exec.inspect().catch(() => undefined);
      // `sh: nvidia-smi: not found` reads as 126/127 from the engine: an absent tool.
      return { code: info?.ExitCode ?? null, stdout, stderr, truncated };
    } catch (e) {
      return { code: null, stdout: '', stderr: e instanceof Error ? e.message : String(e) };
    }
  };
}

/** The container's image name and content digest (a registry digest where the image has one, else its ID). */
export async function containerImage(conn: Pick<HostConnection, 'docker'>, containerId: string): Promise<{ name: string; digest: string } | undefined> {
  try {
    const info = await conn.docker().getContainer(containerId).inspect();
    const image = await conn.docker().getImage(info.Image).inspect().catch(() => undefined);
    return { name: info.Config?.Image ?? info.Image, digest: image?.RepoDigests?.[0]?.split('@')[1] ?? info.Image };
  } catch {
    return undefined;
  }
}
