// MLServer's settings files, launch and the V2 bodies we build from MLflow's examples (the
// real MLServer answering them: test/integration/models/mlserver.test.ts).
import { strict as assert } from 'node:assert';
import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import type { MlModelInfo, SignatureField } from '../../../src/core/models/mlmodel';
import { mlserverFailureHint, mlserverLaunch, mlserverModelSettings, mlserverSettings, v2ModelName } from '../../../src/core/models/mlserver';
import { inferPath } from '../../../src/core/models/serving';
import { checkV2Body, v2Datatype, v2FromMlflowBody, v2Outputs } from '../../../src/core/models/v2Request';

const info = (inputs: SignatureField[]): MlModelInfo => ({ flavors: ['python_function'], signature: { inputs, outputs: [], params: [] } });

describe('MLServer launch', () => {
  it('names the model for the route, writes both settings files, and removes them on cleanup', async () => {
    assert.equal(v2ModelName({ name: 'my model/v2', version: '1' }), 'my-model-v2');
    assert.equal(v2ModelName({ name: '///', version: '1' }), 'model');
    assert.deepEqual(mlserverModelSettings({ name: 'clf', version: '3' }), { name: 'clf', implementation: 'mlserver_mlflow.MLflowRuntime', parameters: { uri: 'models:/clf/3', version: '3' } });
    assert.deepEqual(mlserverModelSettings({ name: 'clf', alias: 'champion' }), { name: 'clf', implementation: 'mlserver_mlflow.MLflowRuntime', parameters: { uri: 'models:/clf@champion' } });
    assert.deepEqual(mlserverSettings({ host: '127.0.0.1', port: 1, grpcPort: 2 }), { host: '127.0.0.1', http_port: 1, grpc_port: 2, metrics_endpoint: null, parallel_workers: 0, load_models_at_startup: true });
    const l = await mlserverLaunch({ mlserver: '/venv/bin/mlserver', target: { name: 'a b', version: '2' }, trackingUri: 'sqlite:///x.db', host: '127.0.0.1', port: 5000, grpcPort: 5001 }, { PATH: '/usr/bin' });
    assert.deepEqual(l.argv, ['/venv/bin/mlserver', 'start', l.folder]);
    assert.equal(l.env.PATH, `/venv/bin${path.delimiter}/usr/bin`);
    assert.equal(l.env.MLFLOW_TRACKING_URI, 'sqlite:///x.db');
    assert.equal(l.healthPath, '/v2/models/a-b/ready');
    assert.equal(inferPath(l), '/v2/models/a-b/infer');
    assert.equal(JSON.parse(readFileSync(path.join(l.folder, 'model-settings.json'), 'utf8')).parameters.uri, 'models:/a b/2');
    assert.equal(JSON.parse(readFileSync(path.join(l.folder, 'settings.json'), 'utf8')).http_port, 5000);
    assert.ok(l.fatalLine?.test("2026 [mlserver] ERROR - Couldn't load model 'x'. Model will be removed from registry."));
    await l.cleanup!();
    assert.equal(existsSync(l.folder), false);
  });

  it('gives a next step for what MLServer says when it fails', () => {
    assert.match(mlserverFailureHint("ModuleNotFoundError: No module named 'mlserver_mlflow'")!, /mlserver-mlflow/);
    assert.match(mlserverFailureHint('RESOURCE_DOES_NOT_EXIST: Model Version (name=x, version=9) not found')!, /cannot find this version/);
    assert.equal(mlserverFailureHint('all fine'), undefined);
  });
});

describe('V2 requests from MLflow bodies', () => {
  it('maps signature types to V2 datatypes', () => {
    assert.equal(v2Datatype('double'), 'FP64');
    assert.equal(v2Datatype('tensor<float32>'), 'FP32');
    assert.equal(v2Datatype('long'), 'INT64');
    assert.equal(v2Datatype('string'), 'BYTES');
    assert.equal(v2Datatype('nonsense'), undefined);
  });

  it('turns dataframe_split and dataframe_records into one column input each, typed by the signature or the values', () => {
    const sig = info([{ name: 'a', type: 'double' }, { name: 'b', type: 'long' }]);
    const split = v2FromMlflowBody({ dataframe_split: { columns: ['a', 'b', 'c'], data: [[1, 2, 'x'], [3.5, 4, 'y']] } }, sig)!;
    assert.deepEqual(split, {
      inputs: [
        { name: 'a', shape: [2], datatype: 'FP64', data: [1, 3.5] },
        { name: 'b', shape: [2], datatype: 'INT64', data: [2, 4] },
        { name: 'c', shape: [2], datatype: 'BYTES', data: ['x', 'y'] },
      ],
      parameters: { content_type: 'pd' },
    });
    const records = v2FromMlflowBody({ dataframe_records: [{ a: 1.5, b: true }, { a: 2 }] })!;
    assert.deepEqual(records.inputs, [
      { name: 'a', shape: [2], datatype: 'FP64', data: [1.5, 2] },
      { name: 'b', shape: [2], datatype: 'BYTES', data: [true, null] },
    ]);
  });

  it('turns tensors (one, or named) into inputs with their shape and flat data', () => {
    const one = v2FromMlflowBody({ inputs: [[1, 2, 3], [4, 5, 6]] }, info([{ type: 'tensor<float32>', shape: [-1, 3] }]))!;
    assert.deepEqual(one.inputs, [{ name: 'input-0', shape: [2, 3], datatype: 'FP32', data: [1, 2, 3, 4, 5, 6] }]);
    const named = v2FromMlflowBody({ inputs: { x: [1, 2], y: [true, false] } })!;
    assert.deepEqual(named.inputs, [
      { name: 'x', shape: [2], datatype: 'INT64', data: [1, 2] },
      { name: 'y', shape: [2], datatype: 'BOOL', data: [true, false] },
    ]);
    assert.equal(v2FromMlflowBody({ rows: [] }), undefined);
  });

  it('checks a V2 body field by field and reads outputs by name', () => {
    assert.ok('body' in checkV2Body('{"inputs":[{"name":"a","shape":[1],"datatype":"FP64","data":[1]}]}'));
    assert.match((checkV2Body('{"inputs":[]}') as { error: string }).error, /non-empty/);
    assert.match((checkV2Body('{"inputs":[{"name":"a","shape":[1],"datatype":"DOUBLE","data":[1]}]}') as { error: string }).error, /datatype/);
    assert.match((checkV2Body('{"inputs":[{"name":"a","shape":[-1],"datatype":"FP64","data":[1]}]}') as { error: string }).error, /shape/);
    assert.match((checkV2Body('[1]') as { error: string }).error, /JSON object/);
    assert.deepEqual(v2Outputs({ outputs: [{ name: 'output-1', shape: [2, 1], datatype: 'INT64', data: [1, 0] }] }), [1, 0]);
    assert.deepEqual(v2Outputs({ outputs: [{ name: 'p', data: [1] }, { name: 'q', data: [2] }] }), { p: [1], q: [2] });
    assert.equal(v2Outputs({ error: 'x' }), undefined);
  });
});
