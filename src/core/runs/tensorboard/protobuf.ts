// Just enough of the protobuf wire format to walk TensorBoard's Event messages. One
// cursor per event file reader, pointed at each read chunk once: nested messages narrow
// its `end` instead of allocating a reader (and a DataView) per message, which at a
// million events and four values each was most of the reading time. Unknown fields are
// skipped, so newer writers' additions do not break us.

export const enum WireType {
  Varint = 0,
  Fixed64 = 1,
  Bytes = 2,
  Fixed32 = 5,
}

export class ProtoCursor {
  buf: Uint8Array = new Uint8Array(0);
  pos = 0;
  /** The end of the message being read; a nested message narrows it (see enter). */
  end = 0;
  /** Over the same bytes as buf: fixed-size numbers are read through it (see fixed). */
  view = new DataView(this.buf.buffer);

  /** Points the cursor at a new buffer (one read chunk): the only place a DataView is made. */
  setBuffer(buf: Uint8Array): void {
    this.buf = buf;
    this.view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  }

  /** Reads the message in [start, end) of the buffer. */
  at(start: number, end: number): void {
    this.pos = start;
    this.end = end;
  }

  done(): boolean {
    return this.pos >= this.end;
  }

  /**
   * The next key as field number * 8 + wire type. Keys of the fields we read are one byte:
   * that case is small enough for the compiler to inline at every call.
   */
  key(): number {
    const at = this.pos;
    if (at < this.end) {
      const b = this.buf[at];
      if (b < 0x80) {
        this.pos = at + 1;
        return b;
      }
    }
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

  // Fixed-size numbers are read as `c.view.getFloat64(c.fixed(8), true)` at the call site,
  // not through a method returning them: a double returned from a call that is not inlined
  // is boxed (a heap object per value: ~90 MB of garbage per 100 MB event file), while the
  // DataView read is compiled in place.

  /**
   * A length-delimited field: moves past its length and returns where its bytes end (the
   * cursor is at their start). To read it as a message: `const outer = c.end; c.end =
   * c.enter(); …; c.pos = c.end; c.end = outer`.
   */
  enter(): number {
    // Lengths under 128 (tags, values, tensors: nearly every field) are one byte.
    const at = this.pos;
    if (at < this.end) {
      const b = this.buf[at];
      if (b < 0x80) {
        if (at + 1 + b > this.end) throw new Error('truncated field');
        this.pos = at + 1;
        return at + 1 + b;
      }
    }
    return this.enterLong();
  }

  private enterLong(): number {
    const n = this.varint();
    // A negative length would move the cursor back.
    if (n < 0) throw new Error(`negative length ${n}`);
    if (this.pos + n > this.end) throw new Error('truncated field');
    return this.pos + n;
  }

  /** A length-delimited field as a string. */
  string(): string {
    const e = this.enter();
    const s = utf8.decode(this.buf.subarray(this.pos, e));
    this.pos = e;
    return s;
  }

  /** Moves past a field's value; the cases look alike (duplicates lists them) but each wire type has its own length. */
  skip(wireType: number): void {
    switch (wireType) {
      case WireType.Varint:
        this.varint();
        return;
      case WireType.Fixed64:
        this.fixed(8);
        return;
      case WireType.Bytes:
        this.pos = this.enter();
        return;
      case WireType.Fixed32:
        this.fixed(4);
        return;
      default:
        throw new Error(`unsupported wire type ${wireType}`);
    }
  }

  /** Moves past `n` bytes that must lie inside the message; returns where they start. */
  fixed(n: number): number {
    if (this.pos + n > this.end) throw new Error('truncated field');
    const at = this.pos;
    this.pos += n;
    return at;
  }
}

export const utf8 = new TextDecoder('utf-8');
