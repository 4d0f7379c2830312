// MLflow's own client, kept running: one `python -c` with the configured interpreter that
// imports mlflow once and then creates runs, sets tags and logs artifacts on request (JSON
// lines on stdin/stdout). Importing mlflow takes seconds; a warm helper creates a run in
// tens of milliseconds, which is what keeps provenance off a launch's critical path. We
// never write mlflow.db ourselves: MLflow's client does, with MLflow's schema.
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { createInterface } from 'node:readline';

const SCRIPT = String.raw`
import json, os, sys
try:
    import mlflow
    from mlflow.tracking import MlflowClient
    from mlflow.entities import RunTag
except Exception as e:
    print(json.dumps({"ready": False, "error": "mlflow cannot be imported: %s" % e}), flush=True)
    sys.exit(3)
clients = {}
def client(uri):
    if uri not in clients:
        clients[uri] = MlflowClient(tracking_uri=uri)
    return clients[uri]
def create(r):
    if r.get("cwd"):
        os.chdir(r["cwd"])  # a new experiment's artifact root is ./mlruns of the project
    c = client(r["uri"])
    if r.get("experimentId"):
        exp_id = r["experimentId"]
    else:
        exp = c.get_experiment_by_name(r["experiment"])
        exp_id = exp.experiment_id if exp else c.create_experiment(r["experiment"])
    run = c.create_run(exp_id, tags=r.get("tags") or {}, run_name=r.get("runName"))
    problem = None
    if r.get("project"):
        # mlflow run --run-id logs no params (it does only for runs it makes): log them as
        # it would, with its own code (declared params with their defaults, then extra ones).
        try:
            from mlflow.entities import Param
            from mlflow.projects import _project_spec
            ep = _project_spec.load_project(r.get("cwd") or ".").get_entry_point(r["project"]["entryPoint"])
            final, extra = ep.compute_parameters(r["project"].get("parameters") or {}, storage_dir=None)
            items = list(final.items()) + list(extra.items())
            for i in range(0, len(items), 100):
                c.log_batch(run.info.run_id, params=[Param(k, str(v)) for k, v in items[i:i + 100]])
        except Exception as e:
            problem = "the entry point's params were not logged: %s" % e
    return {"runId": run.info.run_id, "experimentId": exp_id, "artifactUri": run.info.artifact_uri, "problem": problem}
def tags(r):
    c = client(r["uri"])
    items = list((r.get("tags") or {}).items())
    for i in range(0, len(items), 100):
        c.log_batch(r["runId"], tags=[RunTag(k, v) for k, v in items[i:i + 100]])
    return True
def text(r):
    client(r["uri"]).log_text(r["runId"], r["text"], r["path"])
    return True
def end(r):
    c = client(r["uri"])
    if c.get_run(r["runId"]).info.status == "RUNNING":
        c.set_terminated(r["runId"], r["status"])
    return True
def get(r):
    run = client(r["uri"]).get_run(r["runId"])
    return {"status": run.info.status, "experimentId": run.info.experiment_id, "artifactUri": run.info.artifact_uri,
            "metrics": run.data.metrics, "params": run.data.params, "tags": run.data.tags}
def artifact(r):
    import mlflow.artifacts
    return mlflow.artifacts.load_text("runs:/%s/%s" % (r["runId"], r["path"]))
def imported(r):
    # A reproduction that ran on another host logged into a store there (brought home as
    # a folder): its newest run's metric histories and params go onto the run made here.
    import time
    from mlflow.entities import Metric, Param
    c = client(r["uri"])
    have = c.get_run(r["runId"]).data.params
    metrics, params, conflicts, runs, artifact_uri = [], [], [], 0, None
    if r.get("from"):
        src = MlflowClient(tracking_uri=r["from"])
        exps = [e.experiment_id for e in src.search_experiments()]
        found = src.search_runs(exps, max_results=1, order_by=["attributes.start_time DESC"]) if exps else []
        for run in found:
            runs += 1
            artifact_uri = run.info.artifact_uri
            for k in list(run.data.metrics)[:1000]:
                metrics += src.get_metric_history(run.info.run_id, k)[:100000]
            for k, v in run.data.params.items():
                if k not in have:
                    params.append(Param(k, v))
                elif have[k] != v:
                    conflicts.append(k)
    now = int(time.time() * 1000)
    for k, v in (r.get("metrics") or {}).items():
        metrics.append(Metric(k, float(v), now, int(r.get("step") or 0)))
    for i in range(0, len(metrics), 1000):
        c.log_batch(r["runId"], metrics=metrics[i:i + 1000])
    for i in range(0, len(params), 100):
        c.log_batch(r["runId"], params=params[i:i + 100])
    return {"runs": runs, "metrics": len(metrics), "params": len(params), "conflicts": conflicts, "artifactUri": artifact_uri}
def artifacts(r):
    client(r["uri"]).log_artifacts(r["runId"], r["dir"], r.get("artifactPath"))
    return True
ops = {"import": imported, "artifacts": artifacts, "create": create, "tags": tags, "text": text, "end": end, "get": get, "artifact": artifact}
print(json.dumps({"ready": True, "version": mlflow.__version__}), flush=True)
for line in sys.stdin:
    try:
        r = json.loads(line)
    except Exception:
        continue
    try:
        if r["op"] == "artifact":
            mlflow.set_tracking_uri(r["uri"])
        out = {"id": r["id"], "ok": True, "value": ops[r["op"]](r)}
    except Exception as e:
        out = {"id": r.get("id"), "ok": False, "error": "%s: %s" % (type(e).__name__, e)}
    print(json.dumps(out), flush=True)
`;

export interface CreatedRun {
  runId: string;
  experimentId: string;
  artifactUri: string;
  /** Set when the run was made but part of it (the entry point's params) was not. */
  problem?: string | null;
}

export interface RunRecord {
  status: string;
  experimentId: string;
  artifactUri: string;
  metrics: Record<string, number>;
  params: Record<string, string>;
  tags: Record<string, string>;
}

export interface ImportedResults {
  runs: number;
  metrics: number;
  params: number;
  conflicts: string[];
  /** Where the imported run (`from`) kept its artifacts, as its store recorded it. */
  artifactUri?: string | null;
}

type Pending = { resolve: (v: unknown) => void; reject: (e: Error) => void };

export class MlflowHelper {
  private child: ChildProcessWithoutNullStreams | undefined;
  private ready: Promise<void> | undefined;
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  private idle: NodeJS.Timeout | undefined;
  private stderr = '';

  /** `idleMs`: the helper exits after this long without a request (a later one starts it again). */
  constructor(
    private readonly python: string,
    private readonly idleMs = 15 * 60_000,
    private readonly env: NodeJS.ProcessEnv = process.env,
  ) {}

  get interpreter(): string {
    return this.python;
  }

  /** Starts the helper (if not running) and waits until mlflow is imported. */
  warm(): Promise<void> {
    if (this.ready) return this.ready;
    const child = spawn(this.python, ['-c', SCRIPT], { stdio: ['pipe', 'pipe', 'pipe'], env: { ...this.env, PYTHONUNBUFFERED: '1', MLFLOW_ENABLE_ASYNC_LOGGING: 'false' }, windowsHide: true });
    this.child = child;
    this.stderr = '';
    child.stderr.on('data', (d: Buffer) => void (this.stderr = (this.stderr + d.toString('utf8')).slice(-4000)));
    const lines = createInterface({ input: child.stdout });
    this.ready = new Promise<void>((resolve, reject) => {
      let started = false;
      lines.on('line', (line) => {
        let msg: { ready?: boolean; error?: string; id?: number; ok?: boolean; value?: unknown };
        try {
          msg = JSON.parse(line) as typeof msg;
        } catch {
          return; // a library printing to stdout
        }
        if (!started && 'ready' in msg) {
          started = true;
          return msg.ready ? resolve() : reject(new Error(msg.error ?? 'the MLflow helper did not start'));
        }
        const p = msg.id === undefined ? undefined : this.pending.get(msg.id);
        if (!p || msg.id === undefined) return;
        this.pending.delete(msg.id);
        if (msg.ok) p.resolve(msg.value);
        else p.reject(new Error(msg.error ?? 'MLflow failed'));
      });
      const gone = (why: string) => {
        const err = new Error(`the MLflow helper (${this.python}) ${why}${this.stderr.trim() ? `: ${this.stderr.trim().split('\n').slice(-1)[0]}` : ''}`);
        if (!started) reject(err);
        for (const p of this.pending.values()) p.reject(err);
        this.pending.clear();
        if (this.child === child) Object.assign(this, { child: undefined, ready: undefined });
      };
      child.on('error', (e) => gone(`could not start (${e.message})`));
      child.on('exit', (code) => gone(`exited (${code})`));
    });
    this.ready.catch(() => undefined);
    return this.ready;
  }

  private async call<T>(op: string, args: Record<string, unknown>): Promise<T> {
    await this.warm();
    const child = this.child;
    if (!child) throw new Error('the MLflow helper is not running');
    if (this.idle) clearTimeout(this.idle);
    this.idle = setTimeout(() => this.dispose(), this.idleMs);
    this.idle.unref?.();
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      child.stdin.write(`${JSON.stringify({ id, op, ...args })}\n`);
    });
  }

  /** `project`: for `mlflow run --run-id`, the entry point and its -P values, logged as params the way `mlflow run` logs them on runs it makes. */
  createRun(uri: string, o: { experiment: string; experimentId?: string; tags: Record<string, string>; runName?: string; cwd?: string; project?: { entryPoint: string; parameters: Record<string, string> } }): Promise<CreatedRun> {
    return this.call('create', { uri, ...o });
  }
  setTags(uri: string, runId: string, tags: Record<string, string>): Promise<void> {
    return this.call('tags', { uri, runId, tags });
  }
  logText(uri: string, runId: string, path: string, text: string): Promise<void> {
    return this.call('text', { uri, runId, path, text });
  }
  /** Marks the run ended with `status` unless the process already ended it. */
  endRun(uri: string, runId: string, status: 'FINISHED' | 'FAILED' | 'KILLED'): Promise<void> {
    return this.call('end', { uri, runId, status });
  }
  getRun(uri: string, runId: string): Promise<RunRecord> {
    return this.call('get', { uri, runId });
  }
  loadArtifactText(uri: string, runId: string, path: string): Promise<string> {
    return this.call('artifact', { uri, runId, path });
  }
  /**
   * Onto `runId`: the metric histories and params of the newest run in the store at `from`
   * (a params key the run already has with another value is left, and named), and `metrics`
   * (a summary, logged at `step`).
   */
  importResults(uri: string, runId: string, o: { from?: string; metrics?: Record<string, number>; step?: number }): Promise<ImportedResults> {
    return this.call('import', { uri, runId, ...o });
  }

  /** The files under the local folder `dir` logged as artifacts of `runId` (under `artifactPath`). */
  logArtifacts(uri: string, runId: string, dir: string, artifactPath?: string): Promise<void> {
    return this.call('artifacts', { uri, runId, dir, artifactPath });
  }

  dispose(): void {
    if (this.idle) clearTimeout(this.idle);
    this.child?.stdin.end();
    this.child?.kill();
    this.child = undefined;
    this.ready = undefined;
  }
}
