// The recent log of a container as text. Without a TTY the engine frames each write with
// an 8-byte header (stream, 0, 0, 0, size32be); with one the bytes come raw.
import type { HostConnection } from './hostConnection';

/** stdout and stderr frames joined in order; a truncated last frame is kept as far as it goes. */
export function demuxLogFrames(raw: Buffer): string {
  const parts: Buffer[] = [];
  let i = 0;
  while (i + 8 <= raw.length) {
    const kind = raw[i];
    if (kind > 2 || raw[i + 1] !== 0 || raw[i + 2] !== 0 || raw[i + 3] !== 0) return raw.toString('utf8'); // not framed after all
    const size = raw.readUInt32BE(i + 4);
    parts.push(raw.subarray(i + 8, Math.min(raw.length, i + 8 + size)));
    i += 8 + size;
  }
  return Buffer.concat(parts).toString('utf8');
}

/** The last `tail` lines the container wrote (stdout and stderr together). */
export async function recentLogs(conn: Pick<HostConnection, 'docker'>, containerId: string, o: { tail?: number; tty?: boolean } = {}): Promise<string> {
  const c = conn.docker().getContainer(containerId);
  const tty = o.tty ?? (await c.inspect()).Config?.Tty;
  const tail = o.tail ?? 2000;
  const raw = (await c.logs({ stdout: true, stderr: true, tail, follow: false })) as unknown as Buffer | string;
  const buf = Buffer.isBuffer(raw) ? raw : Buffer.from(String(raw), 'utf8');
  return tty ? buf.toString('utf8') : demuxLogFrames(buf);
}
