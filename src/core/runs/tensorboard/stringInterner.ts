// Tag names repeat in every event (a million events name the same four tags): decoding
// each from UTF-8 anew made a string per value for the collector to sweep. The interner
// hands back the one string for the same bytes, found by a hash of the bytes and checked
// byte by byte, so a crafted file's colliding tags still read right.
import { utf8 } from './protobuf';

interface Entry {
  bytes: Uint8Array;
  text: string;
}

/** Past this many distinct names, new ones are decoded each time (a crafted file cannot grow the table without bound). */
const MAX_ENTRIES = 65536;
/** Longer byte runs are decoded each time: tags are short, and hashing a long run costs what decoding does. */
const MAX_BYTES = 256;

export class StringInterner {
  private readonly byHash = new Map<number, Entry[]>();
  private size = 0;
  /** The entry last returned for each slot: events name their tags in the same order. */
  private readonly bySlot: (Entry | undefined)[] = [];

  /**
   * The string of the UTF-8 bytes [start, end). `slot` (the value's index in its event)
   * is tried first, before hashing.
   */
  text(buf: Uint8Array, start: number, end: number, slot = -1): string {
    const n = end - start;
    if (slot >= 0 && slot < 64) {
      const hint = this.bySlot[slot];
      if (hint && sameBytes(hint.bytes, buf, start, n)) return hint.text;
    }
    if (n > MAX_BYTES) return utf8.decode(buf.subarray(start, end));
    let h = 0x811c9dc5; // FNV-1a
    for (let i = start; i < end; i++) h = Math.imul(h ^ buf[i], 0x01000193);
    const bucket = this.byHash.get(h);
    if (bucket) {
      for (const e of bucket) {
        if (sameBytes(e.bytes, buf, start, n)) {
          if (slot >= 0 && slot < 64) this.bySlot[slot] = e;
          return e.text;
        }
      }
    }
    const text = utf8.decode(buf.subarray(start, end));
    if (this.size < MAX_ENTRIES) {
      const entry = { bytes: buf.slice(start, end), text };
      if (bucket) bucket.push(entry);
      else this.byHash.set(h, [entry]);
      this.size++;
      if (slot >= 0 && slot < 64) this.bySlot[slot] = entry;
    }
    return text;
  }
}

function sameBytes(a: Uint8Array, buf: Uint8Array, start: number, n: number): boolean {
  if (a.length !== n) return false;
  for (let i = 0; i < n; i++) if (a[i] !== buf[start + i]) return false;
  return true;
}
