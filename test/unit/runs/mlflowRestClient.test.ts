import { strict as assert } from 'node:assert';
import { MlflowRestClient, MlflowRestError } from '../../../src/core/runs/mlflow/mlflowRestClient';
import { MlflowRestSource, restNumber } from '../../../src/core/runs/mlflow/mlflowRestSource';

describe('MLflow REST client', () => {
  it('keeps a path prefix, drops credentials, query and fragment from the tracking URI', () => {
    const c = new MlflowRestClient('https://ana:p%40ss@mlflow.example.com/team/mlflow/?x=1#/experiments');
    assert.equal(c.baseUrl, 'https://mlflow.example.com/team/mlflow');
    assert.equal(c.url('/api/2.0/mlflow/metrics/get-history', { run_id: 'a b', metric_key: 'val/acc', page_token: undefined }), 'https://mlflow.example.com/team/mlflow/api/2.0/mlflow/metrics/get-history?run_id=a+b&metric_key=val%2Facc');
    assert.equal(c.url('x', { run_ids: ['r1', 'r2'] }), 'https://mlflow.example.com/team/mlflow/x?run_ids=r1&run_ids=r2');
    assert.equal(new MlflowRestSource('http://h:5000/').runUrl('3', 'abc'), 'http://h:5000/#/experiments/3/runs/abc');
  });

  it('refuses what is not an http(s) tracking URI', () => {
    assert.throws(() => new MlflowRestClient('databricks://profile'), /starts with http/);
    assert.throws(() => new MlflowRestClient('not a url'));
  });

  it('reads protobuf JSON numbers: strings for int64 and non-finite doubles', () => {
    assert.equal(restNumber('1700000000000'), 1700000000000);
    assert.ok(Number.isNaN(restNumber('NaN')));
    assert.equal(restNumber('Infinity'), Infinity);
    assert.equal(restNumber('-Infinity'), -Infinity);
    assert.equal(restNumber(0.5), 0.5);
  });

  it('tells an old server (no endpoint) from other failures', () => {
    assert.ok(new MlflowRestError('u', 'm', 404).notFound);
    assert.ok(new MlflowRestError('u', 'm', 400, 'ENDPOINT_NOT_FOUND').notFound);
    assert.ok(!new MlflowRestError('u', 'm', 500).notFound);
    assert.equal(new MlflowRestError('http://h/x', 'HTTP 500').message, 'http://h/x: HTTP 500');
  });

  it('tries once more when a kept-alive connection was closed under it, not more, and not on other failures', async () => {
    const stale = () => Object.assign(new TypeError('fetch failed'), { cause: { code: 'UND_ERR_SOCKET', message: 'other side closed' } });
    let calls = 0;
    const flaky = new MlflowRestClient('http://h:5000', {
      fetch: (async () => {
        calls++;
        if (calls === 1) throw stale();
        return new Response('{"ok":1}', { status: 200 });
      }) as typeof fetch,
    });
    assert.deepEqual(await flaky.post('api/x', {}), { ok: 1 });
    assert.equal(calls, 2);
    calls = 0;
    const dead = new MlflowRestClient('http://h:5000', { fetch: (async () => (calls++, Promise.reject(stale()))) as typeof fetch });
    await assert.rejects(dead.post('api/x', {}), /UND_ERR_SOCKET/);
    assert.equal(calls, 2);
    calls = 0;
    const refused = new MlflowRestClient('http://h:5000', { fetch: (async () => (calls++, Promise.reject(Object.assign(new TypeError('fetch failed'), { cause: { code: 'ECONNREFUSED' } })))) as typeof fetch });
    await assert.rejects(refused.post('api/x', {}), /connection refused/);
    assert.equal(calls, 1);
  });
});
