import { strict as assert } from 'node:assert';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as path from 'node:path';
import { parseMlModel } from '../../../src/core/models/mlmodel';
import { findFreePort, modelUri, portInUse, serveArgv, serveFailureHint, servingEnv, servingUrl, waitHealthy } from '../../../src/core/models/serving';
import { bodyFromInputExample, bodyFromSignature, checkJsonBody, splitToCsv } from '../../../src/core/models/servingRequest';
import { latencyStats, percentile } from '../../../src/core/models/servingLatency';
import { invoke } from '../../../src/core/models/servingClient';

describe('Serving a model version', () => {
  it('names the version or the alias the way MLflow resolves models:/ URIs', () => {
    assert.equal(modelUri({ name: 'clf', version: '3' }), 'models:/clf/3');
    assert.equal(modelUri({ name: 'clf', alias: 'champion' }), 'models:/clf@champion');
    assert.throws(() => modelUri({ name: 'clf' }));
  });

  it('builds an argv array (never a shell line) with the local environment, loopback host and port', () => {
    const argv = serveArgv({ mlflow: '/v/bin/mlflow', target: { name: 'my model; rm -rf /', version: '2' }, trackingUri: 'sqlite:////p/mlflow.db', host: '127.0.0.1', port: 5123 });
    assert.deepEqual(argv, ['/v/bin/mlflow', 'models', 'serve', '-m', 'models:/my model; rm -rf //2', '--env-manager', 'local', '-h', '127.0.0.1', '-p', '5123']);
  });

  it('puts the folder of mlflow first on PATH (MLflow execs uvicorn through a shell) and sets the tracking URI', () => {
    const env = servingEnv({ mlflow: '/v/bin/mlflow', trackingUri: 'sqlite:////p/mlflow.db' }, { PATH: '/usr/bin', HOME: '/h' });
    assert.equal(env.PATH, `/v/bin${path.delimiter}/usr/bin`);
    assert.equal(env.MLFLOW_TRACKING_URI, 'sqlite:////p/mlflow.db');
    assert.equal(env.HOME, '/h');
    // A bare command name found on PATH leaves PATH alone.
    assert.equal(servingEnv({ mlflow: 'mlflow', trackingUri: 'x' }, { PATH: '/usr/bin' }).PATH, '/usr/bin');
  });

  it('brackets IPv6 hosts in the URL', () => {
    assert.equal(servingUrl('127.0.0.1', 80), 'http://127.0.0.1:80');
    assert.equal(servingUrl('::1', 80), 'http://[::1]:80');
  });

  it('finds a free port, and sees it in use while something listens there', async () => {
    const port = await findFreePort();
    assert.ok(port > 0);
    assert.equal(await portInUse(port), false);
    const srv = http.createServer((_, res) => res.end('pong'));
    await new Promise<void>((r) => srv.listen(port, '127.0.0.1', r));
    try {
      assert.equal(await portInUse(port), true);
    } finally {
      await new Promise((r) => srv.close(r));
    }
  });

  it('waits for /ping to answer 200, gives up at the deadline, and stops when told why', async () => {
    let ready = false;
    const srv = http.createServer((req, res) => {
      res.statusCode = req.url === '/ping' && ready ? 200 : 503;
      res.end();
    });
    await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
    const url = servingUrl('127.0.0.1', (srv.address() as AddressInfo).port);
    try {
      const late = await waitHealthy(url, { deadlineMs: 300, intervalMs: 50 });
      assert.equal(late.healthy, false);
      assert.match((late as { reason: string }).reason, /within/);
      assert.deepEqual(await waitHealthy(url, { deadlineMs: 5000, abort: () => 'the server exited with code 1' }), { healthy: false, reason: 'the server exited with code 1' });
      ready = true;
      const ok = await waitHealthy(url, { deadlineMs: 5000, intervalMs: 50 });
      assert.equal(ok.healthy, true);
    } finally {
      await new Promise((r) => srv.close(r));
    }
  });

  it('says what to do next from the last lines of a failed serve', () => {
    assert.match(serveFailureHint('ERROR: [Errno 98] error while attempting to bind on address'), /port is in use/);
    assert.match(serveFailureHint('bash: line 1: exec: uvicorn: not found'), /uvicorn/);
    assert.match(serveFailureHint("ModuleNotFoundError: No module named 'xgboost'"), /"xgboost"/);
    assert.match(serveFailureHint('RESOURCE_DOES_NOT_EXIST: Registered Model with name=x not found'), /cannot find this version/);
    assert.match(serveFailureHint('something else'), /log/);
  });
});

describe('Request bodies for /invocations', () => {
  it('turns MLflow input examples into the scoring server formats', () => {
    assert.deepEqual(bodyFromInputExample({ columns: ['a', 'b'], data: [[0.1, 1]] }), { dataframe_split: { columns: ['a', 'b'], data: [[0.1, 1]] } });
    assert.deepEqual(bodyFromInputExample([[0.1, 1.0]]), { inputs: [[0.1, 1.0]] });
    assert.deepEqual(bodyFromInputExample({ inputs: [1] }), { inputs: [1] });
    assert.deepEqual(bodyFromInputExample({ x: [1, 2] }), { inputs: { x: [1, 2] } });
    assert.equal(bodyFromInputExample('text'), undefined);
  });

  it('builds a placeholder row from a column signature and a tensor from a tensor signature', () => {
    const cols = parseMlModel(`flavors: {}\nsignature:\n  inputs: '[{"type": "double", "name": "a"}, {"type": "long", "name": "b"}, {"type": "string", "name": "c"}]'\n`);
    assert.deepEqual(bodyFromSignature(cols), { dataframe_split: { columns: ['a', 'b', 'c'], data: [[0, 0, '']] } });
    const tensor = parseMlModel(`flavors: {}\nsignature:\n  inputs: '[{"type": "tensor", "tensor-spec": {"dtype": "float64", "shape": [-1, 3]}}]'\n`);
    assert.deepEqual(bodyFromSignature(tensor), { inputs: [[0, 0, 0]] });
    assert.equal(bodyFromSignature(parseMlModel('flavors: {}\n')), undefined);
  });

  it('checks the editor text: JSON, an object, exactly one input key', () => {
    assert.deepEqual(checkJsonBody('{"inputs": [[1]]}'), { body: '{"inputs":[[1]]}' });
    assert.match((checkJsonBody('{inputs') as { error: string }).error, /Not valid JSON/);
    assert.match((checkJsonBody('[1]') as { error: string }).error, /JSON object/);
    assert.match((checkJsonBody('{"inputs": 1, "instances": 2}') as { error: string }).error, /exactly one.*it has inputs, instances/);
  });

  it('writes a dataframe_split as CSV with quoting', () => {
    assert.equal(splitToCsv({ dataframe_split: { columns: ['a', 'b,c'], data: [[1, 'x "y"'], [2, null]] } }), 'a,"b,c"\n1,"x ""y"""\n2,\n');
    assert.equal(splitToCsv({ inputs: [1] }), undefined);
  });
});

describe('Latency', () => {
  it('takes nearest-rank percentiles', () => {
    const s = Array.from({ length: 100 }, (_, i) => i + 1);
    assert.equal(percentile(s, 50), 50);
    assert.equal(percentile(s, 95), 95);
    assert.deepEqual(latencyStats([5, 1, 3]), { n: 3, minMs: 1, p50Ms: 3, p95Ms: 5, maxMs: 5 });
    assert.equal(latencyStats([]), undefined);
  });

  it('posts N times on one kept-alive connection and keeps an error answer verbatim', async () => {
    const sockets = new Set<unknown>();
    let calls = 0;
    const srv = http.createServer((req, res) => {
      sockets.add(req.socket);
      calls++;
      let body = '';
      req.on('data', (c) => (body += c));
      req.on('end', () => {
        res.setHeader('Content-Type', 'application/json');
        if (body.includes('bad')) {
          res.statusCode = 400;
          res.end('{"error_code": "BAD_REQUEST", "message": "no"}');
        } else res.end(JSON.stringify({ predictions: [req.headers['content-type']] }));
      });
    });
    await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
    const base = servingUrl('127.0.0.1', (srv.address() as AddressInfo).port);
    try {
      const ok = await invoke(base, '{"inputs":[1]}', { format: 'json', repeats: 7 });
      assert.equal(ok.status, 200);
      assert.deepEqual(ok.json, { predictions: ['application/json'] });
      assert.equal(ok.latency?.n, 7);
      assert.equal(sockets.size, 1);
      calls = 0;
      const bad = await invoke(base, 'bad', { format: 'csv', repeats: 5 });
      assert.equal(bad.status, 400);
      assert.equal(bad.text, '{"error_code": "BAD_REQUEST", "message": "no"}');
      assert.equal(calls, 1);
    } finally {
      await new Promise((r) => srv.close(r));
    }
  });
});
