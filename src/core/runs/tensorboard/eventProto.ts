// Decodes the parts of tensorflow.Event that carry scalars:
//   Event{ wall_time=1 double, step=2 int64, file_version=3 string, summary=5 Summary,
//          session_log=7 SessionLog{ status=1 enum, START=1 } }
//   Summary{ value=1 repeated Value }
//   Value{ tag=1, simple_value=2 float, tensor=8 TensorProto, metadata=9 SummaryMetadata }
//   SummaryMetadata{ plugin_data=1 PluginData{ plugin_name=1 } }
//   TensorProto{ dtype=1, tensor_shape=2, tensor_content=4, float_val=5, double_val=6 }
// Everything else (graphs, images, histograms' payloads) is skipped unread.
import { ProtoReader, WireType } from './protobuf';

export interface DecodedValue {
  tag: string;
  /** Set when the value came as `simple_value` or as a one-element float/double tensor. */
  value?: number;
  fromTensor: boolean;
  pluginName?: string;
}

export interface DecodedEvent {
  wallTime: number;
  step: number;
  values: DecodedValue[];
  /** `brain.Event:2` and the like; only the first event of a file carries it. */
  fileVersion?: string;
  hasSummary: boolean;
  /** A SessionLog with status START: the writer (re)started at this step. */
  sessionStart: boolean;
}

const SESSION_START = 1;

const DT_FLOAT = 1;
const DT_DOUBLE = 2;

export function decodeEvent(buf: Uint8Array, start: number, end: number): DecodedEvent {
  const r = new ProtoReader(buf, start, end);
  const ev: DecodedEvent = { wallTime: 0, step: 0, values: [], hasSummary: false, sessionStart: false };
  while (!r.done()) {
    const key = r.key();
    switch (key) {
      case (1 << 3) | WireType.Fixed64:
        ev.wallTime = r.double();
        break;
      case (2 << 3) | WireType.Varint:
        ev.step = r.varint();
        break;
      case (3 << 3) | WireType.Bytes:
        ev.fileVersion = r.string();
        break;
      case (5 << 3) | WireType.Bytes: {
        const [s, e] = r.bytes();
        ev.hasSummary = true;
        decodeSummary(buf, s, e, ev.values);
        break;
      }
      case (7 << 3) | WireType.Bytes: {
        const [s, e] = r.bytes();
        ev.sessionStart = varintField(buf, s, e, 1) === SESSION_START;
        break;
      }
      default:
        r.skip(key & 7);
    }
  }
  return ev;
}

/** The varint field `field` of a message (the last one, as protobuf merges); 0 when absent. */
function varintField(buf: Uint8Array, start: number, end: number, field: number): number {
  const r = new ProtoReader(buf, start, end);
  let value = 0;
  while (!r.done()) {
    const key = r.key();
    if (key === ((field << 3) | WireType.Varint)) value = r.varint();
    else r.skip(key & 7);
  }
  return value;
}

function decodeSummary(buf: Uint8Array, start: number, end: number, out: DecodedValue[]): void {
  const r = new ProtoReader(buf, start, end);
  while (!r.done()) {
    const key = r.key();
    if (key === ((1 << 3) | WireType.Bytes)) {
      const [s, e] = r.bytes();
      out.push(decodeValue(buf, s, e));
    } else r.skip(key & 7);
  }
}

// decodeEvent and decodeValue have the same shape (a switch over field keys) because that
// is what decoding a protobuf message is; the fields and what each does differ, and a
// table-driven decoder would cost a closure call per field on the hottest path.
function decodeValue(buf: Uint8Array, start: number, end: number): DecodedValue {
  const r = new ProtoReader(buf, start, end);
  const v: DecodedValue = { tag: '', fromTensor: false };
  while (!r.done()) {
    const key = r.key();
    switch (key) {
      case (1 << 3) | WireType.Bytes:
        v.tag = r.string();
        break;
      case (2 << 3) | WireType.Fixed32:
        v.value = r.float();
        break;
      case (8 << 3) | WireType.Bytes: {
        const [s, e] = r.bytes();
        const t = scalarOfTensor(buf, s, e);
        if (t !== undefined) {
          v.value = t;
          v.fromTensor = true;
        }
        break;
      }
      case (9 << 3) | WireType.Bytes: {
        const [s, e] = r.bytes();
        v.pluginName = pluginNameOf(buf, s, e);
        break;
      }
      default:
        r.skip(key & 7);
    }
  }
  return v;
}

function pluginNameOf(buf: Uint8Array, start: number, end: number): string | undefined {
  const r = new ProtoReader(buf, start, end);
  while (!r.done()) {
    const key = r.key();
    if (key === ((1 << 3) | WireType.Bytes)) {
      const [s, e] = r.bytes();
      const p = new ProtoReader(buf, s, e);
      while (!p.done()) {
        const k = p.key();
        if (k === ((1 << 3) | WireType.Bytes)) return p.string();
        p.skip(k & 7);
      }
    } else r.skip(key & 7);
  }
  return undefined;
}

/** The value of a tensor holding exactly one float or double, else undefined. */
function scalarOfTensor(buf: Uint8Array, start: number, end: number): number | undefined {
  const r = new ProtoReader(buf, start, end);
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  let dtype = 0;
  let elements = 1;
  let content: [number, number] | undefined;
  const vals: number[] = [];
  while (!r.done()) {
    const key = r.key();
    switch (key) {
      case (1 << 3) | WireType.Varint:
        dtype = r.varint();
        break;
      case (2 << 3) | WireType.Bytes: {
        const [s, e] = r.bytes();
        elements = elementCount(buf, s, e);
        break;
      }
      case (4 << 3) | WireType.Bytes:
        content = r.bytes();
        break;
      case (5 << 3) | WireType.Bytes: {
        const [s, e] = r.bytes(); // packed float_val
        for (let i = s; i + 4 <= e; i += 4) vals.push(view.getFloat32(i, true));
        break;
      }
      case (5 << 3) | WireType.Fixed32:
        vals.push(r.float());
        break;
      case (6 << 3) | WireType.Bytes: {
        const [s, e] = r.bytes(); // packed double_val
        for (let i = s; i + 8 <= e; i += 8) vals.push(view.getFloat64(i, true));
        break;
      }
      case (6 << 3) | WireType.Fixed64:
        vals.push(r.double());
        break;
      default:
        r.skip(key & 7);
    }
  }
  if (elements !== 1 || (dtype !== DT_FLOAT && dtype !== DT_DOUBLE)) return undefined;
  if (content) {
    const [s, e] = content;
    if (dtype === DT_FLOAT && e - s === 4) return view.getFloat32(s, true);
    if (dtype === DT_DOUBLE && e - s === 8) return view.getFloat64(s, true);
    return undefined;
  }
  return vals.length >= 1 ? vals[0] : undefined;
}

/** Product of TensorShapeProto's dim sizes (dim=2 repeated { size=1 }); a scalar has none. */
function elementCount(buf: Uint8Array, start: number, end: number): number {
  const r = new ProtoReader(buf, start, end);
  let n = 1;
  while (!r.done()) {
    const key = r.key();
    if (key === ((2 << 3) | WireType.Bytes)) {
      const [s, e] = r.bytes();
      n *= varintField(buf, s, e, 1); // Dim.size
    } else r.skip(key & 7);
  }
  return n;
}
