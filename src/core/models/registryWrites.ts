// Every change the Models view makes to an MLflow registry goes through MLflow itself: the
// tracking server's REST API, or, for mlflow.db and mlruns/, MLflow's own client run with the
// environment's interpreter (we never write the store's files ourselves, so MLflow's own
// checks, migrations and locking apply). The write is data (RegistryWrite); the two ways to
// carry it out are below. An error is MLflow's message, verbatim.
import { execFile } from 'node:child_process';
import { MlflowRestError, type MlflowRestClient } from '../runs/mlflow/mlflowRestClient';

export type RegistryWrite =
  | { op: 'setAlias'; name: string; alias: string; version: string }
  | { op: 'deleteAlias'; name: string; alias: string }
  | { op: 'setVersionTag'; name: string; version: string; key: string; value: string }
  | { op: 'setModelTag'; name: string; key: string; value: string }
  | { op: 'deleteVersion'; name: string; version: string }
  | { op: 'deleteModel'; name: string }
  /** `source`: a runs:/<run>/<path> or models:/ URI, or a folder holding an MLmodel. */
  | { op: 'register'; name: string; source: string; runId?: string };

/** What a write answers: the new version for `register`. */
export interface WriteResult {
  version?: string;
}

/** MLflow's error, as MLflow worded it (a 403's "Permission denied…" included). */
export class RegistryWriteError extends Error {
  constructor(
    message: string,
    readonly status?: number,
  ) {
    super(message);
    this.name = 'RegistryWriteError';
  }
}

export async function writeOverRest(client: MlflowRestClient, w: RegistryWrite, signal?: AbortSignal): Promise<WriteResult> {
  const base = 'api/2.0/mlflow/';
  try {
    switch (w.op) {
      case 'setAlias':
        await client.post(`${base}registered-models/alias`, { name: w.name, alias: w.alias, version: w.version }, signal);
        return {};
      case 'deleteAlias':
        await client.delete(`${base}registered-models/alias`, { name: w.name, alias: w.alias }, signal);
        return {};
      case 'setVersionTag':
        await client.post(`${base}model-versions/set-tag`, { name: w.name, version: w.version, key: w.key, value: w.value }, signal);
        return {};
      case 'setModelTag':
        await client.post(`${base}registered-models/set-tag`, { name: w.name, key: w.key, value: w.value }, signal);
        return {};
      case 'deleteVersion':
        await client.delete(`${base}model-versions/delete`, { name: w.name, version: w.version }, signal);
        return {};
      case 'deleteModel':
        await client.delete(`${base}registered-models/delete`, { name: w.name }, signal);
        return {};
      case 'register': {
        // As mlflow.register_model: the model first (an existing one is fine), then the version.
        await client.post(`${base}registered-models/create`, { name: w.name }, signal).catch((err: unknown) => {
          if (!(err instanceof MlflowRestError && err.errorCode === 'RESOURCE_ALREADY_EXISTS')) throw err;
        });
        // MLflow 3 links a version to its logged model by model_id, as mlflow.register_model does.
        const modelId = /^models:\/(m-[^/@]+)$/.exec(w.source)?.[1];
        const made = await client.post<{ model_version?: { version?: string } }>(`${base}model-versions/create`, { name: w.name, source: w.source, run_id: w.runId, model_id: modelId }, signal);
        return { version: made.model_version?.version === undefined ? undefined : String(made.model_version.version) };
      }
    }
  } catch (err) {
    // The server's answer in its words; a network failure stays what it is.
    if (err instanceof MlflowRestError && err.status !== undefined) throw new RegistryWriteError(restMessage(err), err.status);
    throw err;
  }
}

/** MLflow's own words from a REST error: "HTTP 403 Forbidden: PERMISSION_DENIED: Permission denied…" keeps all after the URL. */
function restMessage(err: MlflowRestError): string {
  return err.message.startsWith(`${err.url}: `) ? err.message.slice(err.url.length + 2) : err.message;
}

// Runs in the user's environment with MLflow installed: argv[1] is the tracking URI, argv[2]
// the write as JSON. It prints one JSON line; MLflow's exception text goes to stderr as is.
export const CLIENT_SCRIPT = String.raw`
import json, sys
from mlflow import MlflowClient
import mlflow
uri, w = sys.argv[1], json.loads(sys.argv[2])
c = MlflowClient(tracking_uri=uri, registry_uri=uri)
op = w["op"]
out = {}
try:
    if op == "setAlias":
        c.set_registered_model_alias(w["name"], w["alias"], w["version"])
    elif op == "deleteAlias":
        c.delete_registered_model_alias(w["name"], w["alias"])
    elif op == "setVersionTag":
        c.set_model_version_tag(w["name"], w["version"], w["key"], w["value"])
    elif op == "setModelTag":
        c.set_registered_model_tag(w["name"], w["key"], w["value"])
    elif op == "deleteVersion":
        c.delete_model_version(w["name"], w["version"])
    elif op == "deleteModel":
        c.delete_registered_model(w["name"])
    elif op == "register":
        mlflow.set_tracking_uri(uri)
        mlflow.set_registry_uri(uri)
        mv = mlflow.register_model(w["source"], w["name"])
        out["version"] = str(mv.version)
    else:
        raise SystemExit("unknown write " + op)
except Exception as e:
    sys.stderr.write("MLFLOW-ERROR " + str(getattr(e, "message", None) or e) + "\n")
    sys.exit(3)
print(json.dumps(out))
`;

export interface ClientWriteOptions {
  /** The interpreter of an environment where `import mlflow` works. */
  python: string;
  /** sqlite:///…/mlflow.db or file:///…/mlruns. */
  trackingUri: string;
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  signal?: AbortSignal;
  /** Default 120 s: the first import of mlflow is slow. */
  timeoutMs?: number;
}

/** argv of the write through MLflow's client (an array: nothing is ever parsed by a shell). */
export function clientWriteArgv(o: Pick<ClientWriteOptions, 'python' | 'trackingUri'>, w: RegistryWrite): string[] {
  return [o.python, '-c', CLIENT_SCRIPT, o.trackingUri, JSON.stringify(w)];
}

export function writeWithClient(o: ClientWriteOptions, w: RegistryWrite): Promise<WriteResult> {
  const [exe, ...args] = clientWriteArgv(o, w);
  return new Promise((resolve, reject) => {
    execFile(
      exe,
      args,
      { cwd: o.cwd, env: { ...(o.env ?? process.env), MLFLOW_ALLOW_FILE_STORE: 'true' }, signal: o.signal, timeout: o.timeoutMs ?? 120_000, maxBuffer: 4 << 20 },
      (err, stdout, stderr) => {
        if (err) {
          const mlflowSaid = /MLFLOW-ERROR (.*)/s.exec(stderr)?.[1]?.trim();
          if (mlflowSaid) return reject(new RegistryWriteError(mlflowSaid));
          const tail = stderr.trim().split('\n').slice(-3).join('\n');
          return reject(new Error(`${exe} could not run MLflow's client: ${tail || err.message}`));
        }
        try {
          resolve(JSON.parse(stdout.trim().split('\n').pop() ?? '{}') as WriteResult);
        } catch {
          resolve({});
        }
      },
    );
  });
}
