import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { waitFor } from '../waitFor';

// `dvc` from the interpreter selected in the Python extension, as a user gets it with no
// setting and no dvc on PATH. The Python extension here is NOT ms-python.python: the real
// one cannot be downloaded on the test machines, so the runner installs
// test/e2e/fixtures/python-api-stub under its id. That stand-in has the same API SHAPE
// (@vscode/python-extension's `environments`) and nothing else: it reports the peers' venv
// (MLOPS_E2E_STUB_PYTHON) as selected until a test calls updateActiveEnvironmentPath,
// which fires onDidChangeActiveEnvironmentPath as picking another interpreter does.
// What runs is real: `dvc repro -s` tasks in the example sandbox, with that venv's dvc.

interface StubEnvironments {
  getActiveEnvironmentPath(): { id: string; path: string };
  updateActiveEnvironmentPath(env: string): Promise<void>;
}

/** A file under `dir` named `name` that runs `target` with its arguments (a venv's bin/ entry). */
function wrapper(dir: string, name: string, target: string): string {
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, name);
  fs.writeFileSync(file, `#!/bin/sh\nexec '${target}' "$@"\n`, { mode: 0o755 });
  return file;
}

/** Every log file our extension wrote in this extension host (the "MLOps Workbench" output channel). */
function ourLog(): string {
  const root = process.env.MLOPS_E2E_EXTHOST_LOGS;
  if (!root) return '';
  const dir = path.join(root, 'mlops.mlops-workbench');
  if (!fs.existsSync(dir)) return '';
  return fs
    .readdirSync(dir)
    .filter((f) => f.endsWith('.log'))
    .map((f) => fs.readFileSync(path.join(dir, f), 'utf8'))
    .join('\n');
}

/** Runs "Run Stage" on `stage`; resolves with the executable its task ran and the exit code. */
async function runStage(dvcYaml: vscode.Uri, stage: string): Promise<{ exe: string | undefined; exitCode: number | undefined }> {
  let exe: string | undefined;
  let timer: NodeJS.Timeout | undefined;
  const subs: vscode.Disposable[] = [];
  const ended = new Promise<number | undefined>((resolve, reject) => {
    timer = setTimeout(() => reject(new Error(`dvc repro -s ${stage} did not start and end within 90 s`)), 90000);
    subs.push(
      vscode.tasks.onDidStartTask((e) => {
        if (e.execution.task.definition.type === 'mlops-dvc') exe = (e.execution.task.execution as { process?: string } | undefined)?.process;
      }),
      vscode.tasks.onDidEndTaskProcess((e) => {
        if (e.execution.task.definition.type === 'mlops-dvc') resolve(e.exitCode);
      }),
    );
  });
  try {
    await vscode.commands.executeCommand('mlops.runStage', dvcYaml, stage);
    // `exe` is set by the start event: read it only after the task ended.
    const exitCode = await ended;
    return { exe, exitCode };
  } finally {
    clearTimeout(timer);
    subs.forEach((s) => s.dispose());
  }
}

describe('dvc and mlflow from the interpreter selected in the Python extension (a stand-in for its API)', function () {
  this.timeout(240000);
  let environments: StubEnvironments;
  let peersPython: string;
  let dvcYaml: vscode.Uri;
  let previousDvcPath = '';
  let tmp: string | undefined;
  const config = () => vscode.workspace.getConfiguration('mlops');

  async function setDvcPath(value: string) {
    await config().update('dvc.path', value, vscode.ConfigurationTarget.Global);
    await waitFor(() => config().get<string>('dvc.path', '') === value || undefined, `mlops.dvc.path to read "${value}"`);
  }

  before(async function () {
    // Needs the peers' venv (the stand-in points at it) and the sandbox where the pipeline ran.
    peersPython = process.env.MLOPS_E2E_STUB_PYTHON ?? '';
    if (process.env.MLOPS_E2E_EXAMPLE_RAN !== '1' || !peersPython) return this.skip();
    const stub = vscode.extensions.getExtension<{ environments: StubEnvironments }>('ms-python.python');
    assert.ok(stub, 'the runner did not install the ms-python.python stand-in (test/e2e/fixtures/python-api-stub)');
    environments = (await stub.activate()).environments;
    assert.equal(environments.getActiveEnvironmentPath().path, peersPython);
    // The point of the test: without the Python extension there would be no dvc at all.
    const onPath = (process.env.PATH ?? '').split(path.delimiter).filter((d) => d && fs.existsSync(path.join(d, 'dvc')));
    assert.deepEqual(onPath, [], 'dvc must not be on the extension host PATH for this test');
    dvcYaml = vscode.Uri.file(path.join(vscode.workspace.workspaceFolders![0].uri.fsPath, 'dvc.yaml'));
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'mlops-e2e-pyenv-'));
    // The runner points mlops.dvc.path at the peers' dvc for the other suites: none here.
    previousDvcPath = config().get<string>('dvc.path', '');
    await setDvcPath('');
  });

  after(async () => {
    if (!environments) return;
    await environments.updateActiveEnvironmentPath(peersPython);
    await setDvcPath(previousDvcPath);
    if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
  });

  it("runs a stage with the selected venv's dvc and says so in the log", async () => {
    const expected = path.join(path.dirname(peersPython), 'dvc');
    const { exe, exitCode } = await runStage(dvcYaml, 'prepare');
    assert.equal(exe, expected, 'the task did not run the dvc beside the selected interpreter');
    assert.equal(exitCode, 0);
    const line = `dvc: ${expected} (the environment of ${peersPython}, selected in the Python extension)`;
    await waitFor(() => ourLog().includes(line) || undefined, `the log line "${line}"`);
  });

  it("gives the MLproject's entry point tasks the selected venv's mlflow", async () => {
    const expected = path.join(path.dirname(peersPython), 'mlflow');
    // A task list is built without waiting for the Python extension: the first listing may
    // come before its answer, the next ones follow it.
    const processes = await waitFor(async () => {
      const tasks = await vscode.tasks.fetchTasks({ type: 'mlops-mlflow' });
      const seen = tasks.map((t) => (t.execution as { process?: string } | undefined)?.process);
      return seen.length && seen.every((p) => p === expected) ? seen : undefined;
    }, `every mlops-mlflow task to run ${expected}`);
    assert.ok(processes.length >= 1);
    const line = `mlflow: ${expected} (the environment of ${peersPython}, selected in the Python extension)`;
    await waitFor(() => ourLog().includes(line) || undefined, `the log line "${line}"`);
  });

  it('follows when another interpreter is selected (onDidChangeActiveEnvironmentPath)', async () => {
    // Another environment: its python and dvc are the peers' behind wrappers, at other paths.
    const bin = path.join(tmp!, 'other-env', 'bin');
    const python = wrapper(bin, 'python', peersPython);
    const dvc = wrapper(bin, 'dvc', path.join(path.dirname(peersPython), 'dvc'));
    await environments.updateActiveEnvironmentPath(python);
    const { exe, exitCode } = await runStage(dvcYaml, 'prepare');
    assert.equal(exe, dvc, 'the lookup did not follow the newly selected interpreter');
    assert.equal(exitCode, 0);
    const line = `dvc: ${dvc} (the environment of ${python}, selected in the Python extension)`;
    await waitFor(() => ourLog().includes(line) || undefined, `the log line "${line}"`);
  });

  it('lets mlops.dvc.path win over the selected interpreter', async () => {
    const configured = wrapper(path.join(tmp!, 'configured'), 'dvc', path.join(path.dirname(peersPython), 'dvc'));
    await setDvcPath(configured);
    const { exe, exitCode } = await runStage(dvcYaml, 'prepare');
    assert.equal(exe, configured);
    assert.equal(exitCode, 0);
    await waitFor(() => ourLog().includes(`dvc: ${configured} (mlops.dvc.path)`) || undefined, 'the log line naming mlops.dvc.path');
  });
});
