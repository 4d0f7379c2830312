import { strict as assert } from 'node:assert';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { MlopsApi } from '../../../src/extension/api';
import { Telemetry, TelemetryEvents } from '../../../src/extension/telemetry';

// The E2E run turns VS Code telemetry off (telemetry.telemetryLevel: off). With the real
// SDK pointed at an ingestion endpoint on loopback, not one request may arrive.
describe('telemetry when VS Code telemetry is off', function () {
  this.timeout(60000);
  let server: Server;
  let requests = 0;
  let endpoint = '';

  before(async () => {
    server = createServer((req, res) => {
      requests++;
      req.resume();
      res.end('{}');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  });

  after(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('VS Code reports telemetry off', () => {
    assert.equal(vscode.env.isTelemetryEnabled, false);
  });

  it('our extension has sent nothing since activation, after running its commands', async () => {
    const ext = vscode.extensions.getExtension<MlopsApi>('mlops.mlops-workbench');
    assert.ok(ext);
    const api = await ext.activate();
    await vscode.commands.executeCommand('mlops.refreshPipelines');
    await vscode.commands.executeCommand('mlops.showLog');
    assert.equal(api.telemetry.enabled, false);
    assert.equal(api.telemetry.sent, 0);
  });

  it('the real reporter, behind our gate and configured for a live endpoint, sends no request', async () => {
    const ext = vscode.extensions.getExtension('mlops.mlops-workbench')!;
    const lib = path.join(ext.extensionPath, 'dist', 'lazy', 'telemetryLib.js');
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { TelemetryReporter } = require(lib) as typeof import('@vscode/extension-telemetry');
    let created = 0;
    const telemetry = new Telemetry({
      connectionString: `InstrumentationKey=00000000-0000-0000-0000-000000000000;IngestionEndpoint=${endpoint}`,
      isTelemetryEnabled: () => vscode.env.isTelemetryEnabled,
      createSender: (cs) => {
        created++;
        return new TelemetryReporter(cs);
      },
    });
    for (let i = 0; i < 20; i++) telemetry.send(TelemetryEvents.commandRun, { command: 'mlops.showLog' });
    await telemetry.dispose();

    // And the SDK on its own, in case our gate were bypassed: it must obey VS Code too.
    const direct = new TelemetryReporter(`InstrumentationKey=00000000-0000-0000-0000-000000000000;IngestionEndpoint=${endpoint}`);
    direct.sendTelemetryEvent('mlops-e2e-probe');
    await direct.dispose();

    assert.equal(created, 0, 'the gate must not even create a reporter');
    assert.equal(telemetry.sent, 0);
    assert.equal(requests, 0, `the ingestion endpoint received ${requests} request(s)`);
  });
});
