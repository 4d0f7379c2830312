// Decodes the parts of tensorflow.Event that carry scalars:
//   Event{ wall_time=1 double, step=2 int64, file_version=3 string, summary=5 Summary,
//          session_log=7 SessionLog{ status=1 enum, START=1 } }
//   Summary{ value=1 repeated Value }
//   Value{ tag=1, simple_value=2 float, tensor=8 TensorProto, metadata=9 SummaryMetadata }
//   SummaryMetadata{ plugin_data=1 PluginData{ plugin_name=1 } }
//   TensorProto{ dtype=1, tensor_shape=2, tensor_content=4, float_val=5, double_val=6 }
// Everything else (graphs, images, histograms' payloads) is skipped unread.
//
// One decoder per file reader, and one event at a time into fields it reuses: at a million
// events the per-event objects (an event, an array, a value object per tag) were what the
// garbage collector spent its time on. The reader copies out what it keeps.
import { ProtoCursor, WireType } from './protobuf';
import { StringInterner } from './stringInterner';

const SESSION_START = 1;

const DT_FLOAT = 1;
const DT_DOUBLE = 2;

const WALL_TIME = (1 << 3) | WireType.Fixed64;
const STEP = (2 << 3) | WireType.Varint;
const FILE_VERSION = (3 << 3) | WireType.Bytes;
const SUMMARY = (5 << 3) | WireType.Bytes;
const SESSION_LOG = (7 << 3) | WireType.Bytes;
const FIELD1_BYTES = (1 << 3) | WireType.Bytes;
const FIELD1_VARINT = (1 << 3) | WireType.Varint;
const SIMPLE_VALUE = (2 << 3) | WireType.Fixed32;
const TENSOR = (8 << 3) | WireType.Bytes;
const METADATA = (9 << 3) | WireType.Bytes;
const SHAPE = (2 << 3) | WireType.Bytes;
const CONTENT = (4 << 3) | WireType.Bytes;
const FLOAT_PACKED = (5 << 3) | WireType.Bytes;
const FLOAT_ONE = (5 << 3) | WireType.Fixed32;
const DOUBLE_PACKED = (6 << 3) | WireType.Bytes;
const DOUBLE_ONE = (6 << 3) | WireType.Fixed64;

export class EventDecoder {
  private readonly c = new ProtoCursor();
  private readonly names = new StringInterner();

  // The last decoded event. Valid until the next decode().
  wallTime = 0;
  step = 0;
  /** `brain.Event:2` and the like; only the first event of a file carries it. */
  fileVersion: string | undefined;
  hasSummary = false;
  /** A SessionLog with status START: the writer (re)started at this step. */
  sessionStart = false;
  /** How many summary values the event holds; value i is tags[i], values[i], ... */
  count = 0;
  readonly tags: string[] = [];
  /** Whether values[i] is set (simple_value or a one-element float/double tensor). */
  readonly hasValue: boolean[] = [];
  readonly values: number[] = [];
  readonly fromTensor: boolean[] = [];
  readonly pluginNames: (string | undefined)[] = [];

  /** Points the decoder at a read chunk; decode() then takes offsets into it. */
  setBuffer(buf: Uint8Array): void {
    this.c.setBuffer(buf);
  }

  /** Decodes the event in [start, end) of the buffer; throws on a malformed one. */
  decode(start: number, end: number): void {
    const c = this.c;
    c.at(start, end);
    this.wallTime = 0;
    this.step = 0;
    this.fileVersion = undefined;
    this.hasSummary = false;
    this.sessionStart = false;
    this.count = 0;
    while (!c.done()) {
      const key = c.key();
      switch (key) {
        case WALL_TIME:
          this.wallTime = c.view.getFloat64(c.fixed(8), true);
          break;
        case STEP:
          this.step = c.varint();
          break;
        case FILE_VERSION:
          this.fileVersion = c.string();
          break;
        case SUMMARY: {
          const outer = c.end;
          c.end = c.enter();
          this.hasSummary = true;
          this.summary();
          c.end = outer;
          break;
        }
        case SESSION_LOG: {
          const outer = c.end;
          c.end = c.enter();
          this.sessionStart = this.lastVarint1() === SESSION_START;
          c.end = outer;
          break;
        }
        default:
          c.skip(key & 7);
      }
    }
  }

  /** The varint field 1 of the message the cursor is in (the last one, as protobuf merges); 0 when absent. Leaves the cursor at its end. */
  private lastVarint1(): number {
    const c = this.c;
    let value = 0;
    while (!c.done()) {
      const key = c.key();
      if (key === FIELD1_VARINT) value = c.varint();
      else c.skip(key & 7);
    }
    return value;
  }

  private summary(): void {
    const c = this.c;
    while (!c.done()) {
      const key = c.key();
      if (key === FIELD1_BYTES) {
        const outer = c.end;
        c.end = c.enter();
        this.value(this.count++);
        c.end = outer;
      } else c.skip(key & 7);
    }
  }

  // summary/value/tensor have the same shape (a switch over field keys) because that is
  // what decoding a protobuf message is; the fields and what each does differ, and a
  // table-driven decoder would cost a closure call per field on the hottest path.
  private value(i: number): void {
    const c = this.c;
    this.tags[i] = '';
    this.hasValue[i] = false;
    this.values[i] = 0;
    this.fromTensor[i] = false;
    this.pluginNames[i] = undefined;
    while (!c.done()) {
      const key = c.key();
      switch (key) {
        case FIELD1_BYTES: {
          const e = c.enter();
          this.tags[i] = this.names.text(c.buf, c.pos, e, i);
          c.pos = e;
          break;
        }
        case SIMPLE_VALUE:
          this.values[i] = c.view.getFloat32(c.fixed(4), true);
          this.hasValue[i] = true;
          break;
        case TENSOR: {
          const outer = c.end;
          c.end = c.enter();
          if (this.scalarOfTensor()) {
            this.values[i] = this.tensorValue;
            this.hasValue[i] = true;
            this.fromTensor[i] = true;
          }
          c.end = outer;
          break;
        }
        case METADATA: {
          const outer = c.end;
          const metadataEnd = c.enter();
          c.end = metadataEnd;
          this.pluginNames[i] = this.pluginName();
          // pluginName() may return from inside plugin_data, with end narrowed to it.
          c.pos = metadataEnd;
          c.end = outer;
          break;
        }
        default:
          c.skip(key & 7);
      }
    }
  }

  /** The first plugin_name found in the metadata's plugin_data, else undefined. */
  private pluginName(): string | undefined {
    const c = this.c;
    while (!c.done()) {
      const key = c.key();
      if (key === FIELD1_BYTES) {
        const outer = c.end;
        c.end = c.enter();
        while (!c.done()) {
          const k = c.key();
          if (k === FIELD1_BYTES) {
            const e = c.enter();
            return this.names.text(c.buf, c.pos, e);
          }
          c.skip(k & 7);
        }
        c.end = outer;
      } else c.skip(key & 7);
    }
    return undefined;
  }

  private tensorValue = 0;
  /** The tensor's first float_val / double_val element, while its fields are read. */
  private first = 0;

  /** Whether the tensor holds exactly one float or double; its value in tensorValue. Leaves the cursor at the tensor's end. */
  private scalarOfTensor(): boolean {
    const c = this.c;
    let dtype = 0;
    let elements = 1;
    let contentStart = -1;
    let contentEnd = -1;
    let haveFirst = false;
    while (!c.done()) {
      const key = c.key();
      switch (key) {
        case FIELD1_VARINT:
          dtype = c.varint();
          break;
        case SHAPE: {
          const outer = c.end;
          c.end = c.enter();
          elements = this.elementCount();
          c.end = outer;
          break;
        }
        case CONTENT:
          contentEnd = c.enter();
          contentStart = c.pos;
          c.pos = contentEnd;
          break;
        case FLOAT_PACKED:
        case FLOAT_ONE:
        case DOUBLE_PACKED:
        case DOUBLE_ONE:
          // The first element found is the value (a scalar has one); later ones are skipped.
          if (haveFirst) c.skip(key & 7);
          else haveFirst = this.firstElement(key);
          break;
        default:
          c.skip(key & 7);
      }
    }
    if (elements !== 1 || (dtype !== DT_FLOAT && dtype !== DT_DOUBLE)) return false;
    if (contentStart >= 0) {
      const n = contentEnd - contentStart;
      if (dtype === DT_FLOAT && n === 4) this.tensorValue = c.view.getFloat32(contentStart, true);
      else if (dtype === DT_DOUBLE && n === 8) this.tensorValue = c.view.getFloat64(contentStart, true);
      else return false;
      return true;
    }
    this.tensorValue = this.first;
    return haveFirst;
  }

  /** The first element of a float_val or double_val field (packed or not) in `first`; false for an empty packed run. Moves past the field. */
  private firstElement(key: number): boolean {
    const c = this.c;
    if (key === FLOAT_ONE) this.first = c.view.getFloat32(c.fixed(4), true);
    else if (key === DOUBLE_ONE) this.first = c.view.getFloat64(c.fixed(8), true);
    else {
      const e = c.enter();
      const size = key === FLOAT_PACKED ? 4 : 8;
      const found = c.pos + size <= e;
      if (found) this.first = size === 4 ? c.view.getFloat32(c.pos, true) : c.view.getFloat64(c.pos, true);
      c.pos = e;
      return found;
    }
    return true;
  }

  /** Product of TensorShapeProto's dim sizes (dim=2 repeated { size=1 }); a scalar has none. Leaves the cursor at the shape's end. */
  private elementCount(): number {
    const c = this.c;
    let n = 1;
    while (!c.done()) {
      const key = c.key();
      if (key === SHAPE) {
        const outer = c.end;
        c.end = c.enter();
        n *= this.lastVarint1(); // Dim.size
        c.end = outer;
      } else c.skip(key & 7);
    }
    return n;
  }
}
