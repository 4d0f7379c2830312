"""MLflow's own client, for comparing our readers against it.

  write URI [RUNS]  logs runs with the real client into the tracking URI (a file store
                    `file:...` or `sqlite:///...`): two experiments, nested metric keys,
                    NaN and infinite values, several values at one step, every status,
                    a deleted run
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
    else:
        read(sys.argv[2])
