"""MLflow's own client, for comparing our readers against it.

  write URI [RUNS]  logs runs with the real client into the tracking URI (a file store
                    `file:...` or `sqlite:///...`): two experiments, nested metric keys,
                    NaN and infinite values, several values at one step, every status,
                    a deleted run
  extras URI        adds a parent run with two nested runs and an artifact tree (a
                    tracking server), prints their ids as JSON
  artifacts URI RUN [PATH]
                    prints MlflowClient.list_artifacts as JSON [path, is_dir, file_size]
  read URI          prints what mlflow.search_runs and get_metric_history return, as JSON
                    (non-finite numbers as the strings 'nan', 'inf', '-inf')
"""
import json
import math
import os
import sys

os.environ.setdefault('MLFLOW_ALLOW_FILE_STORE', 'true')
import mlflow  # noqa: E402
from mlflow.tracking import MlflowClient  # noqa: E402


def write(uri, n):
    mlflow.set_tracking_uri(uri)
    c = MlflowClient()
    exps = [c.create_experiment('alpha'), c.create_experiment('beta/nested name')]
    statuses = ['FINISHED', 'FAILED', 'KILLED', 'RUNNING']
    for i in range(n):
        exp = exps[i % 2]
        run = c.create_run(exp, run_name=f'run-{i}', tags={'team': 'vision', 'idx': str(i)})
        rid = run.info.run_id
        c.log_param(rid, 'lr', 0.001 * (i + 1))
        c.log_param(rid, 'model/depth', i % 5)
        c.log_param(rid, 'text', 'multi word value: ü')
        for step in range(20):
            c.log_metric(rid, 'loss', 1.0 / (step + 1 + i), step=step, timestamp=1700000000000 + step * 10)
            c.log_metric(rid, 'val/acc', step / 20, step=step, timestamp=1700000000000 + step * 10)
        c.log_metric(rid, 'loss', 0.5, step=19, timestamp=1700000000000 + 190)  # same step, same time, lower value
        c.log_metric(rid, 'odd/nan', float('nan'), step=0, timestamp=1700000000001)
        c.log_metric(rid, 'odd/inf', float('inf'), step=0, timestamp=1700000000001)
        c.log_metric(rid, 'odd/neg_inf', float('-inf'), step=1, timestamp=1700000000002)
        c.set_tag(rid, 'note', f'line one\nline two {i}')
        status = statuses[i % len(statuses)]
        if status != 'RUNNING':
            c.set_terminated(rid, status=status, end_time=1700000009000 + i)
    gone = c.create_run(exps[0], run_name='deleted')
    c.delete_run(gone.info.run_id)
    trashed = c.create_experiment('trashed')  # the file store moves it to .trash/
    c.create_run(trashed, run_name='in-trashed')
    c.delete_experiment(trashed)


def extras(uri):
    import tempfile
    mlflow.set_tracking_uri(uri)
    c = MlflowClient()
    exp = c.create_experiment('nested')
    parent = c.create_run(exp, run_name='parent').info.run_id
    children = []
    for k in range(2):
        child = c.create_run(exp, run_name=f'child-{k}', tags={'mlflow.parentRunId': parent}).info.run_id
        c.log_param(child, 'fold', k)
        for step in range(5):
            c.log_metric(child, 'score', k + step / 10, step=step, timestamp=1700000000000 + step)
        c.set_terminated(child, end_time=1700000001000)
        children.append(child)
    with tempfile.TemporaryDirectory() as d:
        os.makedirs(os.path.join(d, 'model', 'data'))
        with open(os.path.join(d, 'model', 'MLmodel'), 'w') as f:
            f.write('flavors: {}\n')
        with open(os.path.join(d, 'model', 'data', 'weights.bin'), 'wb') as f:
            f.write(bytes(range(256)) * 4)
        with open(os.path.join(d, 'summary.txt'), 'w') as f:
            f.write('accuracy 0.9\n')
        c.log_artifacts(parent, d)
    c.set_terminated(parent, end_time=1700000002000)
    print(json.dumps({'experimentId': exp, 'parent': parent, 'children': children}))


def enc(v):
    if isinstance(v, float) and not math.isfinite(v):
        return 'nan' if math.isnan(v) else ('inf' if v > 0 else '-inf')
    return v


def read(uri):
    mlflow.set_tracking_uri(uri)
    c = MlflowClient()
    exps = c.search_experiments()
    runs = mlflow.search_runs(experiment_ids=[e.experiment_id for e in exps], output_format='list', max_results=100000)
    out = {'experiments': [{'id': e.experiment_id, 'name': e.name} for e in exps], 'runs': []}
    for r in runs:
        out['runs'].append({
            'id': r.info.run_id,
            'experimentId': r.info.experiment_id,
            'name': r.info.run_name,
            'status': r.info.status,
            'startTime': r.info.start_time,
            'endTime': r.info.end_time,
            'userId': r.info.user_id,
            'params': r.data.params,
            'tags': r.data.tags,
            'metrics': {k: enc(v) for k, v in r.data.metrics.items()},
            'history': {
                k: [[m.step, m.timestamp, enc(m.value)] for m in c.get_metric_history(r.info.run_id, k)]
                for k in r.data.metrics
            },
        })
    print(json.dumps(out))


if __name__ == '__main__':
    if sys.argv[1] == 'write':
        write(sys.argv[2], int(sys.argv[3]) if len(sys.argv) > 3 else 6)
    elif sys.argv[1] == 'artifacts':
        mlflow.set_tracking_uri(sys.argv[2])
        listed = MlflowClient().list_artifacts(sys.argv[3], sys.argv[4] if len(sys.argv) > 4 else None)
        print(json.dumps([[f.path, f.is_dir, f.file_size] for f in listed]))
    elif sys.argv[1] == 'yaml11':
        # Names PyYAML (YAML 1.1) leaves as strings that YAML 1.2 would read as numbers or booleans
        c = MlflowClient(sys.argv[2])
        edge = ['1e3', '1.0e3', '0o17', 'yes', 'no', 'on', 'off', '0x1F', '1_000', '.5', '0777', '1:20', 'NULL', '~', '+12', '0b101']
        for i, name in enumerate(edge):
            e = c.create_experiment(name)
            r = c.create_run(e, run_name=edge[(i + 1) % len(edge)])
            c.log_param(r.info.run_id, f'p{i}', edge[(i + 2) % len(edge)])
            c.set_tag(r.info.run_id, f't{i}', edge[(i + 3) % len(edge)])
            c.set_terminated(r.info.run_id)
    elif sys.argv[1] == 'extras':
        extras(sys.argv[2])
    else:
        read(sys.argv[2])
