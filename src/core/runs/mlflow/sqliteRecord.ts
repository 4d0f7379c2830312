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
      return load8(b, off).getFloat64(0);
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

function decodeText(b: Uint8Array, off: number, n: number): string {
  // Buffer's own UTF-8 decoding is several times faster than TextDecoder on short strings.
  return b instanceof Buffer ? b.toString('utf8', off, off + n) : decoder.decode(b.subarray(off, off + n));
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
