import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { validatePipelineFile } from '../../src/core/pipelines/languageService';
import { nodePipelineFs } from '../../src/core/pipelines/nodePipelineFs';
import { requirePeer } from './harness';

// The rule table of src/core/pipelines/README.md against the real tools: for each
// fixture, the tool refuses the file ⇔ we report an error-severity diagnostic.
// One python process loads every fixture (python start-up is the slow part): DVC's own
// stage collection (what `dvc stage list` runs) and MLflow's load_project plus
// compute_command (what `mlflow run` runs before it starts anything).

interface Fixture {
  name: string;
  text: string;
  /** Other files of the fixture's folder. */
  files?: Record<string, string>;
}

const DVC: Fixture[] = [
  { name: 'valid', text: 'stages:\n  train:\n    cmd: python train.py\n    deps: [train.py]\n    outs:\n      - model.pkl:\n          cache: false\n' },
  { name: 'matrix-key', text: 'stages:\n  s:\n    matrix:\n      lr: [1, 2]\n      opt: [a, b]\n    cmd: echo ${key} ${item.lr} ${item.opt}\n' },
  { name: 'foreach-key', text: 'stages:\n  s:\n    foreach:\n      a: 1\n      b: 2\n    do:\n      cmd: echo ${key} ${item}\n' },
  { name: 'checkpoint', text: 'stages:\n  s:\n    cmd: x\n    outs:\n      - m.pkl:\n          checkpoint: true\n' },
  { name: 'outs-commented', text: 'stages:\n  s:\n    cmd: x\n    outs:\n      # - m.pkl\n' },
  { name: 'deps-null', text: 'stages:\n  s:\n    cmd: x\n    deps:\n' },
  { name: 'unknown-stage-key', text: 'stages:\n  s:\n    cmd: x\n    dep: [a]\n' },
  { name: 'unknown-out-option', text: 'stages:\n  s:\n    cmd: x\n    outs:\n      - m.pkl:\n          cahce: false\n' },
  { name: 'missing-cmd', text: 'stages:\n  s:\n    deps: [a]\n' },
  { name: 'frozen-string', text: 'stages:\n  s:\n    cmd: x\n    frozen: "yes"\n' },
  { name: 'undefined-var', text: 'stages:\n  s:\n    cmd: echo ${nope}\n' },
  { name: 'quoted-continuation', text: 'stages:\n  s:\n    cmd: "python x.py\n    --lr 1"\n' },
  { name: 'quoted-continuation-col0', text: "stages:\n  s:\n    cmd: 'python x.py\n--lr 1'\n" },
  { name: 'unclosed-quote', text: 'stages:\n  s:\n    cmd: "python x.py\n' },
  { name: 'duplicate-key', text: 'stages:\n  s:\n    cmd: a\n  s:\n    cmd: b\n' },
  { name: 'duplicate-out-option', text: 'stages:\n  s:\n    cmd: a\n    outs:\n      - m.pkl:\n          cache: false\n          cache: true\n' },
];

const ENV = { 'python_env.yaml': 'python: "3.10"\ndependencies: []\n' };
const ML: Fixture[] = [
  { name: 'valid', files: ENV, text: 'name: x\npython_env: python_env.yaml\nentry_points:\n  main:\n    parameters:\n      lr: {type: float, default: 0.1}\n      data: path\n    command: "python t.py {lr} {data}"\n' },
  { name: 'other-types', text: 'name: x\nentry_points:\n  main:\n    parameters:\n      a: {type: str, default: b}\n      c: {type: bool, default: true}\n      d: {type: integer, default: 3}\n    command: "python t.py {a} {c} {d}"\n' },
  { name: 'param-description', text: 'name: x\nentry_points:\n  main:\n    parameters:\n      a: {type: float, default: 1, description: the rate}\n    command: "python t.py {a}"\n' },
  { name: 'unknown-top-key', text: 'name: x\nversion: 2\nentry_points:\n  main:\n    command: python t.py\n' },
  { name: 'unknown-entry-key', text: 'name: x\nentry_points:\n  main:\n    desc: y\n    command: python t.py\n' },
  { name: 'bad-default', text: 'name: x\nentry_points:\n  main:\n    parameters:\n      n: {type: int, default: 1.5}\n    command: "python t.py {n}"\n' },
  { name: 'empty', text: '' },
  { name: 'comments-only', text: '# to do\n' },
  { name: 'two-envs', files: { ...ENV, 'conda.yaml': 'name: x\n' }, text: 'name: x\npython_env: python_env.yaml\nconda_env: conda.yaml\nentry_points:\n  main:\n    command: python t.py\n' },
  { name: 'docker-no-image', text: 'name: x\ndocker_env:\n  volumes: [a]\nentry_points:\n  main:\n    command: python t.py\n' },
  { name: 'env-file-missing', text: 'name: x\nconda_env: conda.yaml\nentry_points:\n  main:\n    command: python t.py\n' },
  { name: 'param-number', text: 'name: x\nentry_points:\n  main:\n    parameters:\n      a: 5\n    command: "python t.py {a}"\n' },
  { name: 'undefined-param', text: 'name: x\nentry_points:\n  main:\n    command: "python t.py {nope}"\n' },
  { name: 'missing-command', text: 'name: x\nentry_points:\n  main:\n    parameters: {a: float}\n' },
  { name: 'quoted-continuation', text: 'name: x\nentry_points:\n  main:\n    parameters:\n      lr: {type: float, default: 0.1}\n    command: "python t.py\n    --lr {lr}"\n' },
  // PyYAML keeps the last of duplicate keys: the earlier (broken) ones do not count...
  { name: 'duplicate-key', text: 'name: x\nname: y\nentry_points:\n  main:\n    command: "python t.py {nope}"\n  main:\n    parameters:\n      a: 5\n      a: float\n    command: "python t.py {a}"\n' },
  // ...and a broken last one does.
  { name: 'duplicate-key-last-broken', text: 'name: x\nentry_points:\n  main:\n    command: python t.py\n  main:\n    command: "python t.py {nope}"\n' },
];

// Prints one JSON line {kind/name: error text or null} for every fixture folder.
const LOADER = String.raw`
import json, os, sys
from dvc.repo import Repo
from mlflow.projects._project_spec import load_project
root = sys.argv[1]
out = {}
for name in sorted(os.listdir(os.path.join(root, "dvc"))):
    d = os.path.join(root, "dvc", name)
    try:
        Repo.init(d, no_scm=True)
        with Repo(d) as repo:
            repo.stage.collect()
        out["dvc/" + name] = None
    except Exception as e:
        out["dvc/" + name] = type(e).__name__ + ": " + str(e)
for name in sorted(os.listdir(os.path.join(root, "mlproject"))):
    d = os.path.join(root, "mlproject", name)
    try:
        project = load_project(d)
        for ep in project._entry_points.values():
            given = {p.name: "s3://b/k" if p.type == "uri" else "1" for p in ep.parameters.values()}
            ep.compute_command(given, None)
        out["mlproject/" + name] = None
    except Exception as e:
        out["mlproject/" + name] = type(e).__name__ + ": " + str(e)
print(json.dumps(out))
`;

describe('pipeline diagnostics severity against dvc and mlflow', function () {
  this.timeout(300000);
  let dir = '';
  let refused: Record<string, string | null> = {};

  before(function () {
    const python = requirePeer(this, 'python');
    dir = mkdtempSync(path.join(tmpdir(), 'mlops-severity-'));
    for (const [kind, file, fixtures] of [['dvc', 'dvc.yaml', DVC], ['mlproject', 'MLproject', ML]] as const) {
      for (const f of fixtures) {
        const d = path.join(dir, kind, f.name);
        mkdirSync(d, { recursive: true });
        writeFileSync(path.join(d, file), f.text);
        for (const [p, t] of Object.entries(f.files ?? {})) writeFileSync(path.join(d, p), t);
      }
    }
    const env = { ...process.env, DVC_NO_ANALYTICS: '1', MLFLOW_TRACKING_URI: `file://${dir}/mlruns` };
    const stdout = execFileSync(python, ['-c', LOADER, dir], { env, encoding: 'utf8', maxBuffer: 16 << 20 });
    refused = JSON.parse(stdout.trim().split('\n').pop() ?? '{}') as Record<string, string | null>;
    if (process.env.SEVERITY_DEBUG) console.log(refused);
  });

  after(() => dir && rmSync(dir, { recursive: true, force: true }));

  for (const [kind, file, fixtures] of [['dvc', 'dvc.yaml', DVC], ['mlproject', 'MLproject', ML]] as const) {
    for (const f of fixtures) {
      it(`${kind} ${f.name}: an error from us exactly when the tool refuses`, () => {
        const key = `${kind}/${f.name}`;
        assert.ok(key in refused, `the loader did not report ${key}`);
        const folder = path.join(dir, kind, f.name);
        const ours = validatePipelineFile(path.join(folder, file), f.text, nodePipelineFs(folder));
        const errors = ours.filter((d) => d.severity === 'error');
        const theirs = refused[key];
        assert.equal(
          errors.length > 0,
          theirs !== null,
          `${key}: the tool ${theirs === null ? 'accepts it' : `refuses it (${theirs})`}; our errors: ${JSON.stringify(errors.map((d) => `${d.code}: ${d.message}`))}`,
        );
      });
    }
  }
});
