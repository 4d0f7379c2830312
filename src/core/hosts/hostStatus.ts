// What the Workspaces view says about a host: reachable (SSH), engine answering (Docker),
// or what is wrong, in words. Bounded by a deadline, so a dead host never hangs the view.
import { describeEngineError, type EngineErrorKind } from './engineErrors';
import { HostTimeoutError, withTimeout } from './deadline';
import type { HostConnection } from './hostConnection';

export type HostStatus =
  | { status: 'connected' }
  /** The SSH link is down or was refused (host key, auth, network). */
  | { status: 'disconnected'; message: string }
  /** SSH is fine (or local), Docker is not. */
  | { status: 'engine-error'; kind: EngineErrorKind; message: string };

/** A connection that can open its link on demand (SSH); local ones have nothing to open. */
type Linkable = HostConnection & { reconnectNow?: () => Promise<unknown>; connect?: () => Promise<unknown> };

export async function checkHost(conn: Linkable, where: string, opts: { timeoutMs?: number } = {}): Promise<HostStatus> {
  const deadline = opts.timeoutMs ?? 30000;
  const started = Date.now();
  const open = conn.reconnectNow ?? conn.connect;
  if (open) {
    try {
      await withTimeout(open.call(conn), deadline, `SSH to ${where}`);
    } catch (e) {
      const why = e instanceof HostTimeoutError ? `${where} did not answer within ${Math.round(deadline / 1000)} s.` : (e as Error).message;
      return { status: 'disconnected', message: `${why} Check that the host is reachable and your key, agent or password, then refresh.` };
    }
  }
  const ping = () => {
    // Our own deadline, not the client's: dockerode reports its own timeout as "socket hang
    // up", which would read as an engine that closed the connection.
    const abort = new AbortController();
    // dockerode's typings lack ping's options; the client reads abortSignal from them.
    const p = (conn.docker({ timeoutMs: 0 }).ping as (o: { abortSignal: AbortSignal }) => Promise<unknown>)({ abortSignal: abort.signal });
    return withTimeout(p, Math.max(1000, deadline - (Date.now() - started)), `Docker on ${where}`, () => abort.abort());
  };
  try {
    try {
      await ping();
    } catch (e) {
      // A kept-alive connection the far side closed while idle fails its next request
      // that way: one more try, on a fresh connection, says what the engine says now.
      if (!HUNG_UP.test(`${(e as { code?: string }).code} ${(e as Error).message}`)) throw e;
      await ping();
    }
    return { status: 'connected' };
  } catch (e) {
    const p = describeEngineError(e, where);
    return { status: 'engine-error', kind: p.kind, message: `${p.message} ${p.nextStep}` };
  }
}

const HUNG_UP = /ECONNRESET|EPIPE|socket hang up/i;
