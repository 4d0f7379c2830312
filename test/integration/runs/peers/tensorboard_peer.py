"""TensorBoard's own writer and reader, for comparing ours against them.

  write DIR STEPS   writes one event file with TensorBoard's EventFileWriter (no TensorFlow):
                    'loss' and 'acc' as simple_value, 'tensor/f32' and 'tensor/f64' as scalar
                    tensors tagged with the scalars plugin, 'hist/one' as a one-element tensor
                    of the histograms plugin (not a scalar)
  steps DIR S,S,..  one event file with 'loss' at each given step (negative and int64 ones too)
  restart DIR       steps 0-3 in one file, then SessionLog START at step 2 and steps 102, 103
                    in a second file (a TF1 job resumed from a checkpoint)
  legacy DIR SPEC   files with no file_version (pre-TF1 writers), one per ';'-separated part of
                    SPEC, named so they sort in that order; a part is steps 'S,S,..', 'loss' at
                    each step and 'acc' at even ones; a part starting 'v2:' begins with
                    file_version brain.Event:2
  crafted FILE      good records, then one whose summary length is a 10-byte varint that
                    decodes negative (valid CRCs), then one more good record
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


def loss_event(step, t):
    return event_pb2.Event(wall_time=t, step=step, summary=summary_pb2.Summary(value=[summary_pb2.Summary.Value(tag='loss', simple_value=float(step))]))


def write_steps(logdir, steps):
    from tensorboard.summary.writer.event_file_writer import EventFileWriter

    w = EventFileWriter(logdir)
    for i, s in enumerate(steps):
        w.add_event(loss_event(s, 1000.0 + i))
    w.close()


def write_restart(logdir):
    from tensorboard.summary.writer.event_file_writer import EventFileWriter

    w = EventFileWriter(logdir, filename_suffix='.a')
    for s in range(4):
        w.add_event(loss_event(s, 1000.0 + s))
    w.close()
    time.sleep(1.1)  # file names start with the creation time in seconds
    w = EventFileWriter(logdir, filename_suffix='.b')
    w.add_event(event_pb2.Event(wall_time=2000.0, step=2, session_log=event_pb2.SessionLog(status=event_pb2.SessionLog.START)))
    for s in (102, 103):
        w.add_event(loss_event(s, 2000.0 + s))
    w.close()


def write_legacy(logdir, spec):
    import os

    from tensorboard.summary.writer.record_writer import RecordWriter

    os.makedirs(logdir, exist_ok=True)
    t = 1000.0
    for i, part in enumerate(spec.split(';')):
        with open(os.path.join(logdir, f'events.out.tfevents.{1000 + i}.legacy'), 'wb') as f:
            rw = RecordWriter(f)
            if part.startswith('v2:'):
                part = part[3:]
                rw.write(event_pb2.Event(wall_time=t, file_version='brain.Event:2').SerializeToString())
            for s in (int(x) for x in part.split(',')):
                t += 1.0
                values = [summary_pb2.Summary.Value(tag='loss', simple_value=float(s) + t / 1e4)]
                if s % 2 == 0:
                    values.append(summary_pb2.Summary.Value(tag='acc', simple_value=float(-s)))
                rw.write(event_pb2.Event(wall_time=t, step=s, summary=summary_pb2.Summary(value=values)).SerializeToString())
            rw.flush()


def write_crafted(path):
    from tensorboard.summary.writer.record_writer import RecordWriter

    with open(path, 'wb') as f:
        rw = RecordWriter(f)
        rw.write(event_pb2.Event(wall_time=1.0, file_version='brain.Event:2').SerializeToString())
        for s in range(3):
            rw.write(loss_event(s, 1.0 + s).SerializeToString())
        # step=1, then field 5 (summary, bytes) with length -1000 as a 10-byte varint
        n = (1 << 64) - 1000
        varint = bytearray()
        while True:
            b = n & 0x7F
            n >>= 7
            varint.append(b | (0x80 if n else 0))
            if not n:
                break
        rw.write(bytes([0x10, 0x01, 0x2A]) + bytes(varint) + b'\x00' * 2000)
        rw.write(loss_event(3, 4.0).SerializeToString())
        rw.flush()


if __name__ == '__main__':
    if sys.argv[1] == 'write':
        write(sys.argv[2], int(sys.argv[3]))
    elif sys.argv[1] == 'steps':
        write_steps(sys.argv[2], [int(s) for s in sys.argv[3].split(',')])
    elif sys.argv[1] == 'restart':
        write_restart(sys.argv[2])
    elif sys.argv[1] == 'legacy':
        write_legacy(sys.argv[2], sys.argv[3])
    elif sys.argv[1] == 'crafted':
        write_crafted(sys.argv[2])
    else:
        print(json.dumps(read(sys.argv[2])))
