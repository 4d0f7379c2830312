"""The base stores the crafted-input fuzz mutates, written by the real tools.

  mlflow URI        two runs with params, tags and metric histories (sqlite:/// or file:)
  dvclive DIR       DVCLive output: params, two metrics over five steps
  tensorboard DIR   one event file from TensorBoard's own EventFileWriter: scalars as
                    simple_value and as tensors, over twenty steps
  all DIR           the four of them in DIR: mlflow.db, mlruns/, tb/, dvclive/ (one Python
                    start instead of four: the imports take most of the time)
"""
import os
import sys

os.environ.setdefault('MLFLOW_ALLOW_FILE_STORE', 'true')


def mlflow_store(uri):
    from mlflow.tracking import MlflowClient

    c = MlflowClient(uri)
    exp = c.create_experiment('fuzz')
    for i in range(2):
        rid = c.create_run(exp, run_name=f'run-{i}', tags={'team': 'fuzz'}).info.run_id
        c.log_param(rid, 'lr', 0.01 * (i + 1))
        c.log_param(rid, 'model/depth', 3)
        for step in range(30):
            c.log_metric(rid, 'loss', 1.0 / (step + 1), step=step, timestamp=1700000000000 + step)
            c.log_metric(rid, 'val/acc', step / 30, step=step, timestamp=1700000000000 + step)
        c.set_terminated(rid, status='FINISHED')


def dvclive(folder):
    from dvclive import Live

    with Live(folder, save_dvc_exp=False, dvcyaml=None) as live:
        live.log_params({'lr': 0.1, 'model': {'depth': 3, 'name': 'mlp'}})
        for s in range(5):
            live.log_metric('loss', 1 / (s + 1))
            live.log_metric('val/acc', s / 5)
            live.next_step()


def tensorboard(folder):
    from tensorboard.compat.proto import event_pb2, summary_pb2, tensor_pb2, tensor_shape_pb2, types_pb2
    from tensorboard.summary.writer.event_file_writer import EventFileWriter

    w = EventFileWriter(folder, max_queue_size=1000, flush_secs=3600)
    meta = summary_pb2.SummaryMetadata(plugin_data=summary_pb2.SummaryMetadata.PluginData(plugin_name='scalars'))
    for s in range(20):
        t = tensor_pb2.TensorProto(dtype=types_pb2.DT_FLOAT, tensor_shape=tensor_shape_pb2.TensorShapeProto())
        t.float_val.append(0.5 + s)
        tv = summary_pb2.Summary.Value(tag='tensor/f32', tensor=t)
        if s == 0:
            tv.metadata.CopyFrom(meta)
        values = [summary_pb2.Summary.Value(tag='loss', simple_value=1.0 / (s + 1)), tv]
        w.add_event(event_pb2.Event(wall_time=1700000000 + s, step=s, summary=summary_pb2.Summary(value=values)))
    w.close()


def all_bases(folder):
    mlflow_store('sqlite:///' + os.path.join(folder, 'mlflow.db'))
    mlflow_store('file:' + os.path.join(folder, 'mlruns'))
    tensorboard(os.path.join(folder, 'tb'))
    dvclive(os.path.join(folder, 'dvclive'))


if __name__ == '__main__':
    {'mlflow': mlflow_store, 'dvclive': dvclive, 'tensorboard': tensorboard, 'all': all_bases}[sys.argv[1]](sys.argv[2])
