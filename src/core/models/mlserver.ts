// Serving a registered model version with Seldon's MLServer (the V2 / Open Inference
// protocol) and its MLflow runtime: the two JSON files `mlserver start <folder>` reads, the
// argv and environment, and where it answers. MLServer and its runtime do the serving;
// nothing here imitates them.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { modelUri, servingEnv, servingUrl, type ServeLaunch, type ServeTarget } from './serving';

export const MLFLOW_RUNTIME = 'mlserver_mlflow.MLflowRuntime';

export interface MlserverPlan {
  /** The `mlserver` executable; its folder goes first on PATH. */
  mlserver: string;
  target: ServeTarget;
  /** The registry's tracking URI: the runtime loads `models:/…` through MLflow with it. */
  trackingUri: string;
  host: string;
  port: number;
  /** MLServer always opens a gRPC port too: a free one, so two servers do not collide. */
  grpcPort: number;
}

/**
 * The name MLServer serves the model under: it is a path segment of every V2 route, so
 * only letters, digits, `.`, `_` and `-` (a registered name may hold spaces or slashes).
 */
export function v2ModelName(t: ServeTarget): string {
  const base = t.name.replace(/[^A-Za-z0-9_.-]+/g, '-').replace(/^[-.]+|-+$/g, '') || 'model';
  return base.slice(0, 120);
}

/**
 * `settings.json`: loopback only, metrics off (their port would be a third one to pick),
 * and the model loaded in the server's own process (`parallel_workers: 0`) — one local
 * server for trying a model, not a pool; it also starts faster and its log holds the
 * runtime's errors.
 */
export function mlserverSettings(p: Pick<MlserverPlan, 'host' | 'port' | 'grpcPort'>): Record<string, unknown> {
  return { host: p.host, http_port: p.port, grpc_port: p.grpcPort, metrics_endpoint: null, parallel_workers: 0, load_models_at_startup: true };
}

/**
 * `model-settings.json` for MLServer's MLflow runtime. The runtime hands a URI that is not
 * a file path to `mlflow.pyfunc.load_model` as it is, so `models:/<name>/<version>` (or
 * `@alias`) is resolved by MLflow itself against MLFLOW_TRACKING_URI, exactly as
 * `mlflow models serve` does: no artifact location of ours to get wrong.
 */
export function mlserverModelSettings(t: ServeTarget): Record<string, unknown> {
  const parameters: Record<string, unknown> = { uri: modelUri(t) };
  // MLServer's settings take the version as a string only (a number fails the whole file).
  if (t.version) parameters.version = String(t.version);
  return { name: v2ModelName(t), implementation: MLFLOW_RUNTIME, parameters };
}

export function mlserverArgv(mlserver: string, folder: string): string[] {
  return [mlserver, 'start', folder];
}

/**
 * Writes both files into a new folder under the OS temp folder and returns how to start
 * the server; `cleanup` removes the folder (after the server is gone).
 */
export async function mlserverLaunch(p: MlserverPlan, base?: NodeJS.ProcessEnv): Promise<ServeLaunch & { folder: string }> {
  const folder = await mkdtemp(path.join(tmpdir(), 'mlops-mlserver-'));
  await writeFile(path.join(folder, 'settings.json'), JSON.stringify(mlserverSettings(p), null, 2));
  await writeFile(path.join(folder, 'model-settings.json'), JSON.stringify(mlserverModelSettings(p.target), null, 2));
  return {
    folder,
    argv: mlserverArgv(p.mlserver, folder),
    // The same PATH rule and MLFLOW_TRACKING_URI as `mlflow models serve`.
    env: servingEnv({ mlflow: p.mlserver, trackingUri: p.trackingUri }, base),
    url: servingUrl(p.host, p.port),
    // The model's own readiness: `/v2/health/ready` answers 200 also when the model's
    // settings did not parse (MLServer skips that model and serves on without it). A load
    // error at startup shuts MLServer down; its log line ends the wait first.
    healthPath: `/v2/models/${encodeURIComponent(v2ModelName(p.target))}/ready`,
    fatalLine: /Failed load model settings|Couldn't load model|Some of the models failed to load/,
    protocol: 'v2',
    modelName: v2ModelName(p.target),
    cleanup: () => rm(folder, { recursive: true, force: true }),
  };
}

/** The next step for an MLServer start that failed, from its last lines. */
export function mlserverFailureHint(logTail: string): string | undefined {
  if (/No module named ['"]?mlserver_mlflow/i.test(logTail)) return 'MLServer has no MLflow runtime: install "mlserver-mlflow" in the environment of the configured mlserver.';
  if (/Errno 98|address already in use/i.test(logTail)) return 'A port is in use: serve again (free ports are picked).';
  if (/RESOURCE_DOES_NOT_EXIST|not found/i.test(logTail)) return 'MLflow cannot find this version in the registry: refresh the Models view and check the tracking URI.';
  if (/Couldn't load model|No module named/i.test(logTail)) return 'The MLflow runtime could not load the model: install its requirements (see the model\'s requirements.txt) in the environment of the configured mlserver, then serve again.';
  return undefined;
}
