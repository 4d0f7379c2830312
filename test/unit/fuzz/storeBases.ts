// The stores the fuzz starts from, made at test time: by the real tools when the peers
// venv is there (CI), else from what the repository's unit tests already build by hand;
// a kind with neither is skipped with its reason.
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, realpathSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { lossFile } from '../runs/eventFiles';
import type { StoreKind } from './readerChild';

const run = promisify(execFile);
const peer = path.join(__dirname, 'peers', 'fuzz_bases.py');
export const venvPython = path.resolve(__dirname, '../../../.venv-peers/bin/python');

export interface StoreBase {
  kind: StoreKind;
  /** What the reader is given. */
  location: string;
  /** The files a mutation may replace, relative to `location` ('' for the location itself). */
  files: string[];
  /** Who wrote it: the real tool or the repo's hand-made fixture. */
  origin: string;
  skipped?: string;
}

function filesUnder(root: string): string[] {
  const out: string[] = [];
  const walk = (rel: string) => {
    for (const name of readdirSync(path.join(root, rel))) {
      const r = rel ? `${rel}/${name}` : name;
      if (statSync(path.join(root, r)).isDirectory()) walk(r);
      else out.push(r);
    }
  };
  walk('');
  return out.sort();
}

const put = (file: string, text: string | Buffer) => {
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, text);
};

// The real tools take seconds to start (20 s on a loaded CI machine), so their bases are
// kept in the temp folder, keyed by the venv and the script that writes them.
async function peerBases(): Promise<string> {
  const key = createHash('sha1').update(realpathSync(venvPython)).update(readFileSync(peer)).digest('hex').slice(0, 12);
  const cache = path.join(tmpdir(), `mlops-fuzz-bases-${key}`);
  if (existsSync(path.join(cache, '.complete'))) return cache;
  const env = { ...process.env, MLFLOW_ALLOW_FILE_STORE: 'true', MLFLOW_DISABLE_TELEMETRY: 'true', DO_NOT_TRACK: 'true' };
  const fresh = mkdtempSync(`${cache}-`);
  await run(venvPython, [peer, 'all', fresh], { env, cwd: fresh, timeout: 170000 });
  writeFileSync(path.join(fresh, '.complete'), '');
  try {
    renameSync(fresh, cache);
  } catch {
    // Another run made it first: theirs is as good.
    rmSync(fresh, { recursive: true, force: true });
  }
  return cache;
}

const PEER_LAYOUT: Record<StoreKind, [string, string]> = {
  'mlflow.db': ['mlflow.db', 'mlflow'],
  mlruns: ['mlruns', 'mlflow'],
  tfevents: ['tb', 'tensorboard'],
  dvclive: ['dvclive', 'dvclive'],
};

function handMade(dir: string, kind: StoreKind): StoreBase {
  const why = `${venvPython} is missing (bash scripts/setup/peers.sh)`;
  if (kind === 'mlflow.db') return { kind, location: '', files: [], origin: '', skipped: `no mlflow.db base: ${why}, and the repo ships none` };
  const loc = path.join(dir, kind);
  if (kind === 'tfevents') put(path.join(loc, 'events.out.tfevents.1.host'), lossFile(20));
  if (kind === 'mlruns') {
    put(path.join(loc, '1/meta.yaml'), "experiment_id: '1'\nname: exp\nlifecycle_stage: active\n");
    put(path.join(loc, '1/r1/meta.yaml'), "run_id: r1\nrun_name: first\nexperiment_id: '1'\nstatus: 4\nstart_time: 10\nend_time: 20\nlifecycle_stage: active\n");
    put(path.join(loc, '1/r1/params/opt/lr'), '0.1');
    put(path.join(loc, '1/r1/tags/mlflow.runName'), 'first');
    put(path.join(loc, '1/r1/metrics/val/loss'), '100 0.5 0\n110 nan 1\n120 inf 1\n');
  }
  if (kind === 'dvclive') {
    put(path.join(loc, 'metrics.json'), '{\n    "loss": 0.2,\n    "val": {\n        "acc": 0.8\n    },\n    "step": 4\n}\n');
    put(path.join(loc, 'params.yaml'), 'lr: 0.1\nmodel:\n  depth: 3\n');
    put(path.join(loc, 'plots/metrics/loss.tsv'), 'step\tloss\n0\t1.0\n1\t0.5\n2\t0.3\n3\t0.25\n4\t0.2\n');
    put(path.join(loc, 'plots/metrics/val/acc.tsv'), 'step\tacc\n0\t0.0\n1\t0.2\n2\t0.4\n3\t0.6\n4\t0.8\n');
  }
  return { kind, location: loc, files: filesUnder(loc), origin: `hand-made as in test/unit/runs (${why})` };
}

/** All four bases: the real tools' when the peers venv is there, else the hand-made ones. */
export async function makeStoreBases(dir: string): Promise<StoreBase[]> {
  const kinds: StoreKind[] = ['mlflow.db', 'tfevents', 'mlruns', 'dvclive'];
  let peerDir: string | undefined;
  let why = '';
  if (existsSync(venvPython)) {
    try {
      peerDir = await peerBases();
    } catch (err) {
      why = `the peers venv could not write the bases: ${String((err as Error).message).slice(0, 300)}`;
    }
  }
  return kinds.map((kind) => {
    if (peerDir) {
      const [name, tool] = PEER_LAYOUT[kind];
      const location = path.join(peerDir, name);
      return { kind, location, files: kind === 'mlflow.db' ? [''] : filesUnder(location), origin: `written by ${tool} (peers venv)` };
    }
    const kdir = path.join(dir, kind.replace('.', '-'));
    mkdirSync(kdir, { recursive: true });
    const made = handMade(kdir, kind);
    if (!why) return made;
    return made.skipped ? { ...made, skipped: why } : { ...made, origin: `hand-made (${why})` };
  });
}
