// CRC32C (Castagnoli), which TFRecord framing uses, computed slice-by-8 from tables
// built once: event files run to hundreds of MB, and a byte-at-a-time loop would be the
// slowest part of reading them.

const POLY = 0x82f63b78; // reflected Castagnoli polynomial

const TABLES: Uint32Array[] = (() => {
  const t = Array.from({ length: 8 }, () => new Uint32Array(256));
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ POLY : c >>> 1;
    t[0][n] = c >>> 0;
  }
  for (let n = 0; n < 256; n++) {
    let c = t[0][n];
    for (let k = 1; k < 8; k++) {
      c = t[0][c & 0xff] ^ (c >>> 8);
      t[k][n] = c >>> 0;
    }
  }
  return t;
})();

/**
 * `view` (a DataView over the same bytes as `data`) lets the loop read 32-bit words, half
 * the loads of reading bytes; a reader passes the one view it keeps per read chunk, since
 * making one per record would cost more than it saves.
 */
// Module constants, not destructured per call: an array destructuring makes an iterator
// object, twice per record.
const [t0, t1, t2, t3, t4, t5, t6, t7] = TABLES;
/**
 * Where crcInto leaves its result. A CRC is a 32-bit number, and one above 2^30 returned
 * from a call that is not inlined is a heap object: twice per record, that was most of what
 * reading an event file left for the collector besides the points.
 */
const result = new Uint32Array(1);

export function crc32c(data: Uint8Array, start = 0, end = data.length, view?: DataView): number {
  crcInto(data, start, end, view);
  return result[0];
}

function crcInto(data: Uint8Array, start: number, end: number, view: DataView | undefined): void {
  let crc = 0xffffffff;
  let i = start;
  if (view) {
    for (; i + 8 <= end; i += 8) {
      const a = crc ^ view.getUint32(i, true);
      const b = view.getUint32(i + 4, true);
      crc =
        t7[a & 0xff] ^
        t6[(a >>> 8) & 0xff] ^
        t5[(a >>> 16) & 0xff] ^
        t4[a >>> 24] ^
        t3[b & 0xff] ^
        t2[(b >>> 8) & 0xff] ^
        t1[(b >>> 16) & 0xff] ^
        t0[b >>> 24];
    }
  } else {
    for (; i + 8 <= end; i += 8) {
      const a = crc ^ (data[i] | (data[i + 1] << 8) | (data[i + 2] << 16) | (data[i + 3] << 24));
      crc =
        t7[a & 0xff] ^
        t6[(a >>> 8) & 0xff] ^
        t5[(a >>> 16) & 0xff] ^
        t4[a >>> 24] ^
        t3[data[i + 4]] ^
        t2[data[i + 5]] ^
        t1[data[i + 6]] ^
        t0[data[i + 7]];
    }
  }
  for (; i < end; i++) crc = t0[(crc ^ data[i]) & 0xff] ^ (crc >>> 8);
  result[0] = crc ^ 0xffffffff;
}

/** TFRecord's masked CRC: rotate right by 15 and add a constant, so a CRC of CRCs is not trivially zero. */
export function maskedCrc32c(data: Uint8Array, start = 0, end = data.length, view?: DataView): number {
  const c = crc32c(data, start, end, view);
  return ((((c >>> 15) | (c << 17)) >>> 0) + 0xa282ead8) >>> 0;
}

/**
 * Whether the masked CRC of data[start, end) is the little-endian word at `at` of `view`.
 * The hot path's form: a CRC above 2^30 returned from a call is a heap object, a boolean is not.
 */
export function maskedCrcMatches(data: Uint8Array, start: number, end: number, view: DataView, at: number): boolean {
  crcInto(data, start, end, view);
  const c = result[0];
  return ((((c >>> 15) | (c << 17)) >>> 0) + 0xa282ead8) >>> 0 === view.getUint32(at, true);
}
