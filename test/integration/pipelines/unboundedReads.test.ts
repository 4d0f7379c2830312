import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { ServerProcess, serverPerSuite, type Published } from './serverProcess';

// Issue 13 item 5: a params.yaml a repository commits as a link to /dev/urandom, a FIFO, a
// file over the 10 MB cap or a link out of the workspace, fed to the built server over
// stdio (child process, 1 GB heap). Each must cost one warning for that file, within a
// deadline, while the rest of dvc.yaml is still checked.

const DVC_YAML = ['vars:', '  - other.yaml', 'stages:', '  train:', '    cmd: python train.py ${lr} ${b}', '    params:', '      - lr', '  eval:', '    cmdd: x', ''].join('\n');

describe('language server on params files it must not read (dist/server.js, child process)', function () {
  this.timeout(120000);
  let dir = '';
  let server: ServerProcess;
  let n = 0;

  /** A fresh folder with dvc.yaml's other files; `params` makes its params.yaml. */
  const project = (base: string, params: (file: string) => void) => {
    const f = path.join(base, String(n++));
    mkdirSync(f, { recursive: true });
    writeFileSync(path.join(f, 'other.yaml'), 'b: 2\n');
    params(path.join(f, 'params.yaml'));
    return pathToFileURL(path.join(f, 'dvc.yaml')).toString();
  };

  /** Opens dvc.yaml and checks: diagnostics in time, one file-not-read warning, the rest checked. */
  async function expectOneWarning(s: ServerProcess, uri: string, reason: RegExp): Promise<Published['diagnostics']> {
    const started = Date.now();
    await s.open(uri, DVC_YAML);
    const { diagnostics } = await s.diagnostics(uri, 20000);
    assert.ok(Date.now() - started < 20000, `took ${Date.now() - started} ms`);
    const notRead = diagnostics.filter((d) => d.code === 'file-not-read');
    assert.equal(notRead.length, 1, JSON.stringify(diagnostics));
    assert.match(notRead[0].message, /^params\.yaml /);
    assert.match(notRead[0].message, reason);
    assert.equal(notRead[0].severity, 2); // warning
    const codes = diagnostics.map((d) => d.code);
    assert.ok(codes.includes('unknown-key'), `the structure is still checked: ${codes.join(', ')}`);
    // Names from the unread file are unknown, not undefined; other.yaml's are still read.
    assert.ok(!codes.includes('undefined-var') && !codes.includes('params-file-missing'), codes.join(', '));
    assert.ok(s.rssMb() < 1024, `RSS ${s.rssMb().toFixed(0)} MB`);
    return diagnostics;
  }

  serverPerSuite('mlops-lsp-reads-', (s, d) => ((server = s), (dir = d)), (d) => writeFileSync(path.join(d, 'secret.yaml'), 'lr: 0.5\n'));

  it('params.yaml linked to /dev/urandom', async () => {
    const uri = project(dir, (f) => symlinkSync('/dev/urandom', f));
    await expectOneWarning(server, uri, /leads outside the workspace \(to \/dev\/urandom\)/);
  });

  it('params.yaml as a FIFO (mkfifo)', async () => {
    const uri = project(dir, (f) => execFileSync('mkfifo', [f]));
    await expectOneWarning(server, uri, /is a FIFO, not a regular file/);
    // Hover and completion read the same files: they answer too.
    await server.request('textDocument/hover', { textDocument: { uri }, position: { line: 4, character: 27 } }, 5000);
    await server.request('textDocument/completion', { textDocument: { uri }, position: { line: 6, character: 8 } }, 5000);
  });

  it('an 11 MB params.yaml', async () => {
    const big = 'lr: 0.1\n' + Array.from({ length: 11 * 1024 }, (_, i) => `k${i}: "${'x'.repeat(1020)}"`).join('\n') + '\n';
    assert.ok(big.length > 11 * 1024 * 1024);
    const uri = project(dir, (f) => writeFileSync(f, big));
    await expectOneWarning(server, uri, /larger than the 10 MB limit for YAML\/JSON inputs \(11 MB\); not read/);
  });

  it('params.yaml linked to a file out of the folder (no workspace folder: the file is its own)', async () => {
    const uri = project(dir, (f) => symlinkSync(path.join(dir, 'secret.yaml'), f));
    await expectOneWarning(server, uri, /leads outside the workspace/);
  });

  it('with a workspace folder: links inside it are read, a link out of it is not', async () => {
    const ws = path.join(dir, 'ws');
    const outside = path.join(dir, 'outside');
    mkdirSync(outside);
    writeFileSync(path.join(outside, 'params.yaml'), 'lr: 0.5\n');
    const s = new ServerProcess(1024);
    try {
      await s.initialize([pathToFileURL(ws).toString()]);
      // Inside the workspace, above the pipeline's folder: read.
      const inside = project(ws, (f) => symlinkSync(path.join(ws, 'shared.yaml'), f));
      writeFileSync(path.join(ws, 'shared.yaml'), 'lr: 0.1\n');
      await s.open(inside, DVC_YAML);
      const ok = await s.diagnostics(inside, 20000);
      assert.deepEqual(ok.diagnostics.map((d) => d.code).sort(), ['missing-cmd', 'unknown-key']);
      // Out of the workspace: one warning.
      const out = project(ws, (f) => symlinkSync(path.join(outside, 'params.yaml'), f));
      await expectOneWarning(s, out, /leads outside the workspace/);
    } finally {
      s.dispose();
    }
  });
});
