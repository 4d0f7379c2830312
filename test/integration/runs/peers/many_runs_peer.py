"""A tracking store with many runs, written fast with MLflow's own store and ORM models,
and mlflow.search_runs answers on it, for the server-side search test and bench.

  write DB_PATH N      a new sqlite store (MLflow's SqlAlchemyStore makes the schema) with
                       two experiments and N runs inserted in one transaction through
                       MLflow's ORM models (run i starts at BASE + i seconds; params
                       `group`, `lr`; metrics `acc` = i/N, `loss`; tags `team`, and
                       `needle` = 'yes' on the oldest run only). Prints {"experiments": [ids]}
  search URI     reads filters (a JSON list) on stdin; prints, for each, the sorted run
                 ids mlflow.search_runs returns over every experiment, or MLflow's error
                 message, with the seconds each search took
"""
import json
import sys
import time
import uuid


def write(db_path, n):
    from mlflow.store.tracking.sqlalchemy_store import SqlAlchemyStore
    from mlflow.store.tracking.dbmodels.models import SqlLatestMetric, SqlMetric, SqlParam, SqlRun, SqlTag

    store = SqlAlchemyStore(f"sqlite:///{db_path}", db_path + "-artifacts")
    exps = [store.create_experiment(name) for name in ("search-a", "search-b")]
    base = 1_700_000_000_000
    with store.ManagedSessionMaker() as session:
        for i in range(n):
            rid = uuid.uuid4().hex
            start = base + i * 1000
            status = "FAILED" if i % 2 else "FINISHED"
            session.add(SqlRun(run_uuid=rid, name=f"run-{i}", experiment_id=int(exps[i % 2]), user_id="bench",
                               status=status, start_time=start, end_time=start + 500, lifecycle_stage="active",
                               source_type="LOCAL", source_name="", entry_point_name="", source_version="",
                               artifact_uri=f"{db_path}-artifacts/{rid}"))
            acc = i / n
            loss = 1.0 - acc
            for key, value in (("acc", acc), ("loss", loss)):
                session.add(SqlMetric(run_uuid=rid, key=key, value=value, timestamp=start, step=0, is_nan=False))
                session.add(SqlLatestMetric(run_uuid=rid, key=key, value=value, timestamp=start, step=0, is_nan=False))
            session.add(SqlParam(run_uuid=rid, key="group", value=f"g{i % 10}"))
            session.add(SqlParam(run_uuid=rid, key="lr", value=str([0.1, 0.01, 0.001][i % 3])))
            session.add(SqlTag(run_uuid=rid, key="team", value="a" if i % 4 < 2 else "b"))
            session.add(SqlTag(run_uuid=rid, key="mlflow.runName", value=f"run-{i}"))
            if i == 0:
                session.add(SqlTag(run_uuid=rid, key="needle", value="yes"))
    print(json.dumps({"experiments": exps}))


def search(uri):
    import mlflow
    from mlflow.exceptions import MlflowException

    mlflow.set_tracking_uri(uri)
    out = []
    for f in json.load(sys.stdin):
        t = time.perf_counter()
        try:
            df = mlflow.search_runs(search_all_experiments=True, filter_string=f, output_format="pandas")
            out.append({"ids": sorted(df["run_id"].tolist()) if len(df) else [], "seconds": time.perf_counter() - t})
        except MlflowException as e:
            out.append({"error": e.error_code, "message": e.message, "seconds": time.perf_counter() - t})
    print(json.dumps(out))


if __name__ == "__main__":
    if sys.argv[1] == "write":
        write(sys.argv[2], int(sys.argv[3]))
    elif sys.argv[1] == "search":
        search(sys.argv[2])
    else:
        sys.exit(f"unknown command {sys.argv[1]}")
