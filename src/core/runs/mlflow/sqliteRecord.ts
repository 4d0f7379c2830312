// SQLite's record format (https://sqlite.org/fileformat2.html#record_format): a header of
// varint serial types followed by the values they describe. Decoded by hand so that the
// MLflow store can be read page by page instead of loading the whole file into sql.js.

export type SqlValue = null | number | bigint | string | Uint8Array;

/** A varint at `off`: its value and the offset after it. Values beyond 2^53 lose precision. */
export function readVarint(b: Uint8Array, off: number): [value: number, next: number] {
  let v = 0;
  for (let i = 0; i < 8; i++) {
    const byte = b[off + i];
    v = v * 128 + (byte & 0x7f);
    if (byte < 0x80) return [v, off + i + 1];
  }
  return [v * 256 + b[off + 8], off + 9];
}

/** Where the varint last read by `varint` ended. */
export const cursor = { next: 0 };

/**
 * readVarint without its tuple: the end goes to `cursor.next`. Per row, a destructured
 * tuple costs more than the whole varint while the code still runs in the interpreter.
 */
export function varint(b: Uint8Array, off: number): number {
  let v = 0;
  for (let i = 0; i < 8; i++) {
    const byte = b[off + i];
    v = v * 128 + (byte & 0x7f);
    if (byte < 0x80) {
      cursor.next = off + i + 1;
      return v;
    }
  }
  cursor.next = off + 9;
  return v * 256 + b[off + 8];
}

/** The varint as a bigint, for rowids that must be exact. */
export function readVarintBig(b: Uint8Array, off: number): [value: bigint, next: number] {
  let v = 0n;
  for (let i = 0; i < 8; i++) {
    const byte = b[off + i];
    v = (v << 7n) | BigInt(byte & 0x7f);
    if (byte < 0x80) return [BigInt.asIntN(64, v), off + i + 1];
  }
  return [BigInt.asIntN(64, (v << 8n) | BigInt(b[off + 8])), off + 9];
}

const decoder = new TextDecoder('utf-8');
const asciiScratch: number[][] = [];

const FIXED_SIZES = [0, 1, 2, 3, 4, 6, 8, 8, 0, 0, 0, 0];

/** Bytes a value of this serial type occupies in the record body. */
export function serialSize(t: number): number {
  if (t < 5) return t;
  if (t === 5) return 6;
  if (t === 6 || t === 7) return 8;
  if (t < 12) return 0;
  return (t - (t & 1 ? 13 : 12)) / 2;
}

// One scratch buffer for the big-endian floats and integers, instead of a DataView per value.
const scratch = new DataView(new ArrayBuffer(8));

function load8(b: Uint8Array, off: number): DataView {
  for (let i = 0; i < 8; i++) scratch.setUint8(i, b[off + i]);
  return scratch;
}

// Floats through a typed-array view in the host's byte order: several times cheaper than
// eight DataView calls per value when a listing decodes ten thousand of them.
const f64 = new Float64Array(1);
const f64Bytes = new Uint8Array(f64.buffer);
const littleEndian = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

function readFloat(b: Uint8Array, off: number): number {
  if (littleEndian) for (let i = 0; i < 8; i++) f64Bytes[7 - i] = b[off + i];
  else for (let i = 0; i < 8; i++) f64Bytes[i] = b[off + i];
  return f64[0];
}

function readInt(b: Uint8Array, off: number, n: number): number | bigint {
  if (n === 8) {
    const hi = ((b[off] << 24) | (b[off + 1] << 16) | (b[off + 2] << 8) | b[off + 3]) >> 0;
    const lo = ((b[off + 4] << 24) | (b[off + 5] << 16) | (b[off + 6] << 8) | b[off + 7]) >>> 0;
    // Exact as a number while |hi| < 2^21, i.e. within ±2^53; beyond, a bigint.
    if (hi >= -0x200000 && hi < 0x200000) return hi * 4294967296 + lo;
    return load8(b, off).getBigInt64(0);
  }
  let v = 0;
  for (let i = 0; i < n; i++) v = v * 256 + b[off + i];
  return b[off] & 0x80 ? v - 2 ** (8 * n) : v; // two's complement
}

/** Decodes one value of serial type `t` found at `off`. */
export function decodeValue(b: Uint8Array, off: number, t: number): SqlValue {
  switch (t) {
    case 0:
      return null;
    case 7:
      return readFloat(b, off);
    case 8:
      return 0;
    case 9:
      return 1;
    case 10:
    case 11:
      throw new Error(`reserved serial type ${t}`);
  }
  if (t <= 6) return readInt(b, off, serialSize(t));
  const n = serialSize(t);
  if (off + n > b.length) throw new Error('record value runs past its payload');
  if (!(t & 1)) return Uint8Array.prototype.slice.call(b, off, off + n); // a copy, even of a Buffer
  if (n <= 16) {
    // Short ASCII text (statuses, small keys): built here, without a call into the decoder
    // and without intermediate strings, from one reused array per length.
    const codes = (asciiScratch[n] ??= new Array<number>(n));
    for (let i = 0; i < n; i++) {
      const c = b[off + i];
      if (c > 0x7f) return decodeText(b, off, n);
      codes[i] = c;
    }
    return String.fromCharCode.apply(null, codes);
  }
  return decodeText(b, off, n);
}

// Buffer's own UTF-8 decoding is several times faster than TextDecoder on short strings.
// Its utf8Slice, which toString('utf8', ...) ends in, skips the argument handling that
// would otherwise run, and be compiled into the row loop, once per value.
const utf8Slice = (Buffer.prototype as unknown as { utf8Slice?: (start: number, end: number) => string }).utf8Slice;

function decodeText(b: Uint8Array, off: number, n: number): string {
  if (!(b instanceof Buffer)) return decoder.decode(b.subarray(off, off + n));
  return utf8Slice ? utf8Slice.call(b, off, off + n) : b.toString('utf8', off, off + n);
}

/**
 * The values of the record in `b[start, end)` (a whole payload, overflow already joined).
 * With `wanted`, only those columns are decoded; the others come back as null unread.
 */
export function decodeRecord(b: Uint8Array, start = 0, end = b.length, wanted?: boolean[]): SqlValue[] {
  let [headerSize, off] = readVarint(b, start);
  headerSize += start;
  const out: SqlValue[] = [];
  let body = headerSize;
  for (let i = 0; off < headerSize; i++) {
    let t = b[off];
    if (t < 0x80) off++;
    else [t, off] = readVarint(b, off);
    const size = serialSize(t);
    if (body + size > end) throw new Error('record body runs past its payload');
    out.push(wanted && !wanted[i] ? null : decodeValue(b, body, t));
    body += size;
  }
  return out;
}

/**
 * One record with only its header parsed: values are decoded when asked for, straight
 * from the page, so a scan allocates nothing per row but the values it keeps. The same
 * view is reloaded for every row of a scan; a visitor must not keep it.
 */
export class RecordView {
  buf: Uint8Array = new Uint8Array(0);
  /** Columns the record holds (rows older than an ALTER TABLE ADD COLUMN hold fewer). */
  count = 0;
  private types = new Float64Array(16);
  private offsets = new Int32Array(16);

  /** Parses the header of the record in `b[start, end)`. */
  load(b: Uint8Array, start: number, end: number): this {
    let headerEnd = b[start];
    let off = start + 1;
    if (headerEnd > 0x7f) {
      headerEnd = varint(b, start);
      off = cursor.next;
    }
    headerEnd += start;
    let body = headerEnd;
    let n = 0;
    while (off < headerEnd) {
      let t = b[off];
      if (t < 0x80) off++;
      else {
        t = varint(b, off);
        off = cursor.next;
      }
      if (n === this.types.length) this.grow();
      this.types[n] = t;
      this.offsets[n] = body;
      body += t < 12 ? FIXED_SIZES[t] : (t - 12 - (t % 2)) / 2;
      if (body > end) throw new Error('record body runs past its payload');
      n++;
    }
    this.buf = b;
    this.count = n;
    return this;
  }

  private grow(): void {
    const types = new Float64Array(this.types.length * 2);
    const offsets = new Int32Array(this.offsets.length * 2);
    types.set(this.types);
    offsets.set(this.offsets);
    this.types = types;
    this.offsets = offsets;
  }

  // Columns past `count` (added by a later ALTER TABLE) read as NULL; whoever knows the
  // table's defaults checks for those first (see checkShortRecord).
  isNull(i: number): boolean {
    return i >= this.count || this.types[i] === 0;
  }

  value(i: number): SqlValue {
    return i < this.count ? decodeValue(this.buf, this.offsets[i], this.types[i]) : null;
  }

  /** `Number(value(i))`, without a detour through a boxed value for the numeric types. */
  number(i: number): number {
    const t = i < this.count ? this.types[i] : 0;
    if (t === 7) return readFloat(this.buf, this.offsets[i]);
    if (t >= 1 && t <= 6) return Number(readInt(this.buf, this.offsets[i], FIXED_SIZES[t]));
    if (t === 8 || t === 0) return 0;
    if (t === 9) return 1;
    return Number(this.value(i));
  }

  /** Whether value(i) is truthy, without decoding it. */
  truthy(i: number): boolean {
    const t = i < this.count ? this.types[i] : 0;
    if (t === 0 || t === 8) return false;
    if (t === 9) return true;
    if (t <= 7) return !!this.number(i);
    return t % 2 === 0 || t > 13; // a blob is an object; text is truthy unless empty
  }

  /** `String(value(i))`; text straight from the page. */
  text(i: number): string {
    const t = i < this.count ? this.types[i] : 0;
    if (t >= 13 && t % 2 === 1) return decodeText(this.buf, this.offsets[i], (t - 13) / 2);
    return String(this.value(i));
  }

  /** Whether column `i` is text with the same bytes as `other[off, off + n)`. */
  sameText(i: number, other: Uint8Array, off: number, n: number): boolean {
    if (i >= this.count || this.types[i] !== 13 + 2 * n) return false;
    const b = this.buf;
    const start = this.offsets[i];
    let j = 0;
    while (j < n && b[start + j] === other[off + j]) j++;
    return j === n;
  }

  /** Where the bytes of text column `i` start in `buf`; -1 when it holds no text. */
  textStart(i: number): number {
    const t = i < this.count ? this.types[i] : 0;
    return t >= 13 && t % 2 === 1 ? this.offsets[i] : -1;
  }

  /** How many bytes of text column `i` holds (see textStart). */
  textLength(i: number): number {
    return (this.types[i] - 13) / 2;
  }

  /** All values, or only the `wanted` ones (the others null), as decodeRecord returns them. */
  values(wanted?: boolean[]): SqlValue[] {
    const out = new Array<SqlValue>(this.count);
    for (let i = 0; i < this.count; i++) out[i] = wanted && !wanted[i] ? null : this.value(i);
    return out;
  }
}
