// A workspace's port on this machine. Locally the published host port is already here;
// on an SSH host a local server on 127.0.0.1 hands each connection to a direct-tcpip
// channel of the host's one SSH connection (what `ssh -L` does).
import * as net from 'node:net';
import type { Duplex } from 'node:stream';

export interface ForwardTarget {
  /** As seen from the Docker host. */
  host: string;
  port: number;
}

/** The part of `docker inspect` that says where a container port is reachable. */
export interface PortInspect {
  HostConfig?: { NetworkMode?: string };
  NetworkSettings?: { Ports?: Record<string, Array<{ HostIp?: string; HostPort?: string }> | null> | null };
}

export type TargetAnswer = { ok: true; target: ForwardTarget } | { ok: false; error: string };

/** Where container port `port` is reachable on the Docker host: its published port, or itself on the host network. */
export function forwardTarget(info: PortInspect, port: number): TargetAnswer {
  if (info.HostConfig?.NetworkMode === 'host') return { ok: true, target: { host: '127.0.0.1', port } };
  const bindings = info.NetworkSettings?.Ports?.[`${port}/tcp`] ?? [];
  // 0.0.0.0 and :: listen everywhere, loopback included; prefer IPv4 when both are listed.
  const b = bindings.find((x) => x.HostPort && !x.HostIp?.includes(':')) ?? bindings.find((x) => x.HostPort);
  if (!b?.HostPort) {
    return { ok: false, error: `Port ${port} is not published by this workspace. Launch it again with ${port} among its ports (the launch flow's Ports step).` };
  }
  const ip = !b.HostIp || b.HostIp === '0.0.0.0' || b.HostIp === '::' ? '127.0.0.1' : b.HostIp;
  return { ok: true, target: { host: ip, port: Number(b.HostPort) } };
}

/** The container ports a workspace exposes or publishes, lowest first. */
export function exposedPorts(info: PortInspect & { Config?: { ExposedPorts?: Record<string, unknown> | null } }): number[] {
  const keys = [...Object.keys(info.Config?.ExposedPorts ?? {}), ...Object.keys(info.NetworkSettings?.Ports ?? {})];
  return [...new Set(keys.filter((k) => k.endsWith('/tcp')).map((k) => Number(k.slice(0, -4))))].filter((n) => n > 0).sort((a, b) => a - b);
}

export interface TcpForward {
  localPort: number;
  target: ForwardTarget;
  /** Connections open through it now. */
  readonly active: number;
  close(): Promise<void>;
}

/**
 * Listens on 127.0.0.1 (a free port unless `localPort` is given) and pipes each accepted
 * socket to `open(target)`. Only this machine can reach it, like `ssh -L` by default.
 */
export async function startTcpForward(
  open: (host: string, port: number) => Promise<Duplex>,
  target: ForwardTarget,
  opts: { localPort?: number; onError?: (e: Error) => void } = {},
): Promise<TcpForward> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((sock) => {
    sockets.add(sock);
    sock.once('close', () => sockets.delete(sock));
    sock.pause();
    open(target.host, target.port).then(
      (remote) => {
        if (sock.destroyed) return void remote.destroy();
        sock.pipe(remote).pipe(sock);
        sock.resume();
        remote.once('error', () => sock.destroy());
        remote.once('close', () => sock.destroy());
        sock.once('error', () => remote.destroy());
        sock.once('close', () => remote.destroy());
      },
      (e: Error) => {
        opts.onError?.(e);
        sock.destroy();
      },
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.localPort ?? 0, '127.0.0.1', () => (server.off('error', reject), resolve()));
  });
  return {
    localPort: (server.address() as net.AddressInfo).port,
    target,
    get active() {
      return sockets.size;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
