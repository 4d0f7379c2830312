"""TensorBoard's own writer and reader, for comparing ours against them.

  write DIR STEPS   writes one event file with TensorBoard's EventFileWriter (no TensorFlow):
                    'loss' and 'acc' as simple_value, 'tensor/f32' and 'tensor/f64' as scalar
                    tensors tagged with the scalars plugin, 'hist/one' as a one-element tensor
                    of the histograms plugin (not a scalar)
  read DIR          prints {tag: [[step, wall_time, value], ...]} as TensorBoard's
                    EventAccumulator sees it, keeping every point
"""
import json
import sys
import time

from tensorboard.compat.proto import event_pb2, summary_pb2, tensor_pb2, tensor_shape_pb2, types_pb2


def scalar_tensor(dtype, value, packed_field):
    t = tensor_pb2.TensorProto(dtype=dtype, tensor_shape=tensor_shape_pb2.TensorShapeProto())
    getattr(t, packed_field).append(value)
    return t


def write(logdir, steps):
    from tensorboard.summary.writer.event_file_writer import EventFileWriter

    w = EventFileWriter(logdir, max_queue_size=1000, flush_secs=3600)
    scalars_meta = summary_pb2.SummaryMetadata(plugin_data=summary_pb2.SummaryMetadata.PluginData(plugin_name='scalars'))
    hist_meta = summary_pb2.SummaryMetadata(plugin_data=summary_pb2.SummaryMetadata.PluginData(plugin_name='histograms'))
    t0 = time.time()
    for s in range(steps):
        values = [
            summary_pb2.Summary.Value(tag='loss', simple_value=1.0 / (s + 1)),
            summary_pb2.Summary.Value(tag='acc', simple_value=s / steps),
        ]
        f32 = summary_pb2.Summary.Value(tag='tensor/f32', tensor=scalar_tensor(types_pb2.DT_FLOAT, 0.5 + s, 'float_val'))
        f64 = summary_pb2.Summary.Value(tag='tensor/f64', tensor=scalar_tensor(types_pb2.DT_DOUBLE, 1e-3 * s + 1e-12, 'double_val'))
        hist = summary_pb2.Summary.Value(tag='hist/one', tensor=scalar_tensor(types_pb2.DT_DOUBLE, float(s), 'double_val'))
        if s == 0:  # writers put the metadata on a tag's first value only
            f32.metadata.CopyFrom(scalars_meta)
            f64.metadata.CopyFrom(scalars_meta)
            hist.metadata.CopyFrom(hist_meta)
        values += [f32, f64, hist]
        w.add_event(event_pb2.Event(wall_time=t0 + s * 0.01, step=s, summary=summary_pb2.Summary(value=values)))
    w.close()


def read(logdir):
    from tensorboard.backend.event_processing import event_accumulator
    from tensorboard.util import tensor_util

    acc = event_accumulator.EventAccumulator(logdir, size_guidance={'scalars': 0, 'tensors': 0})
    acc.Reload()
    out = {}
    tags = acc.Tags()
    for tag in tags['scalars']:
        out[tag] = [[e.step, e.wall_time, e.value] for e in acc.Scalars(tag)]
    for tag in tags['tensors']:
        meta = acc.SummaryMetadata(tag)
        if meta.plugin_data.plugin_name != 'scalars':
            continue
        out[tag] = [[e.step, e.wall_time, float(tensor_util.make_ndarray(e.tensor_proto).item())] for e in acc.Tensors(tag)]
    return out


if __name__ == '__main__':
    if sys.argv[1] == 'write':
        write(sys.argv[2], int(sys.argv[3]))
    else:
        print(json.dumps(read(sys.argv[2])))
