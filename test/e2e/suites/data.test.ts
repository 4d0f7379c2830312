import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { MlopsApi } from '../../../src/extension/api';
import type { ArtifactNode, DataNode, DataTreeProvider, VersionNode } from '../../../src/extension/data/dataTree';
import type { RevisionMetricsPanel } from '../../../src/extension/data/revisionMetricsPanel';

// The Data view on the example project after `dvc repro` ran it (test/e2e/exampleSandbox.mjs).
// The sandbox is a throw-away git repository with one commit; this suite gives it history
// — a baseline and a tuned model (tag release/0.1), three versions of a labels file —
// and leaves every file the other suites look at (model, dvc.lock, metrics) as it was.

async function tree(): Promise<DataTreeProvider> {
  const ext = vscode.extensions.getExtension<MlopsApi>('mlops.mlops-workbench');
  assert.ok(ext);
  return (await ext.activate()).views.data as unknown as DataTreeProvider;
}

const label = (item: vscode.TreeItem) => (typeof item.label === 'string' ? item.label : (item.label?.label ?? ''));

async function findArtifact(t: DataTreeProvider, p: string): Promise<ArtifactNode> {
  const walk = async (node?: DataNode): Promise<ArtifactNode | undefined> => {
    for (const child of await t.getChildren(node)) {
      if (child.kind === 'artifact' && child.artifact.path === p) return child;
      if (child.kind === 'folder' || child.kind === 'project') {
        const hit = await walk(child);
        if (hit) return hit;
      }
    }
    return undefined;
  };
  const found = await walk();
  assert.ok(found, `no artifact ${p} in the Data view`);
  return found;
}

async function versions(t: DataTreeProvider, p: string): Promise<VersionNode[]> {
  return (await t.getChildren(await findArtifact(t, p))).filter((n): n is VersionNode => n.kind === 'version');
}

function fileAppears(file: string, ms: number): Promise<boolean> {
  return new Promise((resolve) => {
    if (fs.existsSync(file)) return resolve(true);
    const w = fs.watch(path.dirname(file), () => fs.existsSync(file) && done(true));
    const t = setTimeout(() => done(fs.existsSync(file)), ms);
    const done = (v: boolean) => (w.close(), clearTimeout(t), resolve(v));
  });
}

async function waitFor(cond: () => Promise<boolean>, ms: number, what: string): Promise<void> {
  const end = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

describe('Data view: versions of data and models in git history', function () {
  this.timeout(120000);
  const folder = () => vscode.workspace.workspaceFolders![0].uri.fsPath;
  const file = (rel: string) => path.join(folder(), rel);
  const LABELS = ['id,label\n1,cat\n2,dog\n', 'id,label\n1,cat\n2,cat\n', 'id,label\n1,cat\n2,cat\n3,bird\n4,dog\n'];
  const saved: Record<string, string> = {};
  let dvc = '';
  let startCommit = '';

  const sh = (cmd: string, args: string[]) =>
    execFileSync(cmd, args, { cwd: folder(), encoding: 'utf8', env: { ...process.env, PATH: `${path.dirname(dvc)}${path.delimiter}${process.env.PATH}`, DVC_NO_ANALYTICS: '1' } }).trim();

  before(async function () {
    if (process.env.MLOPS_E2E_EXAMPLE_RAN !== '1') return this.skip(); // no peers' venv: the runner checks the welcome text instead
    dvc = vscode.workspace.getConfiguration('mlops').get<string>('dvc.path', '');
    assert.ok(dvc && fs.existsSync(dvc), `mlops.dvc.path (${dvc}) must point at the peers' dvc`);
    for (const f of ['models/model.pkl', 'dvc.lock', 'metrics.json']) saved[f] = fs.readFileSync(file(f), 'latin1');
    startCommit = sh('git', ['rev-parse', 'HEAD']);

    // A baseline model and its (worse) metrics, committed...
    const metrics = JSON.parse(saved['metrics.json']) as Record<string, number>;
    fs.writeFileSync(file('models/model.pkl'), 'baseline weights\n');
    fs.writeFileSync(file('metrics.json'), JSON.stringify(Object.fromEntries(Object.entries(metrics).map(([k, v]) => [k, Math.round(v * 0.8 * 1e4) / 1e4])), null, 2) + '\n');
    sh(dvc, ['commit', '-q', '-f', 'train']);
    sh('git', ['add', '-A']);
    sh('git', ['commit', '-q', '-m', 'Baseline model (linear, no tuning)']);
    // ...then the model the pipeline trained, exactly as it was: dvc.lock comes back identical.
    fs.writeFileSync(file('models/model.pkl'), saved['models/model.pkl'], 'latin1');
    fs.writeFileSync(file('metrics.json'), saved['metrics.json'], 'latin1');
    sh(dvc, ['commit', '-q', '-f', 'train']);
    assert.equal(fs.readFileSync(file('dvc.lock'), 'latin1'), saved['dvc.lock']);
    sh('git', ['add', '-A']);
    sh('git', ['commit', '-q', '-m', 'Train classifier (tuned eta0)']);
    sh('git', ['tag', 'release/0.1']);
    const subjects = ['Labels v1', 'Relabel row 2', 'Labels v3: two more rows'];
    fs.mkdirSync(file('datasets'), { recursive: true });
    LABELS.forEach((text, i) => {
      fs.writeFileSync(file('datasets/labels.csv'), text);
      sh(dvc, ['add', '-q', 'datasets/labels.csv']);
      sh('git', ['add', '-A']);
      sh('git', ['commit', '-q', '-m', subjects[i]]);
    });
    await (await tree()).refresh();
  });

  after(async () => {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    if (!dvc) return;
    // What the other suites see must be what the pipeline left: the files, and a git
    // history of the one commit the sandbox started with (the Runs view reads HEAD).
    for (const [f, text] of Object.entries(saved)) assert.equal(fs.readFileSync(file(f), 'latin1'), text, `${f} changed`);
    fs.rmSync(file('datasets'), { recursive: true, force: true });
    sh('git', ['tag', '-d', 'release/0.1']);
    sh('git', ['update-ref', 'refs/heads/main', startCommit]);
    sh('git', ['read-tree', startCommit]);
    assert.match(sh('git', ['status', '--porcelain']), /\?\? dvc\.lock/);
    await (await tree()).refresh();
  });

  it('lists the pipeline outputs and the tracked dataset, in sync, with sizes', async () => {
    const t = await tree();
    for (const p of ['data/prepared', 'models/model.pkl', 'datasets/labels.csv']) {
      const node = await findArtifact(t, p);
      const item = t.getTreeItem(node);
      assert.match(String(item.description), /\d+(\.\d)? (B|KB|MB) .*in sync$/, `${p}: ${item.description}`);
      assert.equal((item.iconPath as vscode.ThemeIcon).id, 'pass');
    }
    assert.match(String(t.getTreeItem(await findArtifact(t, 'data/prepared')).description), /\d+ files/);
  });

  it('lists the model versions with subject, release tag and the metrics of each commit', async () => {
    const t = await tree();
    const vs = await versions(t, 'models/model.pkl');
    assert.deepEqual(vs.map((v) => label(t.getTreeItem(v))), ['Train classifier (tuned eta0)', 'Baseline model (linear, no tuning)']);
    assert.match(String(t.getTreeItem(vs[0]).description), /^[0-9a-f]{7} · HEAD, main, tag release\/0\.1 · /);
    const tip = (t.getTreeItem(vs[1]).tooltip as vscode.MarkdownString).value;
    assert.match(tip, /test\\_accuracy \| 0\.\d+/);
    assert.notDeepEqual(vs[0].version.metrics, vs[1].version.metrics);
    assert.equal((t.getTreeItem(vs[0]).iconPath as vscode.ThemeIcon).id, 'pass-filled', 'the version in the workspace is marked');
  });

  it('shows the Data view with the versions expanded (screenshot)', async function () {
    const ready = process.env.MLOPS_E2E_DATA_SHOT_READY;
    const done = process.env.MLOPS_E2E_DATA_SHOT_DONE;
    if (!ready || !done) return this.skip(); // a runner without a browser
    const t = await tree();
    await vscode.commands.executeCommand('mlops.data.focus');
    assert.ok(t.view);
    assert.ok(await t.revealVersions(t.view, 'datasets/labels.csv'));
    assert.ok(await t.revealVersions(t.view, 'models/model.pkl'));
    fs.writeFileSync(ready, 'data');
    assert.ok(await fileAppears(done, 60000), 'the E2E runner did not take the screenshot within 60 s');
  });

  it('checks out an old version of the dataset and back', async () => {
    const t = await tree();
    const vs = await versions(t, 'datasets/labels.csv');
    assert.deepEqual(vs.map((v) => v.version.subject), ['Labels v3: two more rows', 'Relabel row 2', 'Labels v1']);
    assert.equal(await vscode.commands.executeCommand('mlops.data.checkoutVersion', vs[2], { ifUnsaved: 'cancel' }), true);
    assert.equal(fs.readFileSync(file('datasets/labels.csv'), 'utf8'), LABELS[0]);
    assert.equal(fs.readFileSync(file('datasets/labels.csv.dvc'), 'utf8'), sh('git', ['show', `${vs[2].version.commit}:datasets/labels.csv.dvc`]) + '\n');
    const back = (await versions(t, 'datasets/labels.csv'))[0];
    assert.equal(await vscode.commands.executeCommand('mlops.data.checkoutVersion', back, { ifUnsaved: 'cancel' }), true);
    assert.equal(fs.readFileSync(file('datasets/labels.csv'), 'utf8'), LABELS[2]);
    assert.equal(sh('git', ['status', '--porcelain', 'datasets']), '');
  });

  it('never loses an unsaved edit: refuses, or caches it first, before a checkout', async () => {
    const t = await tree();
    fs.writeFileSync(file('datasets/labels.csv'), 'my unsaved relabelling\n');
    await waitFor(async () => t.getTreeItem(await findArtifact(t, 'datasets/labels.csv')).description?.toString().endsWith('modified') ?? false, 20000, 'the view to show the edit');
    let vs = await versions(t, 'datasets/labels.csv');
    assert.equal(await vscode.commands.executeCommand('mlops.data.checkoutVersion', vs[1], { ifUnsaved: 'cancel' }), false);
    assert.equal(fs.readFileSync(file('datasets/labels.csv'), 'utf8'), 'my unsaved relabelling\n');
    assert.equal(await vscode.commands.executeCommand('mlops.data.checkoutVersion', vs[1], { ifUnsaved: 'cache' }), true);
    assert.equal(fs.readFileSync(file('datasets/labels.csv'), 'utf8'), LABELS[1]);
    const md5 = (await import('node:crypto')).createHash('md5').update('my unsaved relabelling\n').digest('hex');
    assert.equal(fs.readFileSync(file(`.dvc/cache/files/md5/${md5.slice(0, 2)}/${md5.slice(2)}`), 'utf8'), 'my unsaved relabelling\n');
    vs = await versions(t, 'datasets/labels.csv');
    assert.equal(await vscode.commands.executeCommand('mlops.data.checkoutVersion', vs[0], { ifUnsaved: 'cancel' }), true);
    assert.equal(fs.readFileSync(file('datasets/labels.csv'), 'utf8'), LABELS[2]);
  });

  it('gets an old version into a new path and compares two versions', async () => {
    const t = await tree();
    const vs = await versions(t, 'datasets/labels.csv');
    const dest = await vscode.commands.executeCommand<string>('mlops.data.getVersion', vs[2], { dest: 'datasets/labels@v1.csv' });
    try {
      assert.equal(dest, file('datasets/labels@v1.csv'));
      assert.equal(fs.readFileSync(dest, 'utf8'), LABELS[0]);
    } finally {
      fs.rmSync(file('datasets/labels@v1.csv'), { force: true });
    }
    const md = await vscode.commands.executeCommand<string>('mlops.data.compareVersions', vs[0], [vs[0], vs[2]]);
    assert.match(md, /# datasets\/labels\.csv: [0-9a-f]{7} \(Labels v1\) → [0-9a-f]{7} \(Labels v3: two more rows\)/);
    assert.match(md, /Size: 21 B → 34 B \(\+13 B\)/);
  });

  it('opens the metrics across revisions with the best value marked', async () => {
    const panel = await vscode.commands.executeCommand<RevisionMetricsPanel>('mlops.data.showMetricsTable');
    assert.ok(panel);
    // The webview's script ran under the panel's CSP and asked for its table.
    await panel.whenReady(30000);
    const msg = await panel.update();
    assert.equal(msg.type, 'table', JSON.stringify(msg));
    if (msg.type !== 'table') return;
    const revs = msg.rows.map((r) => r.rev);
    assert.ok(revs.includes('workspace') && revs.includes('main') && revs.includes('release/0.1'), JSON.stringify(revs));
    const acc = msg.columns.find((c) => c.file === 'metrics.json' && c.key === 'accuracy');
    assert.ok(acc, JSON.stringify(msg.columns.map((c) => c.id)));
    assert.equal(acc.direction, 'max');
    assert.ok(acc.bestRevs.includes('release/0.1'));
    assert.ok(msg.rows.some((r) => r.kind === 'commit' && r.values[acc.id] !== undefined && r.values[acc.id] < acc.best!), 'the baseline commit shows its lower accuracy');
  });
});
