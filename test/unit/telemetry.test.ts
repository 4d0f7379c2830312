import { strict as assert } from 'node:assert';
import { sanitizeProperties, Telemetry, TelemetryEvents, type TelemetrySender } from '../../src/extension/telemetry';

/** Records what reaches the reporter boundary (the SDK itself is not under test here). */
class RecordingSender implements TelemetrySender {
  events: { name: string; properties?: Record<string, string> }[] = [];
  disposed = false;
  sendTelemetryEvent(name: string, properties?: Record<string, string>): void {
    this.events.push({ name, properties });
  }
  dispose(): void {
    this.disposed = true;
  }
}

function make(connectionString: string, enabled: { on: boolean }) {
  const senders: RecordingSender[] = [];
  const t = new Telemetry({
    connectionString,
    isTelemetryEnabled: () => enabled.on,
    createSender: () => {
      const s = new RecordingSender();
      senders.push(s);
      return s;
    },
  });
  return { t, senders };
}

describe('Telemetry gate', () => {
  it('sends nothing and loads no reporter when VS Code telemetry is off', () => {
    const { t, senders } = make('InstrumentationKey=00000000-0000-0000-0000-000000000000', { on: false });
    t.send(TelemetryEvents.activated);
    t.send(TelemetryEvents.commandRun, { command: 'x' });
    assert.equal(t.enabled, false);
    assert.equal(t.sent, 0);
    assert.equal(senders.length, 0);
  });

  it('sends nothing without a connection string, even with telemetry on', () => {
    const { t, senders } = make('   ', { on: true });
    t.send(TelemetryEvents.activated);
    assert.equal(senders.length, 0);
    assert.equal(t.sent, 0);
  });

  it('follows the setting as it changes', () => {
    const enabled = { on: true };
    const { t, senders } = make('InstrumentationKey=k', enabled);
    t.send(TelemetryEvents.activated);
    enabled.on = false;
    t.send(TelemetryEvents.activated);
    assert.equal(senders.length, 1);
    assert.equal(senders[0].events.length, 1);
  });

  it('strips paths, URLs, e-mail addresses and free text from properties', () => {
    assert.deepEqual(
      sanitizeProperties({
        command: 'mlops.launchWorkspace',
        path: '/home/alice/project/dvc.yaml',
        win: 'C:\\Users\\bob',
        url: 'http://10.0.0.5:5000',
        mail: 'alice@example.com',
        host: 'gpu-box',
        file: 'train.py',
        text: 'two words',
      }),
      { command: 'mlops.launchWorkspace', host: 'gpu-box' },
    );
  });

  it('disposes the reporter it created', async () => {
    const { t, senders } = make('InstrumentationKey=k', { on: true });
    t.send(TelemetryEvents.activated);
    await t.dispose();
    assert.equal(senders[0].disposed, true);
  });
});
