// Runs peers/models_peer.py (the real MLflow client) and parses the JSON line it prints last
// (MLflow prints lines of its own before it).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { mlflowEnv } from '../runs/mlflowReference';

const peer = path.join(__dirname, 'peers', 'models_peer.py');

// MLflow 3 falls back to ./mlflow.db and ./mlruns for what no URI names: never the repository.
let cwd: string | undefined;
process.on('exit', () => cwd && rmSync(cwd, { recursive: true, force: true }));

export function peerRun<T>(python: string, args: string[]): T {
  cwd ??= mkdtempSync(path.join(tmpdir(), 'mlops-models-peer-'));
  const out = execFileSync(python, [peer, ...args], { cwd, encoding: 'utf8', env: mlflowEnv, stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 256 << 20 });
  return JSON.parse(out.trim().split('\n').pop()!) as T;
}

/** What `serve-model` printed: the registered version, its storage, and pyfunc's predictions on the example rows. */
export interface ServingModel {
  version: string;
  storage: string;
  predictions: number[];
}

/** Registers a small classifier as `name` (alias champion) in the mlflow.db at `db`; its input example is its first `rows` rows. */
export function registerServingModel(python: string, db: string, name: string, opts: { seed: number; rows: number }): ServingModel {
  return peerRun<ServingModel>(python, ['serve-model', `sqlite:///${db}`, name, String(opts.seed), String(opts.rows)]);
}
