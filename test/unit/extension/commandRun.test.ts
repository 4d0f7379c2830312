import { strict as assert } from 'node:assert';
import { ActionableError, isActionableError } from '../../../src/core/common/errors';
import { commandTelemetryId, failureMessage, runCommand, type CommandSink } from '../../../src/extension/commandRun';

function recordingSink() {
  const seen = { debug: [] as string[], error: [] as string[], events: [] as unknown[], shown: [] as string[] };
  const sink: CommandSink = {
    debug: (l) => seen.debug.push(l),
    error: (l) => seen.error.push(l),
    event: (p, m) => seen.events.push({ ...p, ms: m.ms }),
    showFailure: (m) => seen.shown.push(m),
  };
  return { seen, sink };
}

describe('command wrapper (commandRun)', () => {
  let t = 0;
  const clock = () => (t += 5);

  it('returns what the command returns, and reports ok with its time', async () => {
    const { seen, sink } = recordingSink();
    assert.equal(await runCommand('mlops.runs.refresh', async () => 42, sink, clock), 42);
    assert.deepEqual(seen.events, [{ command: 'runs_refresh', outcome: 'ok', ms: 5 }]);
    assert.deepEqual(seen.shown, []);
    assert.match(seen.debug[0], /^mlops\.runs\.refresh: ok in 5 ms$/);
  });

  it('shows an actionable failure as what failed and the next step, logs it without a stack', async () => {
    const { seen, sink } = recordingSink();
    const r = await runCommand('mlops.rerunStage', () => { throw new ActionableError('dvc is not installed.', 'Install DVC or set mlops.dvc.path.'); }, sink, clock);
    assert.equal(r, undefined);
    assert.deepEqual(seen.shown, ['dvc is not installed. Install DVC or set mlops.dvc.path.']);
    assert.equal(seen.error.length, 1);
    assert.doesNotMatch(seen.error[0], /\n\s+at /);
    assert.equal((seen.events[0] as { outcome: string }).outcome, 'error');
  });

  it("finds the next step of an error made by another bundle's copy of ActionableError (a library loaded on first use)", async () => {
    // A second copy of the module, as each bundle in dist/lazy/ carries its own.
    const file = require.resolve('../../../src/core/common/errors');
    const saved = require.cache[file];
    delete require.cache[file];
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const other = require(file) as typeof import('../../../src/core/common/errors');
    if (saved) require.cache[file] = saved;
    assert.notEqual(other.ActionableError, ActionableError, 'not a second copy');
    class OtherSubclass extends other.ActionableError {}
    const err = new OtherSubclass('the cluster refused the job.', 'Check the partition name.');
    assert.ok(!(err instanceof ActionableError), 'instanceof cannot tell (the reason for isActionableError)');
    assert.ok(isActionableError(err) && other.isActionableError(new ActionableError('x')));
    assert.ok(!isActionableError(new Error('x')) && !isActionableError(undefined) && !isActionableError('text'));
    const { seen, sink } = recordingSink();
    await runCommand('mlops.submitJob', () => { throw err; }, sink, clock);
    assert.deepEqual(seen.shown, ['the cluster refused the job. Check the partition name.']);
    assert.doesNotMatch(seen.error[0], /\n\s+at /);
  });

  it('shows any other failure with a pointer to the log, and logs its stack', async () => {
    const { seen, sink } = recordingSink();
    await runCommand('mlops.x', async () => { throw new TypeError('boom'); }, sink, clock);
    assert.deepEqual(seen.shown, ['boom. See the MLOps Workbench log for details.']);
    assert.match(seen.error[0], /mlops\.x failed: boom\n.*TypeError: boom/s);
  });

  it('treats a cancel as no failure: nothing shown, outcome cancelled', async () => {
    const { seen, sink } = recordingSink();
    const cancelled = Object.assign(new Error('Canceled'), { name: 'Canceled' });
    await runCommand('mlops.launchWorkspace', () => Promise.reject(cancelled), sink, clock);
    assert.deepEqual(seen.shown, []);
    assert.deepEqual(seen.error, []);
    assert.equal((seen.events[0] as { outcome: string }).outcome, 'cancelled');
  });

  it('sends ids the telemetry filter keeps (no dots that read as file names)', () => {
    assert.equal(commandTelemetryId('mlops.rerun'), 'rerun');
    assert.equal(commandTelemetryId('mlops.runs.filter'), 'runs_filter');
  });

  it('never ends a message in two stops, and names the command when the error is empty', () => {
    assert.equal(failureMessage('mlops.x', new Error('bad.')), 'bad. See the MLOps Workbench log for details.');
    assert.equal(failureMessage('mlops.x', new Error('')), 'mlops.x failed. See the MLOps Workbench log for details.');
  });
});
