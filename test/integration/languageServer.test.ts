import { strict as assert } from 'node:assert';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import * as path from 'node:path';
import { createMessageConnection, StreamMessageReader, StreamMessageWriter, type MessageConnection } from 'vscode-jsonrpc/node';

// The built server, standalone over stdio, as any LSP client would run it.
describe('language server over stdio (dist/server.js)', function () {
  this.timeout(30000);
  const serverJs = path.resolve(__dirname, '../../dist/server.js');
  let proc: ChildProcess;
  let conn: MessageConnection;
  const published: { uri: string; diagnostics: { range: unknown; message: string; source: string }[] }[] = [];
  let notify: (() => void) | undefined;

  before(async function () {
    assert.ok(existsSync(serverJs), `${serverJs} is missing: run npm run build first`);
    proc = spawn(process.execPath, [serverJs, '--stdio'], { stdio: ['pipe', 'pipe', 'inherit'] });
    conn = createMessageConnection(new StreamMessageReader(proc.stdout!), new StreamMessageWriter(proc.stdin!));
    conn.onNotification('textDocument/publishDiagnostics', (p) => {
      published.push(p);
      notify?.();
    });
    conn.listen();
    const init = await conn.sendRequest('initialize', { processId: process.pid, rootUri: null, capabilities: {} });
    assert.equal((init as { serverInfo: { name: string } }).serverInfo.name, 'mlops-language-server');
    await conn.sendNotification('initialized', {});
  });

  after(() => {
    conn?.dispose();
    proc?.kill();
  });

  function nextDiagnostics(uri: string): Promise<(typeof published)[number]> {
    return new Promise((resolve) => {
      const check = () => {
        const hit = published.find((p) => p.uri === uri);
        if (hit) {
          published.splice(published.indexOf(hit), 1);
          notify = undefined;
          resolve(hit);
        }
      };
      notify = check;
      check();
    });
  }

  it('publishes a YAML syntax error in dvc.yaml with its exact range', async () => {
    const uri = 'file:///tmp/project/dvc.yaml';
    const text = 'stages:\n  train:\n    cmd: python train.py\n  train:\n    cmd: again\n';
    await conn.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId: 'yaml', version: 1, text } });
    const { diagnostics } = await nextDiagnostics(uri);
    assert.equal(diagnostics.length, 1);
    assert.equal(diagnostics[0].source, 'mlops');
    assert.deepEqual(diagnostics[0].range, { start: { line: 3, character: 2 }, end: { line: 3, character: 7 } });
  });

  it('clears the diagnostics once the file is fixed', async () => {
    const uri = 'file:///tmp/project/dvc.yaml';
    await conn.sendNotification('textDocument/didChange', {
      textDocument: { uri, version: 2 },
      contentChanges: [{ text: 'stages:\n  train:\n    cmd: python train.py\n' }],
    });
    const { diagnostics } = await nextDiagnostics(uri);
    assert.deepEqual(diagnostics, []);
  });

  it('validates MLproject and leaves other YAML alone', async () => {
    await conn.sendNotification('textDocument/didOpen', {
      textDocument: { uri: 'file:///tmp/project/params.yaml', languageId: 'yaml', version: 1, text: 'a: [\n' },
    });
    const uri = 'file:///tmp/project/MLproject';
    await conn.sendNotification('textDocument/didOpen', {
      textDocument: { uri, languageId: 'mlproject', version: 1, text: 'name: demo\nentry_points: {main: \n' },
    });
    const { diagnostics } = await nextDiagnostics(uri);
    assert.ok(diagnostics.length >= 1);
    assert.equal(published.filter((p) => p.uri.endsWith('params.yaml')).length, 0);
  });

  it('answers code lenses with the command and [uri, name] arguments the extension registers', async () => {
    const uri = 'file:///tmp/project/lenses/MLproject';
    const text = 'name: demo\nentry_points:\n  main:\n    parameters: {lr: {type: float, default: 0.1}}\n    command: python train.py {lr}\n';
    await conn.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId: 'mlproject', version: 1, text } });
    type Lens = { range: { start: { line: number; character: number }; end: { line: number; character: number } }; command: { title: string; command: string; arguments: unknown[] } };
    const lenses = await conn.sendRequest<Lens[]>('textDocument/codeLens', { textDocument: { uri } });
    const key = { start: { line: 2, character: 2 }, end: { line: 2, character: 6 } };
    assert.deepEqual(lenses, [
      { range: key, command: { title: 'Run entry point', command: 'mlops.runMlflowEntryPoint', arguments: [uri, 'main'] } },
      { range: key, command: { title: 'Run with parameters…', command: 'mlops.runMlflowEntryPointWithParameters', arguments: [uri, 'main'] } },
      { range: key, command: { title: 'Run on cluster', command: 'mlops.runEntryPointOnCluster', arguments: [uri, 'main'] } },
    ]);
    const dvc = 'file:///tmp/project/lenses/dvc.yaml';
    await conn.sendNotification('textDocument/didOpen', { textDocument: { uri: dvc, languageId: 'yaml', version: 1, text: 'stages:\n  train:\n    cmd: python train.py\n' } });
    const stageLenses = await conn.sendRequest<Lens[]>('textDocument/codeLens', { textDocument: { uri: dvc } });
    assert.deepEqual(stageLenses.map((l) => [l.command.title, l.command.command, ...l.command.arguments]), [
      ['Run stage', 'mlops.runStage', dvc, 'train'],
      ['Run pipeline up to here', 'mlops.runPipelineUpTo', dvc, 'train'],
      ['Run in workspace', 'mlops.runStageInWorkspace', dvc, 'train'],
      ['Run on cluster', 'mlops.runStageOnCluster', dvc, 'train'],
    ]);
  });

  it('shuts down cleanly on request', async () => {
    await conn.sendRequest('shutdown');
    const exited = new Promise<number | null>((resolve) => proc.once('exit', resolve));
    await conn.sendNotification('exit');
    assert.equal(await exited, 0);
  });
});
