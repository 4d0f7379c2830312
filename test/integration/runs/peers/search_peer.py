"""MLflow's own search, for the search-grammar test.

  write URI         logs the grammar test's runs with the real client into URI (a file store
                    `file:...` or `sqlite:///...`): varied params, metrics, tags, names,
                    statuses and users, some keys missing
  search URI        reads filter strings as a JSON list on stdin and prints, for each, the
                    run ids mlflow.search_runs returns, or the refusal (one process for all)
"""
import json
import os
import sys

os.environ.setdefault('MLFLOW_ALLOW_FILE_STORE', 'true')
import mlflow  # noqa: E402
from mlflow.exceptions import MlflowException  # noqa: E402
from mlflow.tracking import MlflowClient  # noqa: E402

T0 = 1700000000000

# name, status, user, params, metrics, tags
RUNS = [
    ('alpha', 'FINISHED', 'alice', {'lr': '0.1', 'optimizer': 'adam', 'layers': '3'}, {'acc': 0.91, 'loss': 0.3}, {'team': 'vision', 'a b': 'spaced'}),
    ('beta', 'FAILED', 'bob', {'lr': '0.01', 'optimizer': 'sgd', 'layers': '12'}, {'acc': 0.85, 'loss': -0.5}, {'team': 'Vision'}),
    ("it's quoted", 'RUNNING', 'alice', {'lr': '1e-3', 'optimizer': 'Adam'}, {'acc': 0.5, 'a b': 2.0, 'val.acc': 0.7}, {'team': 'nlp', 'mlflow.note.content': 'a note'}),
    ('name with spaces', 'KILLED', 'carol', {}, {'acc': float('nan')}, {}),
    ('dots.in.name', 'FINISHED', 'bob', {'optimizer': 'ada_m', 'lr': '0.1'}, {'loss': 1e-4}, {'note': 'line one\nline two'}),
    ('percent%name', 'FINISHED', 'dave', {'optimizer': '100%', 'lr': '0.5'}, {'acc': 1.0, 'loss': 0.0}, {'team': 'vision'}),
    ('under_score', 'FINISHED', 'alice', {'optimizer': 'a_am'}, {'acc': 0.001, 'neg': -1.0}, {'team': 'VISION'}),
    ('UPPER', 'SCHEDULED', 'Alice', {'optimizer': 'ADAM', 'lr': '0.1 '}, {'acc': float('inf'), 'neg': -2.5}, {'stage': 'prod'}),
    ('ü-name', 'FINISHED', 'bob', {'optimizer': 'über'}, {'acc': 0.75}, {'team': 'Über'}),
    ('double"quote', 'FAILED', 'carol', {'optimizer': "it's"}, {'acc': 0.6, 'loss': 1e10}, {'quote': 'say "hi"'}),
    ('empty-param', 'FINISHED', 'eve', {'optimizer': ''}, {'acc': 0.95}, {'team': ''}),
    ('metric-only', 'FINISHED', 'eve', {}, {'acc': 0.2, 'loss': 2.0}, {}),
]


def write(uri):
    mlflow.set_tracking_uri(uri)
    c = MlflowClient()
    exps = [c.create_experiment('grammar'), c.create_experiment('second')]
    for i, (name, status, user, params, metrics, tags) in enumerate(RUNS):
        run = c.create_run(exps[i % 2], start_time=T0 + i * 1000, run_name=name, tags={'mlflow.user': user, **tags})
        rid = run.info.run_id
        for k, v in params.items():
            c.log_param(rid, k, v)
        for k, v in metrics.items():
            c.log_metric(rid, k, v, step=0, timestamp=T0)
        if status in ('FINISHED', 'FAILED', 'KILLED'):
            c.set_terminated(rid, status=status, end_time=T0 + i * 1000 + 500)
        elif status == 'SCHEDULED':
            c.update_run(rid, status='SCHEDULED')


def search(uri):
    mlflow.set_tracking_uri(uri)
    c = MlflowClient()
    exp_ids = [e.experiment_id for e in c.search_experiments()]
    out = []
    for f in json.load(sys.stdin):
        try:
            runs = c.search_runs(exp_ids, filter_string=f, max_results=1000)
            out.append({'ids': sorted(r.info.run_id for r in runs)})
        except MlflowException as e:
            out.append({'error': e.error_code, 'message': e.message})
        except Exception as e:  # noqa: BLE001 - MLflow lets some parser errors escape unwrapped
            out.append({'error': type(e).__name__, 'message': str(e)})
    users = {r.info.run_id: r.info.user_id for r in c.search_runs(exp_ids, max_results=1000)}
    json.dump({'results': out, 'users': users}, sys.stdout)


if __name__ == '__main__':
    {'write': lambda: write(sys.argv[2]), 'search': lambda: search(sys.argv[2])}[sys.argv[1]]()
