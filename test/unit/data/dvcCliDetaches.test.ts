import { strict as assert } from 'node:assert';
import { runDvc } from '../../../src/core/data/dvcCli';

// `dvc queue start` exits at once but leaves a worker holding its stdout and stderr: a
// stand-in process does the same (a detached child inheriting the pipes, alive until told
// to stop), so this fails if runDvc waits for the pipes instead of the process.
const SCRIPT = `const { spawn } = require('node:child_process');
const c = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: ['ignore', 'inherit', 'inherit'], detached: true });
c.unref();
console.log('Started worker ' + c.pid);`;

describe('runDvc with a command that leaves a background process behind', () => {
  let worker = 0;
  afterEach(() => {
    if (worker) process.kill(worker, 'SIGKILL');
    worker = 0;
  });

  it('resolves when the command exits (detaches), with what it printed', async function () {
    this.timeout(20_000);
    const { stdout } = await runDvc(process.execPath, ['-e', SCRIPT], { cwd: process.cwd(), detaches: true });
    const m = /Started worker (\d+)/.exec(stdout);
    assert.ok(m, stdout);
    worker = Number(m[1]);
    // The worker is still there: the call did not wait for it.
    assert.doesNotThrow(() => process.kill(worker, 0));
  });
});
