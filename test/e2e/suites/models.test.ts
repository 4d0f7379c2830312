import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import * as http from 'node:http';
import * as vscode from 'vscode';
import { runnerAsker } from '../askRunner';
import { waitFor } from '../waitFor';
import type { MlopsApi } from '../../../src/extension/api';
import { trackingUriOf } from '../../../src/extension/models/modelsActions';
import type { ModelsNode, ModelsTreeProvider } from '../../../src/extension/models/modelsTree';
import type { ServedEndpoint } from '../../../src/extension/models/servedEndpoints';
import type { TryModelPanel } from '../../../src/extension/models/tryModelPanel';

// The Models view on the example project after its pipeline ran (test/e2e/exampleSandbox.mjs:
// `examples-classifier` registered from the train run, @champion). A user's path through it:
// Register Model from Run… (from the registry's node: the train run, under a new name; from
// the logged model's node: a second version), Set Alias…, Serve Model
// Version… with MLflow's scoring server, Try Model (Send), Stop Serving. The QuickPick and
// InputBox answers and the Send click are the runner's (test/e2e/modelsChecks.mjs); MLflow's
// own client checks what the registry holds after each write.

const MODEL = 'e2e-classifier';
const ALIAS = 'e2e';

async function tree(): Promise<ModelsTreeProvider> {
  const ext = vscode.extensions.getExtension<MlopsApi>('mlops.mlops-workbench');
  assert.ok(ext);
  return (await ext.activate()).views.models as unknown as ModelsTreeProvider;
}

type Of<K extends ModelsNode['kind']> = Extract<ModelsNode, { kind: K }>;

async function modelNode(t: ModelsTreeProvider, name: string): Promise<Of<'model'> | undefined> {
  for (const reg of await t.getChildren()) {
    if (reg.kind !== 'registry') continue;
    const m = (await t.getChildren(reg)).find((n): n is Of<'model'> => n.kind === 'model' && n.model.name === name);
    if (m) return m;
  }
  return undefined;
}

/** MLflow's own client on the registry, through the peers' Python (the stand-in interpreter). */
function mlflowSays(trackingUri: string, code: string): string {
  const python = process.env.MLOPS_E2E_STUB_PYTHON;
  assert.ok(python, 'no peers Python for the MLflow client');
  const script = `import logging, sys\nlogging.disable(logging.WARNING)\nimport mlflow\nc = mlflow.MlflowClient(sys.argv[1])\n${code}`;
  return execFileSync(python, ['-c', script, trackingUri], { encoding: 'utf8', env: { ...process.env, MLFLOW_DISABLE_TELEMETRY: 'true' } }).trim().split('\n').pop() ?? '';
}

function post(url: string, body: string): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request(`${url}/invocations`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, agent: false }, (res) => {
      let text = '';
      res.on('data', (d: Buffer) => (text += d.toString('utf8')));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

const norm = (s: string) => s.replace(/\s+/g, ' ').trim();

describe('Models: register → alias → serve → try in code-server', function () {
  this.timeout(600000);
  const ask = runnerAsker('models', 180000);
  let t: ModelsTreeProvider;
  let endpoint: ServedEndpoint | undefined;

  before(async function () {
    if (process.env.MLOPS_E2E_EXAMPLE_RAN !== '1' || !process.env.MLOPS_E2E_STUB_PYTHON) return this.skip(); // no example registry here
    t = await tree();
  });
  after(async () => {
    if (endpoint && endpoint.state !== 'stopped') await endpoint.server.stop();
  });

  it('registers the train run\'s model under a new name, aliases it, serves it, and Try Model shows the server\'s predictions', async function () {
    const example = await modelNode(t, 'examples-classifier');
    assert.ok(example, 'the Models view does not list examples-classifier');
    const runId = example.model.versions[0]?.runId;
    assert.ok(runId, 'examples-classifier has no source run');
    const uri = trackingUriOf(example.reg);

    // Register Model from Run… on the registry's node: the user picks the train run (its logged
    // model is then the only candidate) and names the new model. This suite alone (MLOPS_E2E_GREP)
    // never shows the Runs view, so the picker's runs come from a listing the command waits for.
    const fromRegistry = vscode.commands.executeCommand('mlops.model.registerFromRun', { kind: 'registry', reg: example.reg });
    if (!process.env.MLOPS_E2E_SHOT_READY) return this.skip(); // no browser to answer
    await ask(`Register Model from Run… (registry node): the user picks the train run ${runId}`, 'answer', { titleIncludes: 'Register a model from which run', text: runId, rowIncludes: runId });
    await ask(`Register Model from Run… (registry node): the user names it ${MODEL}`, 'answer', { titleIncludes: 'Registered model name', text: MODEL });
    await fromRegistry;
    assert.equal(mlflowSays(uri, `print(c.get_model_version('${MODEL}', '1').run_id)`), runId);

    // Register Model from Run… on the train run's logged model (as from the "Logged models"
    // node): the only question is the name; a second version of the same model.
    const lm = example.reg.listing?.loggedModels.find((m) => m.runId === runId);
    assert.ok(lm, 'the registry lists no logged model of the train run');
    const registering = vscode.commands.executeCommand('mlops.model.registerFromRun', { kind: 'loggedModel', reg: example.reg, lm });
    await ask(`Register Model from Run… (logged model node): the user adds it to ${MODEL}`, 'answer', { titleIncludes: 'Registered model name', text: MODEL });
    await registering;
    assert.equal(mlflowSays(uri, `print(c.get_model_version('${MODEL}', '2').run_id)`), runId);

    await t.refresh();
    const model = await modelNode(t, MODEL);
    assert.ok(model, `the Models view does not list ${MODEL} after registering`);
    assert.deepEqual(model.model.versions.map((v) => v.version).sort(), ['1', '2']);
    assert.equal(String(t.getTreeItem(model).description).split(' · ')[0], '2 versions');
    // The example's DVC / GTO registry is the workspace folder itself: named as the folder, not by its absolute path.
    const gto = (await t.getChildren()).find((n) => n.kind === 'registry' && n.reg.kind === 'gto');
    assert.ok(gto, 'the Models view lists no DVC / GTO registry for the example (artifacts.yaml)');
    assert.equal(t.getTreeItem(gto).label, vscode.workspace.workspaceFolders![0].name);
    const v1 = model.model.versions.find((v) => v.version === '1');
    assert.ok(v1);
    const version: Of<'version'> = { kind: 'version', reg: model.reg, model: model.model, version: v1 };

    // Set Alias…
    const aliasing = vscode.commands.executeCommand('mlops.model.setAlias', version);
    await ask(`Set Alias…: the user types ${ALIAS}`, 'answer', { titleIncludes: 'Set Alias', text: ALIAS });
    await aliasing;
    assert.equal(mlflowSays(uri, `print(c.get_model_version_by_alias('${MODEL}', '${ALIAS}').version)`), '1');

    // Serve Model Version… with MLflow's scoring server.
    const serving = vscode.commands.executeCommand<ServedEndpoint | undefined>('mlops.model.serve', version);
    await ask('Serve Model Version…: the user picks MLflow\'s scoring server', 'answer', { titleIncludes: 'Serve', text: 'MLflow scoring server', rowIncludes: 'mlflow models serve' });
    endpoint = await serving;
    assert.ok(endpoint, 'Serve returned no endpoint');
    assert.equal(endpoint.state, 'healthy');
    const listed = await t.getChildren(version);
    assert.deepEqual(
      listed.map((n) => n.kind === 'endpoint' && n.endpoint.server.url),
      [endpoint.server.url],
    );

    // Try Model: the panel's Send shows what the server answers to the same body.
    const panel = await vscode.commands.executeCommand<TryModelPanel | undefined>('mlops.model.tryModel', version);
    assert.ok(panel, 'Try Model opened no panel');
    const body = await waitFor(async () => ((await panel.probe()).body || undefined), 'the Try Model body', 30000);
    const direct = await post(endpoint.server.url, JSON.stringify(JSON.parse(body)));
    assert.equal(direct.status, 200, direct.text);
    const predictions = (JSON.parse(direct.text) as { predictions: unknown }).predictions;
    const expect = norm(JSON.stringify(predictions, null, 2));
    await ask('Try Model: the user clicks Send; the panel shows the predictions (screenshot docs/screenshots/models-try-model.png)', 'trySend', {
      expect,
      shot: 'docs/screenshots/models-try-model.png',
      repo: process.env.MLOPS_E2E_REPO,
    });
    const shown = await panel.probe();
    assert.equal(shown.results.length, 1);
    assert.equal(shown.results[0].ok, true, shown.results[0].text);
    assert.equal(norm(shown.results[0].text), expect);

    // Stop Serving: the endpoint leaves the version, the port is free.
    await vscode.commands.executeCommand('mlops.model.stopServing', { ...version, kind: 'endpoint', endpoint });
    assert.equal(endpoint.state, 'stopped');
    assert.deepEqual(await t.getChildren(version), []);
  });
});
