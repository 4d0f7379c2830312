// How a refusal reaches the user: MLflow's own error JSON (what its auth app answers on 403)
// comes back in MLflow's words; a dead server stays a network error, not "MLflow refused".
import { strict as assert } from 'node:assert';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { clientWriteArgv, RegistryWriteError, writeOverRest } from '../../../src/core/models/registryWrites';
import { MlflowRestClient } from '../../../src/core/runs/mlflow/mlflowRestClient';

describe('registry writes: errors and argv', () => {
  let server: http.Server;
  let url = '';
  const seen: { method?: string; url?: string; body: string }[] = [];
  before(async () => {
    server = http.createServer((req, res) => {
      let body = '';
      req.on('data', (c) => (body += c));
      req.on('end', () => {
        seen.push({ method: req.method, url: req.url, body });
        res.writeHead(403, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ error_code: 'PERMISSION_DENIED', message: "Permission denied for user 'ann' on registered model 'iris'" }));
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(() => new Promise<void>((r) => server.close(() => r())));

  it("a 403 is MLflow's message verbatim, with its status; the alias delete is a DELETE with a JSON body", async () => {
    await assert.rejects(writeOverRest(new MlflowRestClient(url), { op: 'deleteAlias', name: 'iris', alias: 'champion' }), (err: Error) => {
      assert.ok(err instanceof RegistryWriteError);
      assert.equal(err.status, 403);
      assert.match(err.message, /PERMISSION_DENIED: Permission denied for user 'ann' on registered model 'iris'/);
      return true;
    });
    assert.equal(seen[0].method, 'DELETE');
    assert.equal(seen[0].url, '/api/2.0/mlflow/registered-models/alias');
    assert.deepEqual(JSON.parse(seen[0].body), { name: 'iris', alias: 'champion' });
  });

  it('a server that is not there is a network error, not a refusal', async () => {
    await assert.rejects(writeOverRest(new MlflowRestClient('http://127.0.0.1:9'), { op: 'setAlias', name: 'a', alias: 'b', version: '1' }), (err: Error) => !(err instanceof RegistryWriteError));
  });

  it("MLflow's client runs as an argv array: names with quotes and spaces stay data", () => {
    const argv = clientWriteArgv({ python: '/venv/bin/python', trackingUri: 'sqlite:////p/mlflow.db' }, { op: 'setAlias', name: `it's "x"; rm -rf /`, alias: 'a', version: '1' });
    assert.equal(argv[0], '/venv/bin/python');
    assert.equal(argv[1], '-c');
    assert.equal(argv[3], 'sqlite:////p/mlflow.db');
    assert.deepEqual(JSON.parse(argv[4]), { op: 'setAlias', name: `it's "x"; rm -rf /`, alias: 'a', version: '1' });
  });
});
