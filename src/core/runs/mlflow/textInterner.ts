// The keys of params, tags and latest metrics repeat on every run (a thousand runs with the
// same 30 keys is a usual store): each distinct key is decoded once and its string reused,
// where each row used to decode its own copy. That was half the text a listing decoded,
// and much of what the young-generation collector then copied.
import type { RecordView } from './sqliteRecord';

/**
 * At most this many distinct texts are kept: a store with a new key on every row (crafted,
 * or just unusual) costs a decode per row beyond them, as without interning, and no more memory.
 */
const MAX_ENTRIES = 4096;
/** Longer texts are decoded each time (MLflow keys are at most 250 bytes). */
const MAX_BYTES = 256;

interface Entry {
  bytes: Uint8Array;
  text: string;
  /** Another text with the same hash. */
  next?: Entry;
}

export class TextInterner {
  private readonly table = new Map<number, Entry>();
  private size = 0;

  /** `row.text(i)`, the same string for the same bytes. */
  text(row: RecordView, i: number): string {
    const start = row.textStart(i);
    if (start < 0) return row.text(i);
    const n = row.textLength(i);
    if (n > MAX_BYTES) return row.text(i);
    const b = row.buf;
    // FNV-1a over the bytes.
    let h = 0x811c9dc5 ^ n;
    for (let k = start, end = start + n; k < end; k++) h = Math.imul(h ^ b[k], 0x01000193);
    const head = this.table.get(h);
    for (let e = head; e; e = e.next) if (row.sameText(i, e.bytes, 0, e.bytes.length)) return e.text;
    const text = row.text(i);
    if (this.size < MAX_ENTRIES) {
      // A copy: a view would keep the whole page read alive.
      this.table.set(h, { bytes: Uint8Array.prototype.slice.call(b, start, start + n), text, next: head });
      this.size++;
    }
    return text;
  }
}
