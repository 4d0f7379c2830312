// The few HTTP calls the MLflow tracking server's REST API needs, each bounded by a
// timeout and the caller's AbortSignal, so that a server that never answers can never
// hang a listing. Errors name the URL they came from: the view logs them as warnings.

/** Bearer token (MLFLOW_TRACKING_TOKEN) or basic auth (MLFLOW_TRACKING_USERNAME / _PASSWORD). */
import { redactTrackingUri } from './trackingUri';

export type MlflowAuth = { token: string } | { username: string; password: string };

export interface MlflowRestOptions {
  /** Read for every request, so new credentials apply without a new client. */
  auth?: () => MlflowAuth | undefined | Promise<MlflowAuth | undefined>;
  /** Per request; 15 s by default. */
  timeoutMs?: number;
  signal?: AbortSignal;
  /** For tests and for hosts without a global fetch. */
  fetch?: typeof fetch;
}

export type Query = Record<string, string | number | readonly string[] | undefined>;

/** A failed call: the URL and, when the server answered, its HTTP status and MLflow error code. */
export class MlflowRestError extends Error {
  constructor(
    readonly url: string,
    message: string,
    readonly status?: number,
    readonly errorCode?: string,
    /** MLflow's own `message` from its JSON error body, as the server wrote it. */
    readonly serverMessage?: string,
  ) {
    super(`${url}: ${message}`);
    this.name = 'MlflowRestError';
  }

  /** The server does not have this endpoint (an older MLflow). */
  get notFound(): boolean {
    return this.status === 404 || this.errorCode === 'ENDPOINT_NOT_FOUND';
  }
}

export const DEFAULT_TIMEOUT_MS = 15_000;

export class MlflowRestClient {
  /** The tracking URI without credentials or a trailing slash. */
  readonly baseUrl: string;
  private readonly urlAuth?: MlflowAuth;

  constructor(
    trackingUri: string,
    private readonly options: MlflowRestOptions = {},
  ) {
    const u = new URL(trackingUri);
    if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new Error(`${redactTrackingUri(trackingUri)}: an MLflow tracking server URI starts with http:// or https://`);
    // fetch refuses URLs with credentials in them; MLflow's client accepts them as basic auth.
    if (u.username) this.urlAuth = { username: decodeURIComponent(u.username), password: decodeURIComponent(u.password) };
    u.username = '';
    u.password = '';
    u.hash = '';
    u.search = '';
    this.baseUrl = u.toString().replace(/\/+$/, '');
  }

  url(path: string, query: Query = {}): string {
    const params = new URLSearchParams();
    for (const [k, v] of Object.entries(query)) {
      if (v === undefined) continue;
      if (typeof v === 'object') for (const item of v) params.append(k, item);
      else params.append(k, String(v));
    }
    const qs = params.toString();
    return `${this.baseUrl}/${path.replace(/^\/+/, '')}${qs ? `?${qs}` : ''}`;
  }

  get<T>(path: string, query?: Query, signal?: AbortSignal): Promise<T> {
    return this.json<T>(this.url(path, query), { method: 'GET' }, signal);
  }

  post<T>(path: string, body: unknown, signal?: AbortSignal): Promise<T> {
    return this.json<T>(this.url(path), { method: 'POST', body: JSON.stringify(body), headers: { 'content-type': 'application/json' } }, signal);
  }

  /** MLflow's DELETE endpoints (an alias, a model version) take a JSON body, as POST does. */
  delete<T>(path: string, body: unknown, signal?: AbortSignal): Promise<T> {
    return this.json<T>(this.url(path), { method: 'DELETE', body: JSON.stringify(body), headers: { 'content-type': 'application/json' } }, signal);
  }

  /** The raw bytes of a GET (an artifact download); `timeoutMs` overrides the client's. */
  async bytes(path: string, query: Query, options: { signal?: AbortSignal; timeoutMs?: number } = {}): Promise<Buffer> {
    const url = this.url(path, query);
    return this.call(url, { method: 'GET' }, options.signal, options.timeoutMs, async (res) => Buffer.from(await res.arrayBuffer()));
  }

  private json<T>(url: string, init: RequestInit, signal?: AbortSignal): Promise<T> {
    return this.call(url, init, signal, undefined, async (res) => {
      const text = await res.text();
      try {
        return JSON.parse(text) as T;
      } catch {
        throw new MlflowRestError(url, `the answer is not JSON (${res.headers.get('content-type') ?? 'no content type'}: ${snippet(text)}); is this an MLflow tracking server?`, res.status);
      }
    });
  }

  private async call<T>(url: string, init: RequestInit, signal: AbortSignal | undefined, timeoutMs: number | undefined, read: (res: Response) => Promise<T>): Promise<T> {
    const limit = timeoutMs ?? this.options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    const timeout = AbortSignal.timeout(limit);
    const signals = [timeout, this.options.signal, signal].filter((s): s is AbortSignal => !!s);
    const headers = new Headers(init.headers);
    const auth = (await this.options.auth?.()) ?? this.urlAuth;
    if (auth) headers.set('authorization', 'token' in auth ? `Bearer ${auth.token}` : `Basic ${Buffer.from(`${auth.username}:${auth.password}`).toString('base64')}`);
    const doFetch = this.options.fetch ?? fetch;
    const send = () => doFetch(url, { ...init, headers, signal: AbortSignal.any(signals) });
    try {
      let res: Response;
      try {
        res = await send();
      } catch (err) {
        // A kept-alive connection the server closed as we reused it (uvicorn drops idle ones
        // after 5 s): nothing reached the server, so one more try on a fresh connection is
        // safe; every call here is a read or sets a value (set-tag) to the same end.
        if (!isStaleConnection(err) || AbortSignal.any(signals).aborted) throw err;
        res = await send();
      }
      if (!res.ok) throw await httpError(url, res);
      return await read(res);
    } catch (err) {
      if (err instanceof MlflowRestError) throw err;
      if (timeout.aborted) throw new MlflowRestError(url, `no answer within ${limit / 1000} s (timed out)`);
      if (signal?.aborted || this.options.signal?.aborted) throw new MlflowRestError(url, 'cancelled');
      throw new MlflowRestError(url, networkMessage(err));
    }
  }
}

async function httpError(url: string, res: Response): Promise<MlflowRestError> {
  const text = await res.text().catch(() => '');
  let code: string | undefined;
  let serverMessage: string | undefined;
  let detail = snippet(text);
  try {
    const body = JSON.parse(text) as { error_code?: string; message?: string };
    code = body.error_code;
    serverMessage = typeof body.message === 'string' ? body.message : undefined;
    if (body.message) detail = `${body.error_code ? `${body.error_code}: ` : ''}${body.message}`;
  } catch {
    // Not MLflow's JSON error: a proxy's page; its first words are the best we have.
  }
  const hint = res.status === 401 || res.status === 403 ? ' (set credentials with "MLOps: Set MLflow Tracking Server Credentials")' : '';
  return new MlflowRestError(url, `HTTP ${res.status} ${res.statusText}${detail ? `: ${detail}` : ''}${hint}`, res.status, code, serverMessage);
}

function isStaleConnection(err: unknown): boolean {
  const code = (err as { cause?: { code?: string } })?.cause?.code;
  return code === 'UND_ERR_SOCKET' || code === 'ECONNRESET';
}

function networkMessage(err: unknown): string {
  const cause = (err as { cause?: { code?: string; message?: string } })?.cause;
  if (cause?.code === 'ECONNREFUSED') return 'connection refused (is the tracking server running?)';
  if (cause?.code === 'ENOTFOUND') return 'host not found';
  if (cause?.code) return `${cause.code}${cause.message ? `: ${cause.message}` : ''}`;
  return err instanceof Error ? err.message : String(err);
}

function snippet(text: string): string {
  const flat = text.replace(/<[^>]*>/g, ' ').replace(/\s+/g, ' ').trim();
  return flat.length > 200 ? `${flat.slice(0, 200)}…` : flat;
}
