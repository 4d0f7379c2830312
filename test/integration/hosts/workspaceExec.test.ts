import { strict as assert } from 'node:assert';
import { randomBytes } from 'node:crypto';
import type { Duplex } from 'node:stream';
import type Docker from 'dockerode';
import type { HostConnection } from '../../../src/core/hosts/hostConnection';
import { execTty } from '../../../src/core/hosts/workspaceExec';
import { onLocalAndSsh, ownerLabels, startTestWorkspace, waitFor } from '../harness';

// Every container here carries this run's label; cleanup removes only those.
const owner = ownerLabels('exec');

function collect(stream: Duplex): () => string {
  let out = '';
  stream.on('data', (d: Buffer) => (out += d.toString('utf8')));
  return () => out;
}

function ttyContract(label: string, connect: () => HostConnection, image: () => string): void {
  let container: Docker.Container | undefined;

  before(async () => {
    container = await startTestWorkspace(connect(), owner, { image: image(), name: `ws-exec-${randomBytes(4).toString('hex')}` });
  });
  after(async () => {
    await container?.remove({ force: true });
  });

  it(`${label}: runs a shell with a TTY, reads its output, follows a resize and reports the exit status`, async () => {
    const s = await execTty(connect(), container!.id, { argv: ['sh'], cols: 100, rows: 30, env: { GREETING: 'hi' } });
    const out = collect(s.stream);
    s.stream.write('stty size; echo "$GREETING-$TERM-$((6*7))"\n');
    await waitFor(() => /hi-xterm-256color-42/.test(out()), 10000, `the shell's answer (got ${JSON.stringify(out())})`);
    // A TTY echoes what was typed and ends lines with \r\n.
    assert.match(out(), /\r\n30 100\r\n/);
    await s.resize(120, 40);
    s.stream.write('stty size; exit 3\n');
    assert.equal(await s.exitCode(), 3);
    assert.match(out(), /\r\n40 120\r\n/);
  });

  it(`${label}: a command's own exit ends the session, and close() ends a running one`, async () => {
    const s = await execTty(connect(), container!.id, { argv: ['echo', 'one-shot'], cols: 80, rows: 24 });
    const out = collect(s.stream);
    assert.equal(await s.exitCode(), 0);
    assert.match(out(), /one-shot\r\n/);
    const long = await execTty(connect(), container!.id, { argv: ['sleep', '60'], cols: 80, rows: 24 });
    const t = Date.now();
    long.close();
    await long.ended;
    assert.ok(Date.now() - t < 5000, `closing took ${Date.now() - t} ms`);
  });
}

describe('hosts: a terminal inside a workspace (exec with a TTY)', function () {
  this.timeout(60000);
  onLocalAndSsh(ttyContract);
});
