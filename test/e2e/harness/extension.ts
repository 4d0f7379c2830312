// Test-only extension. code-server refuses --extensionTestsPath, so this extension,
// installed beside ours, runs the E2E mocha suites inside the real extension host when
// it activates and writes the outcome to the file named by MLOPS_E2E_RESULTS.
// The same bundle is @vscode/test-electron's extensionTestsPath on desktop (`run`).
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { MlopsApi } from '../../../src/extension/api';

interface TestOutcome {
  title: string;
  file?: string;
  durationMs?: number;
  error?: string;
}

export interface HarnessResults {
  startedAt: string;
  durationMs: number;
  vscodeVersion: string;
  workspace: string | undefined;
  passes: TestOutcome[];
  failures: TestOutcome[];
  pending: TestOutcome[];
  /** What our extension's API reported (`MlopsApi.activation`), for the benchmark. */
  activation?: MlopsApi['activation'];
}

type MochaCtor = typeof import('mocha');

/** mocha lives in the repo's node_modules, not in this extension (it is never packaged). */
function loadMocha(): MochaCtor {
  const repo = process.env.MLOPS_E2E_REPO;
  if (!repo) throw new Error('MLOPS_E2E_REPO is not set: the harness needs the repo to load mocha from');
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const mod = require(path.join(repo, 'node_modules', 'mocha'));
  // mocha 12 is an ES module; require(esm) gives its namespace or its default export.
  return (typeof mod === 'function' ? mod : (mod.default ?? mod.Mocha)) as MochaCtor;
}

function suitesDir(): string {
  return process.env.MLOPS_E2E_SUITES ?? path.join(__dirname, 'suites');
}

function outcome(test: Mocha.Runnable, err?: unknown): TestOutcome {
  const o: TestOutcome = { title: test.fullTitle(), file: test.file && path.basename(test.file), durationMs: test.duration };
  if (err !== undefined) o.error = err instanceof Error ? `${err.message}${err.stack ? `\n${err.stack}` : ''}` : String(err);
  return o;
}

/** Runs every dist-test suite; never throws, a harness failure is reported as a failed test. */
export async function runSuites(): Promise<HarnessResults> {
  const started = Date.now();
  const results: HarnessResults = {
    startedAt: new Date(started).toISOString(),
    durationMs: 0,
    vscodeVersion: vscode.version,
    workspace: vscode.workspace.workspaceFolders?.[0]?.uri.fsPath,
    passes: [],
    failures: [],
    pending: [],
  };
  try {
    const Mocha = loadMocha();
    // MLOPS_E2E_GREP runs only the tests whose full title matches it (one suite while working on it).
    const grep = process.env.MLOPS_E2E_GREP;
    const mocha = new Mocha({ ui: 'bdd', timeout: 60000, color: false, reporter: 'spec', ...(grep ? { grep } : {}) });
    const dir = suitesDir();
    const files = fs.readdirSync(dir).filter((f) => f.endsWith('.test.js')).sort();
    if (!files.length) throw new Error(`no *.test.js suites in ${dir}`);
    for (const f of files) mocha.addFile(path.join(dir, f));
    await new Promise<void>((resolve) => {
      const runner = mocha.run(() => resolve());
      runner.on('pass', (t) => results.passes.push(outcome(t)));
      runner.on('fail', (t, err) => results.failures.push(outcome(t, err)));
      runner.on('pending', (t) => results.pending.push(outcome(t)));
    });
  } catch (err) {
    results.failures.push({ title: 'E2E harness', error: err instanceof Error ? (err.stack ?? err.message) : String(err) });
  }
  const ours = vscode.extensions.getExtension<MlopsApi>('mlops.mlops-workbench');
  if (ours?.isActive) results.activation = ours.exports?.activation;
  results.durationMs = Date.now() - started;
  return results;
}

function writeResults(file: string, results: HarnessResults): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  // Written whole, then renamed, so the runner polling for it never reads half a file.
  fs.writeFileSync(`${file}.tmp`, JSON.stringify(results, null, 2));
  fs.renameSync(`${file}.tmp`, file);
}

/** Only the window opened on MLOPS_E2E_WORKSPACE runs the suites (the runner opens others). */
function isTargetWindow(): boolean {
  const want = process.env.MLOPS_E2E_WORKSPACE;
  if (!want) return true;
  const have = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
  return !!have && path.resolve(have) === path.resolve(want);
}

export function activate(context: vscode.ExtensionContext): void {
  // The extension host's log folder (this extension's own log folder is inside it), so a
  // suite can read what our extension logged: MLOPS_E2E_EXTHOST_LOGS, test-only.
  process.env.MLOPS_E2E_EXTHOST_LOGS = path.dirname(context.logUri.fsPath);
  const file = process.env.MLOPS_E2E_RESULTS;
  if (!file || !isTargetWindow()) return;
  // The runner removes the file before it starts code-server: one that exists means this
  // window was reloaded after the suites ran (the panels' restore check); not twice.
  if (fs.existsSync(file)) return;
  void runSuites()
    .then((results) => writeResults(file, results))
    .catch((err) => {
      // Last resort: the runner must learn that the harness itself broke.
      fs.writeFileSync(file, JSON.stringify({ passes: [], pending: [], failures: [{ title: 'E2E harness', error: String(err) }] }));
    });
}

export function deactivate(): void {}

/** @vscode/test-electron's extensionTestsPath entry: fails the run if any test failed. */
export async function run(): Promise<void> {
  const results = await runSuites();
  if (process.env.MLOPS_E2E_RESULTS) writeResults(process.env.MLOPS_E2E_RESULTS, results);
  for (const f of results.failures) console.error(`FAIL ${f.title}\n${f.error ?? ''}`);
  if (results.failures.length) throw new Error(`${results.failures.length} E2E test(s) failed`);
}
