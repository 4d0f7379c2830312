// Serving a registered model version on this machine with MLflow's own scoring server
// (`mlflow models serve`): the argv, the environment it needs, a free port, and the wait
// until it answers. The server is MLflow's; nothing here imitates it.
import * as http from 'node:http';
import { createServer } from 'node:net';
import * as path from 'node:path';

export interface ServeTarget {
  name: string;
  /** A version number ("3") or an alias ("@champion"). */
  version?: string;
  alias?: string;
}

export interface ServePlan {
  /** The `mlflow` executable; its folder goes first on PATH (see servingEnv). */
  mlflow: string;
  target: ServeTarget;
  /** MLflow's tracking URI of the registry the version lives in (sqlite:///…, file:…, http…). */
  trackingUri: string;
  host: string;
  port: number;
}

/** `models:/<name>/<version>` or `models:/<name>@<alias>`, as MLflow resolves them. */
export function modelUri(t: ServeTarget): string {
  if (t.alias) return `models:/${t.name}@${t.alias}`;
  if (!t.version) throw new Error(`model ${t.name}: a version or an alias is needed`);
  return `models:/${t.name}/${t.version}`;
}

/**
 * `--env-manager local`: the environment that has mlflow serves the model, as the user's
 * training did; the other managers build a new environment per model (minutes, and the
 * network).
 */
export function serveArgv(p: ServePlan): string[] {
  return [p.mlflow, 'models', 'serve', '-m', modelUri(p.target), '--env-manager', 'local', '-h', p.host, '-p', String(p.port)];
}

/**
 * MLflow starts its scoring server as `exec uvicorn …` through a shell, found on PATH: an
 * environment that is not activated (ours never is) fails with "uvicorn: not found" unless
 * the folder of its `mlflow` comes first on PATH.
 */
export function servingEnv(p: Pick<ServePlan, 'mlflow' | 'trackingUri'>, base: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  const bin = path.dirname(p.mlflow);
  const pathKey = Object.keys(base).find((k) => k.toUpperCase() === 'PATH') ?? 'PATH';
  const rest = base[pathKey];
  return {
    ...base,
    [pathKey]: bin && bin !== '.' ? (rest ? `${bin}${path.delimiter}${rest}` : bin) : (rest ?? ''),
    MLFLOW_TRACKING_URI: p.trackingUri,
    // Lines arrive as they are written: the log shows a failing start while it happens.
    PYTHONUNBUFFERED: '1',
  };
}

/** Which API a served model speaks: MLflow's scoring server or the V2 (Open Inference) protocol. */
export type ServingProtocol = 'mlflow' | 'v2';

/**
 * What starting one model server takes: its argv and environment, where it answers, its
 * health route, and the protocol Try Model speaks to it. Built by `mlflowLaunch` (here) or
 * `mlserverLaunch` (mlserver.ts).
 */
export interface ServeLaunch {
  argv: string[];
  env: NodeJS.ProcessEnv;
  url: string;
  /** GET → 200 when it is ready (`/ping`; MLServer: `/v2/health/ready`). */
  healthPath: string;
  protocol: ServingProtocol;
  /** V2: the name the model is served under (`/v2/models/<name>/infer`). */
  modelName?: string;
  /**
   * A log line that means the model will never be ready although the process stays up
   * (MLServer skips a model whose settings do not parse and serves on), or one that comes before the exit: the wait ends at once with it.
   */
  fatalLine?: RegExp;
  /** Removes what starting it wrote (MLServer's settings folder), once the process is gone. */
  cleanup?: () => Promise<void>;
}

/** `mlflow models serve` of the plan. */
export function mlflowLaunch(p: ServePlan, base?: NodeJS.ProcessEnv): ServeLaunch {
  return { argv: serveArgv(p), env: servingEnv(p, base), url: servingUrl(p.host, p.port), healthPath: '/ping', protocol: 'mlflow' };
}

/** Where a served model takes requests: `/invocations`, or V2's `/v2/models/<name>/infer`. */
export function inferPath(l: Pick<ServeLaunch, 'protocol' | 'modelName'>): string {
  return l.protocol === 'v2' ? `/v2/models/${encodeURIComponent(l.modelName ?? '')}/infer` : '/invocations';
}

export const servingUrl = (host: string, port: number): string => `http://${host.includes(':') ? `[${host}]` : host}:${port}`;

/** A port nobody listens on now (the OS picks it); a server started on it may still lose a race. */
export function findFreePort(host = '127.0.0.1'): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.once('error', reject);
    srv.listen(0, host, () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => (port ? resolve(port) : reject(new Error('no port was assigned'))));
    });
  });
}

/** Whether something accepts connections on host:port now (a port in use, a server still up). */
export function portInUse(port: number, host = '127.0.0.1'): Promise<boolean> {
  return new Promise((resolve) => {
    const srv = createServer();
    srv.once('error', () => resolve(true));
    srv.listen(port, host, () => srv.close(() => resolve(false)));
  });
}

/** One GET of the health route (MLflow's `/ping`, which `/health` answers alike): true on 200. */
export function pingOnce(url: string, timeoutMs = 2000, healthPath = '/ping'): Promise<boolean> {
  return new Promise((resolve) => {
    const req = http.get(`${url}${healthPath}`, { timeout: timeoutMs, agent: false }, (res) => {
      res.resume();
      resolve(res.statusCode === 200);
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(false));
  });
}

export interface HealthWait {
  /** Give up after this long (loading a model and its imports can take tens of seconds). */
  deadlineMs: number;
  /** Between tries; the server is a process starting, there is no event to wait on. */
  intervalMs?: number;
  /** Stops waiting early: the process exited, or the user cancelled. Returns its reason. */
  abort?: () => string | undefined;
  /** The GET that answers 200 when ready (default MLflow's `/ping`). */
  healthPath?: string;
}

export type HealthResult = { healthy: true; afterMs: number } | { healthy: false; reason: string };

/** Polls the health route until it answers 200, the deadline passes, or `abort` says why not. */
export async function waitHealthy(url: string, w: HealthWait): Promise<HealthResult> {
  const start = Date.now();
  const interval = w.intervalMs ?? 250;
  const healthPath = w.healthPath ?? '/ping';
  for (;;) {
    const why = w.abort?.();
    if (why) return { healthy: false, reason: why };
    if (await pingOnce(url, Math.min(2000, Math.max(100, w.deadlineMs - (Date.now() - start))), healthPath)) return { healthy: true, afterMs: Date.now() - start };
    const left = w.deadlineMs - (Date.now() - start);
    if (left <= 0) return { healthy: false, reason: `no answer from ${url}${healthPath} within ${Math.round(w.deadlineMs / 1000)} s` };
    await new Promise((r) => setTimeout(r, Math.min(interval, left)));
  }
}

/** The next step for a serve that failed, from the last lines of its log. */
export function serveFailureHint(logTail: string): string {
  if (/address already in use|Errno 98|error while attempting to bind/i.test(logTail)) return 'The port is in use: serve again (a free port is picked) or stop what listens there.';
  if (/uvicorn: not found|No module named ['"]?uvicorn/i.test(logTail)) return 'MLflow\'s scoring server needs uvicorn: install "mlflow" (not mlflow-skinny) in the environment of the configured mlflow.';
  const missing = /No module named ['"]?([\w.]+)/.exec(logTail);
  if (missing) return `The model needs the Python package "${missing[1]}": install it (see the model's requirements.txt) in the environment of the configured mlflow, then serve again.`;
  if (/RESOURCE_DOES_NOT_EXIST|Registered Model with name=|not found/i.test(logTail)) return 'MLflow cannot find this version in the registry: refresh the Models view and check the tracking URI.';
  return 'Read the log above (MLOps output), fix what it names, then serve again.';
}
