// Just enough of the protobuf wire format to walk TensorBoard's Event messages: a
// cursor over a byte range that yields (field, wire type) and reads the value. Unknown
// fields are skipped, so newer writers' additions do not break us.

export const enum WireType {
  Varint = 0,
  Fixed64 = 1,
  Bytes = 2,
  Fixed32 = 5,
}

export class ProtoReader {
  pos: number;
  private readonly view: DataView;

  constructor(
    readonly buf: Uint8Array,
    start = 0,
    readonly end = buf.length,
  ) {
    this.pos = start;
    this.view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  }

  done(): boolean {
    return this.pos >= this.end;
  }

  /** The next key as field number * 8 + wire type. */
  key(): number {
    return this.varint();
  }

  /** A varint as a JS number: exact up to 2^53, which covers steps and lengths. */
  varint(): number {
    let result = 0;
    let mul = 1;
    for (let i = 0; i < 10; i++) {
      if (this.pos >= this.end) throw new Error('truncated varint');
      const b = this.buf[this.pos++];
      result += (b & 0x7f) * mul;
      if (b < 0x80) {
        // int64 negatives arrive as 10-byte two's complement; fold them back.
        return i === 9 && result >= 2 ** 63 ? result - 2 ** 64 : result;
      }
      mul *= 128;
    }
    throw new Error('varint longer than 10 bytes');
  }

  double(): number {
    this.need(8);
    const v = this.view.getFloat64(this.pos, true);
    this.pos += 8;
    return v;
  }

  float(): number {
    this.need(4);
    const v = this.view.getFloat32(this.pos, true);
    this.pos += 4;
    return v;
  }

  /** A length-delimited field: returns its [start, end) and moves past it. */
  bytes(): [number, number] {
    const len = this.varint();
    this.need(len);
    const s = this.pos;
    this.pos += len;
    return [s, this.pos];
  }

  string(): string {
    const [s, e] = this.bytes();
    return utf8.decode(this.buf.subarray(s, e));
  }

  skip(wireType: number): void {
    switch (wireType) {
      case WireType.Varint:
        this.varint();
        return;
      case WireType.Fixed64:
        this.need(8);
        this.pos += 8;
        return;
      case WireType.Bytes:
        this.bytes();
        return;
      case WireType.Fixed32:
        this.need(4);
        this.pos += 4;
        return;
      default:
        throw new Error(`unsupported wire type ${wireType}`);
    }
  }

  private need(n: number): void {
    if (this.pos + n > this.end) throw new Error('truncated field');
  }
}

const utf8 = new TextDecoder('utf-8');
