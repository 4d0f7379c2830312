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

  /**
   * A varint as a JS number; int64 negatives (10-byte two's complement) come back
   * negative. Up to 4 bytes (28 bits) stay on the fast path; longer ones are split
   * into exact 32-bit halves, since summing floats would round -5 to 2^64 and then 0.
   */
  varint(): number {
    let lo = 0;
    for (let i = 0; i < 4; i++) {
      if (this.pos >= this.end) throw new Error('truncated varint');
      const b = this.buf[this.pos++];
      lo |= (b & 0x7f) << (7 * i);
      if (b < 0x80) return lo;
    }
    return this.varintLong(lo);
  }

  private varintLong(lo28: number): number {
    let lo = lo28;
    let hi = 0;
    for (let i = 4; i < 10; i++) {
      if (this.pos >= this.end) throw new Error('truncated varint');
      const b = this.buf[this.pos++];
      if (i === 4) {
        lo |= (b & 0x0f) << 28; // bits 28..31; the top 3 bits start the high word
        hi = (b & 0x7f) >> 4;
      } else {
        hi |= (b & 0x7f) << (3 + 7 * (i - 5)); // the 10th byte keeps only bit 63
      }
      if (b < 0x80) return (hi | 0) * 2 ** 32 + (lo >>> 0);
    }
    throw new Error('varint longer than 10 bytes');
  }

  /** A length or count: never negative (a negative one would move the cursor back). */
  private length(): number {
    const n = this.varint();
    if (n < 0) throw new Error(`negative length ${n}`);
    return n;
  }

  double(): number {
    return this.view.getFloat64(this.advance(8), true);
  }

  float(): number {
    return this.view.getFloat32(this.advance(4), true);
  }

  /** A length-delimited field: returns its [start, end) and moves past it. */
  bytes(): [number, number] {
    const s = this.advance(this.length());
    return [s, this.pos];
  }

  string(): string {
    const [s, e] = this.bytes();
    return utf8.decode(this.buf.subarray(s, e));
  }

  /** Moves past a field's value; the cases look alike (duplicates lists them) but each wire type has its own length. */
  skip(wireType: number): void {
    switch (wireType) {
      case WireType.Varint:
        this.varint();
        return;
      case WireType.Fixed64:
        this.advance(8);
        return;
      case WireType.Bytes:
        this.bytes();
        return;
      case WireType.Fixed32:
        this.advance(4);
        return;
      default:
        throw new Error(`unsupported wire type ${wireType}`);
    }
  }

  /** Moves past `n` bytes that must lie inside the message; returns where they start. */
  private advance(n: number): number {
    if (this.pos + n > this.end) throw new Error('truncated field');
    const at = this.pos;
    this.pos += n;
    return at;
  }
}

const utf8 = new TextDecoder('utf-8');
