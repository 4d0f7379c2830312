// The Ray dashboard's HTTP API over node's own http/https (no dependency): one keep-alive
// agent per cluster so a refresh's parallel requests reuse their sockets, a deadline per
// request, answers bounded in size, and a count of the body bytes sent (the upload check
// of an unchanged project must send none).
import * as http from 'node:http';
import * as https from 'node:https';
import { ActionableError } from '../../common/errors';

/** A dashboard answer larger than this is refused (a job list of thousands is a few MB). */
export const MAX_ANSWER_BYTES = 64 * 1024 * 1024;

/** The dashboard did not answer at all (refused, reset, timed out, DNS). */
export class RayUnreachableError extends ActionableError {}

/** It answered, with an HTTP error status; `body` is its text (Ray's traceback or message). */
export class RayHttpError extends ActionableError {
  constructor(
    readonly status: number,
    readonly body: string,
    message: string,
    nextStep?: string,
  ) {
    super(message, nextStep);
  }
}

export interface RayHttpOptions {
  /** `http://head:8265` (a path prefix behind a proxy is kept). */
  address: string;
  /** Extra headers on every request: `Authorization: Bearer …` for a cluster behind a proxy. */
  headers?: Readonly<Record<string, string>>;
  /** Per request (connect + answer). Default 15 s. */
  timeoutMs?: number;
  /**
   * https through a local port forward: the name the certificate is checked against (and
   * sent as SNI and Host), since the URL then names 127.0.0.1.
   */
  servername?: string;
}

export interface RayAnswer {
  status: number;
  body: Buffer;
}

export class RayHttp {
  readonly base: URL;
  /** Request body bytes sent since construction (uploads and JSON bodies). */
  bytesSent = 0;
  private readonly agent: http.Agent;
  private readonly timeoutMs: number;

  constructor(private readonly opts: RayHttpOptions) {
    let base: URL;
    try {
      base = new URL(opts.address.includes('://') ? opts.address : `http://${opts.address}`);
    } catch {
      throw new ActionableError(`"${opts.address}" is not a dashboard address.`, 'Write it as http://HEAD:8265 in MLOps › Clusters.');
    }
    if (base.protocol !== 'http:' && base.protocol !== 'https:') throw new ActionableError(`"${opts.address}" is not an http(s) address.`, 'Write it as http://HEAD:8265 in MLOps › Clusters.');
    this.base = base;
    this.timeoutMs = opts.timeoutMs ?? 15000;
    this.agent = base.protocol === 'https:' ? new https.Agent({ keepAlive: true, maxSockets: 8 }) : new http.Agent({ keepAlive: true, maxSockets: 8 });
  }

  /** `/api/jobs/` under the address's own path (a proxy's prefix). */
  url(path: string): URL {
    const prefix = this.base.pathname.replace(/\/+$/, '');
    const u = new URL(this.base.href);
    const [p, q] = path.split('?');
    u.pathname = `${prefix}${p}`;
    u.search = q ? `?${q}` : '';
    return u;
  }

  request(method: string, path: string, body?: Buffer | object, opts: { timeoutMs?: number; contentType?: string } = {}): Promise<RayAnswer> {
    const data = body === undefined ? undefined : Buffer.isBuffer(body) ? body : Buffer.from(JSON.stringify(body));
    const url = this.url(path);
    const lib = url.protocol === 'https:' ? https : http;
    const headers: Record<string, string> = { Accept: 'application/json', ...(this.opts.servername ? { Host: this.opts.servername } : {}), ...(this.opts.headers ?? {}) };
    if (data) {
      headers['Content-Type'] = opts.contentType ?? (Buffer.isBuffer(body) ? 'application/octet-stream' : 'application/json');
      headers['Content-Length'] = String(data.length);
    }
    const timeoutMs = opts.timeoutMs ?? this.timeoutMs;
    return new Promise<RayAnswer>((resolve, reject) => {
      const where = `${this.base.host}`;
      const req = lib.request(url, { method, headers, agent: this.agent, ...(this.opts.servername && url.protocol === 'https:' ? { servername: this.opts.servername } : {}) }, (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (c: Buffer) => {
          size += c.length;
          if (size > MAX_ANSWER_BYTES) {
            req.destroy(new ActionableError(`The Ray dashboard at ${where} answered ${method} ${path} with more than ${MAX_ANSWER_BYTES / 1048576} MB.`, 'Delete old jobs (ray job delete) or ask for less.'));
            return;
          }
          chunks.push(c);
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks) }));
        res.on('error', reject);
      });
      req.setTimeout(timeoutMs, () => req.destroy(new RayUnreachableError(`The Ray dashboard at ${where} did not answer ${method} ${path} within ${Math.round(timeoutMs / 1000)} s.`, 'Check that the head node is up and the address (and SSH host) in MLOps › Clusters.')));
      req.on('error', (err: NodeJS.ErrnoException) => {
        if (err instanceof ActionableError) return reject(err);
        reject(new RayUnreachableError(`The Ray dashboard at ${where} cannot be reached: ${err.code ?? err.message}.`, 'Check that the head node is up (ray status on it) and the address (and SSH host) in MLOps › Clusters.'));
      });
      if (data) {
        this.bytesSent += data.length;
        req.end(data);
      } else req.end();
    });
  }

  /** JSON of a 2xx answer; any other status is a RayHttpError with the dashboard's own text. */
  async json<T>(method: string, path: string, body?: object): Promise<T> {
    const res = await this.request(method, path, body);
    const text = res.body.toString('utf8');
    if (res.status < 200 || res.status >= 300) throw httpError(this.base.host, method, path, res.status, text);
    try {
      return JSON.parse(text) as T;
    } catch {
      throw new ActionableError(`The server at ${this.base.host} answered ${method} ${path} with something other than JSON; it does not look like a Ray dashboard.`, 'Check the address in MLOps › Clusters: the Ray dashboard port (8265 by default).');
    }
  }

  dispose(): void {
    this.agent.destroy();
  }
}

/** The last meaningful line of Ray's answer (a Python traceback ends with the exception). */
export function rayMessage(text: string): string {
  const lines = text.split('\n').map((l) => l.trim()).filter(Boolean);
  return (lines[lines.length - 1] ?? '').slice(0, 2000);
}

function httpError(host: string, method: string, path: string, status: number, text: string): RayHttpError {
  const said = rayMessage(text);
  if (status === 401 || status === 403) return new RayHttpError(status, text, `The Ray dashboard at ${host} refused ${method} ${path} (HTTP ${status}).`, 'Set the cluster\'s auth token: MLOps: Set Ray Cluster Token.');
  if (status === 404) return new RayHttpError(status, text, `${host} has no ${path.split('?')[0]} (HTTP 404)${said ? `: ${said}` : ''}.`, 'Check the address in MLOps › Clusters: it must be the Ray dashboard (port 8265 by default).');
  return new RayHttpError(status, text, `The Ray dashboard at ${host} answered ${method} ${path} with HTTP ${status}${said ? `: ${said}` : ''}.`);
}
