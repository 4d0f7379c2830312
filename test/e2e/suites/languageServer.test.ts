import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { MlopsApi } from '../../../src/extension/api';

const SOURCE = 'mlops';

// Used when the workspace has no dvc.yaml with a list item to plant the error in.
const FALLBACK_DVC_YAML = 'stages:\n  prepare:\n    cmd: python src/prepare.py\n    deps:\n      - data/raw\n';

function ours(uri: vscode.Uri): vscode.Diagnostic[] {
  return vscode.languages.getDiagnostics(uri).filter((d) => d.source === SOURCE);
}

/**
 * Resolves with our diagnostics for `uri` once `accept` likes them, re-checking on every
 * diagnostics change event (no polling, no sleeps); `ms` only bounds a hang.
 */
function diagnosticsWhen(uri: vscode.Uri, accept: (d: vscode.Diagnostic[]) => boolean, ms = 45000): Promise<vscode.Diagnostic[]> {
  return new Promise((resolve, reject) => {
    const check = (): boolean => {
      const d = ours(uri);
      if (!accept(d)) return false;
      cleanup();
      resolve(d);
      return true;
    };
    const sub = vscode.languages.onDidChangeDiagnostics((e) => {
      if (e.uris.some((u) => u.toString() === uri.toString())) check();
    });
    const timer = setTimeout(() => {
      cleanup();
      reject(new Error(`no matching diagnostics from "${SOURCE}" for ${uri.fsPath} within ${ms} ms; have ${JSON.stringify(ours(uri).map(show))}`));
    }, ms);
    function cleanup() {
      sub.dispose();
      clearTimeout(timer);
    }
    check();
  });
}

function show(d: vscode.Diagnostic) {
  const { start, end } = d.range;
  return { range: [start.line, start.character, end.line, end.character], message: d.message };
}

/**
 * The workspace's dvc.yaml (examples/) with `@` planted before the first list item's
 * value, written into `dir` with what the pipeline reads (params.yaml, src/; the fallback's
 * data/raw), so the server's semantic checks find the copy clean apart from the error.
 */
function plantedDvcYaml(dir: string): { text: string; line: number; start: number; end: number } {
  const folder = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
  const original = folder && fs.existsSync(path.join(folder, 'dvc.yaml')) ? fs.readFileSync(path.join(folder, 'dvc.yaml'), 'utf8') : '';
  if (original && folder) {
    for (const name of ['params.yaml', 'src']) {
      if (fs.existsSync(path.join(folder, name))) fs.cpSync(path.join(folder, name), path.join(dir, name), { recursive: true });
    }
  } else {
    fs.mkdirSync(path.join(dir, 'data'), { recursive: true });
    fs.writeFileSync(path.join(dir, 'data', 'raw'), '');
  }
  for (const source of [original, FALLBACK_DVC_YAML]) {
    const lines = source.split('\n');
    // A one-word list item (`- data/raw`): its whole value is the token the error covers.
    const line = lines.findIndex((l) => /^\s+- [^\s@#'"[{&*!|>%`]+\s*$/.test(l));
    if (line < 0) continue;
    const start = lines[line].indexOf('- ') + 2;
    lines[line] = `${lines[line].slice(0, start)}@${lines[line].slice(start).trimEnd()}`;
    // YAML reserves `@` as a first character: a syntax error from the `@` to the end of the value.
    return { text: lines.join('\n'), line, start, end: lines[line].length };
  }
  throw new Error('unreachable: the fallback dvc.yaml has a list item');
}

describe('MLOps language server in a real extension host', function () {
  this.timeout(60000);
  let dir: string;

  before(async () => {
    const ext = vscode.extensions.getExtension<MlopsApi>('mlops.mlops-workbench');
    assert.ok(ext, 'mlops.mlops-workbench is not installed');
    await (await ext.activate()).languageClientReady();
    // Outside the workspace, so the Pipelines view and examples/ stay as they are.
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mlops-e2e-ls-'));
  });

  after(() => {
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  it('reports a YAML syntax error in dvc.yaml at its exact range, and clears it once fixed', async () => {
    const planted = plantedDvcYaml(dir);
    const file = path.join(dir, 'dvc.yaml');
    fs.writeFileSync(file, planted.text);
    const uri = vscode.Uri.file(file);

    const doc = await vscode.workspace.openTextDocument(uri);
    const diagnostics = await diagnosticsWhen(uri, (d) => d.length > 0);
    assert.deepEqual(
      diagnostics.map(show),
      [{ range: [planted.line, planted.start, planted.line, planted.end], message: 'Plain value cannot start with reserved character @' }],
    );
    assert.equal(diagnostics[0].severity, vscode.DiagnosticSeverity.Error);

    // Removing the `@` through an editor edit (incremental sync) must clear it.
    const edit = new vscode.WorkspaceEdit();
    edit.delete(uri, new vscode.Range(planted.line, planted.start, planted.line, planted.start + 1));
    assert.ok(await vscode.workspace.applyEdit(edit));
    await diagnosticsWhen(uri, (d) => d.length === 0);
    await doc.save(); // a dirty document would hold up closing the window
  });

  it('reports a YAML syntax error in an MLproject file', async () => {
    const file = path.join(dir, 'MLproject');
    // Line 2: an unclosed flow mapping that runs to the end of the file.
    fs.writeFileSync(file, 'name: demo\nentry_points:\n  main: {command: "python train.py"\n');
    const uri = vscode.Uri.file(file);
    const doc = await vscode.workspace.openTextDocument(uri);
    assert.equal(doc.languageId, 'mlproject');
    const diagnostics = await diagnosticsWhen(uri, (d) => d.length > 0);
    assert.ok(
      diagnostics.some((d) => d.range.start.line === 2),
      `expected an error on line 3 (0-based 2): ${JSON.stringify(diagnostics.map(show))}`,
    );

    // Closing the mapping clears it (and leaves no problem behind in the Problems view).
    const edit = new vscode.WorkspaceEdit();
    edit.insert(uri, doc.lineAt(2).range.end, '}');
    assert.ok(await vscode.workspace.applyEdit(edit));
    await diagnosticsWhen(uri, (d) => d.length === 0);
    await doc.save();
  });
  it('re-checks an open dvc.yaml when a missing dep appears on disk', async function () {
    // Inside the workspace: the client only forwards file events of workspace folders.
    const root = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
    if (!root) return this.skip();
    const dir = fs.mkdtempSync(path.join(root, 'lsp-watch-'));
    try {
      fs.writeFileSync(path.join(dir, 'dvc.yaml'), 'stages:\n  copy:\n    cmd: cp data/input.csv out.csv\n    deps:\n      - data/input.csv\n    outs:\n      - out.csv\n');
      const uri = vscode.Uri.file(path.join(dir, 'dvc.yaml'));
      await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(uri));
      const before = await diagnosticsWhen(uri, (d) => d.length > 0);
      assert.deepEqual(before.map((d) => d.code), ['dep-missing']);
      assert.equal(before[0].range.start.line, 4);

      fs.mkdirSync(path.join(dir, 'data'));
      fs.writeFileSync(path.join(dir, 'data', 'input.csv'), 'a,b\n1,2\n');
      // No edit of dvc.yaml: only the file event can clear the warning.
      await diagnosticsWhen(uri, (d) => d.length === 0);
      await vscode.commands.executeCommand('workbench.action.closeActiveEditor');
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
