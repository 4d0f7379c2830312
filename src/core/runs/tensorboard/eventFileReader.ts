// Reads one TensorBoard event file (TFRecord framing around Event protos) and keeps its
// scalar series. A training job appends to the file while we watch it, so reading is
// incremental: `read()` parses only bytes past the last whole record, and a record cut
// short at the end is left for the next call rather than reported.
//
// Record: uint64 length | uint32 masked_crc32c(length) | data | uint32 masked_crc32c(data)
import { openRegularFile } from '../../common/boundedRead';
import type { MetricPoint, WarningSink } from '../types';
import { maskedCrcMatches } from './crc32c';
import { EventDecoder } from './eventProto';
import { PackedSeries } from './packedSeries';

const HEADER = 12;
const FOOTER = 4;
const CHUNK = 1024 * 1024;
/** Room in front of each read buffer for a record cut by the end of the previous chunk. */
const SPARE = 64 * 1024;
/** Larger than any event we expect; a length beyond it means we lost the framing. */
const MAX_RECORD = 256 * 1024 * 1024;

/**
 * A purge of orphaned data, as TensorBoard's EventAccumulator does it: points with
 * step >= `step` are dropped, for every tag or only for `tags`. The reader applies it to
 * its own earlier points; the source applies it to the run's earlier files too.
 */
export interface Purge {
  step: number;
  tags?: string[];
}

/**
 * EventAccumulator's purge state. It reads a run's files as one stream, so the state at the
 * end of one file is where the next file (in name order) starts: a file without its own
 * file_version keeps the previous file's, and out-of-order steps count from the previous
 * file's last step.
 */
export interface PurgeState {
  fileVersion: number | undefined;
  mostRecentStep: number;
}

const FRESH: PurgeState = { fileVersion: undefined, mostRecentStep: -1 };

export class EventFileReader {
  /** Byte offset just past the last whole record read. */
  offset = 0;
  private readonly tags = new Map<string, PackedSeries>();
  private resyncing = false;
  /** Purges this file asked for, in order (see Purge). */
  readonly purges: Purge[] = [];
  private fileVersion: number | undefined;
  private mostRecentStep: number;
  private readonly decoder = new EventDecoder();
  private readonly lastTag: string[] = [];
  private readonly lastSeries: PackedSeries[] = [];
  /** The point being added, handed to the series in an array (see PackedSeries.pushAt). */
  private readonly point = new Float64Array(3);

  constructor(
    readonly file: string,
    private readonly warn: WarningSink = () => undefined,
    /** The file is read only inside it, links resolved (the log folder). */
    private readonly root?: string,
    /**
     * The state the run's previous file ended in, taken when this file is first seen (as
     * EventAccumulator's directory watcher, which does not go back to an older file once it
     * has moved on to a newer one).
     */
    private readonly carried: PurgeState = FRESH,
  ) {
    this.fileVersion = carried.fileVersion;
    this.mostRecentStep = carried.mostRecentStep;
  }

  /** The purge state after the last event read: where the run's next file starts. */
  state(): PurgeState {
    return { fileVersion: this.fileVersion, mostRecentStep: this.mostRecentStep };
  }

  /** Tags that carry scalars (as `simple_value` or as one-element float/double tensors). */
  scalarTags(): string[] {
    return [...this.tags].filter(([, s]) => s.length > 0).map(([t]) => t);
  }

  /** A tag's points as objects (tests and small files; the source serves them packed). */
  scalars(tag: string): MetricPoint[] {
    return this.tags.get(tag)?.points() ?? [];
  }

  tag(tag: string): PackedSeries | undefined {
    return this.tags.get(tag);
  }

  /** Reads what was appended since the last call. Returns how many events it decoded. */
  async read(): Promise<number> {
    // Streamed in chunks, so no size cap; but a regular file only (boundedRead): a FIFO
    // would block the open and a device would never end.
    const { fh, size } = await openRegularFile(this.file, this.root);
    try {
      if (size < this.offset) {
        // Replaced or truncated by the writer: start over rather than read garbage.
        this.offset = 0;
        this.tags.clear();
        this.lastTag.length = 0;
        this.lastSeries.length = 0;
        this.purges.length = 0;
        this.fileVersion = this.carried.fileVersion;
        this.mostRecentStep = this.carried.mostRecentStep;
      }
      let events = 0;
      let pos = this.offset; // file offset of the next byte to read
      // Two read buffers, reused for the whole call (a new buffer per chunk was garbage the
      // size of the file): the next chunk is read while this one is parsed, so the disk and
      // the parser work at once. Each keeps SPARE bytes in front for the end of the previous
      // chunk, a record cut in two; one longer than that is joined by a copy.
      const bufs = [Buffer.allocUnsafe(SPARE + Math.min(CHUNK, size - pos)), size - pos > CHUNK ? Buffer.allocUnsafe(SPARE + CHUNK) : undefined];
      const readInto = (b: Buffer, at: number) => fh.read(b, SPARE, Math.min(CHUNK, size - at, b.length - SPARE), at).then((r) => r.bytesRead);
      let which = 0;
      let pending: Promise<number> | undefined = pos < size ? readInto(bufs[0]!, pos) : undefined;
      let held: Buffer = Buffer.alloc(0); // the bytes after the last whole record parsed
      let long: Buffer | undefined;
      try {
        while (pending) {
          const bytesRead = await pending;
          pending = undefined;
          if (bytesRead === 0) break;
          const buf = bufs[which]!;
          const base = pos - held.length; // file offset of data[0]
          let data: Buffer;
          if (held.length <= SPARE) {
            held.copy(buf, SPARE - held.length);
            data = buf.subarray(SPARE - held.length, SPARE + bytesRead);
          } else {
            // A record longer than SPARE goes on: its bytes gather in `long`, which doubles when
            // full, so a record of many chunks is copied a bounded number of times, not once
            // per chunk (a crafted 256 MB record would otherwise copy gigabytes).
            const need = held.length + bytesRead;
            if (!long || held.buffer !== long.buffer || held.byteOffset !== long.byteOffset || long.length < need) {
              const next = Buffer.allocUnsafe(Math.max(need, 2 * held.length));
              held.copy(next, 0);
              long = next;
            }
            buf.copy(long, held.length, SPARE, SPARE + bytesRead);
            data = long.subarray(0, need);
          }
          pos += bytesRead;
          // The held bytes are copied out of the other buffer: it can take the next chunk.
          const other = bufs[1 - which];
          if (pos < size && other) {
            pending = readInto(other, pos);
            which = 1 - which;
          }
          const { used, decoded } = this.parse(data, base);
          events += decoded;
          this.offset = base + used;
          held = data.subarray(used);
          if (!pending && pos < size) {
            // A short read into the only buffer (the file was cut while we read): the held
            // bytes move out of it, and the rest is read into it.
            held = Buffer.from(held);
            pending = readInto(buf, pos);
          }
        }
      } finally {
        // A read still under way when parsing threw must not reject unobserved.
        pending?.catch(() => undefined);
      }
      return events;
    } finally {
      await fh.close();
    }
  }

  /** Parses whole records from buf; returns how many bytes it consumed. */
  private parse(buf: Buffer, base: number): { used: number; decoded: number } {
    let i = 0;
    let decoded = 0;
    this.decoder.setBuffer(buf);
    const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
    while (i + HEADER <= buf.length) {
      const lenLo = view.getUint32(i, true);
      const lenHi = view.getUint32(i + 4, true);
      const lenOk = maskedCrcMatches(buf, i, i + 8, view, i + 8);
      const len = lenHi * 2 ** 32 + lenLo;
      if (!lenOk || len > MAX_RECORD) {
        if (!this.resyncing) {
          this.warn({ file: this.file, offset: base + i, message: 'bad CRC of a record length; skipping to the next valid record' });
          this.resyncing = true;
        }
        i++;
        continue;
      }
      if (i + HEADER + len + FOOTER > buf.length) break; // truncated: retried on the next read
      this.resyncing = false;
      const dataStart = i + HEADER;
      const dataEnd = dataStart + len;
      if (!maskedCrcMatches(buf, dataStart, dataEnd, view, dataEnd)) {
        this.warn({ file: this.file, offset: base + i, message: 'bad CRC of record data; record skipped' });
      } else {
        try {
          this.add(dataStart, dataEnd);
          decoded++;
        } catch (err) {
          this.warn({ file: this.file, offset: base + i, message: `undecodable event: ${(err as Error).message}` });
        }
      }
      i = dataEnd + FOOTER;
    }
    return { used: i, decoded };
  }

  private add(start: number, end: number): void {
    const ev = this.decoder;
    ev.decode(start, end);
    if (ev.fileVersion !== undefined) this.fileVersion = parseFileVersion(ev.fileVersion);
    this.maybePurge();
    const timestamp = ev.wallTime * 1000;
    for (let i = 0; i < ev.count; i++) {
      const tag = ev.tags[i];
      const pluginName = ev.pluginNames[i];
      // Tags are interned and come in the same order event after event: the slot's last
      // series is the right one, without a map lookup, nearly always.
      let series = this.lastTag[i] === tag ? this.lastSeries[i] : this.tags.get(tag);
      if (!series) {
        series = new PackedSeries(pluginName);
        this.tags.set(tag, series);
      } else if (series.pluginName === undefined && pluginName !== undefined) {
        series.pluginName = pluginName;
      }
      if (i < 64) {
        this.lastTag[i] = tag;
        this.lastSeries[i] = series;
      }
      if (!ev.hasValue[i]) continue;
      // A tensor is a scalar only for a tag that says so; simple_value always is.
      if (ev.fromTensor[i] && series.pluginName !== 'scalars') continue;
      const point = this.point;
      point[0] = ev.step;
      point[1] = timestamp;
      point[2] = ev.values[i];
      series.pushAt(point, 0);
    }
  }

  /**
   * EventAccumulator's _MaybePurgeOrphanedData: from file version 2 on, a SessionLog START
   * at step S drops every tag's points with step >= S (the job resumed from a checkpoint);
   * older files have no START, so a summary whose step goes back drops its own tags' points
   * (and leaves the most recent step as it was).
   */
  private maybePurge(): void {
    const ev = this.decoder;
    let purge: Purge | undefined;
    if (this.fileVersion !== undefined && this.fileVersion >= 2) {
      if (ev.sessionStart) purge = { step: ev.step };
    } else if (ev.step < this.mostRecentStep && ev.hasSummary) {
      purge = { step: ev.step, tags: ev.tags.slice(0, ev.count) };
    } else {
      this.mostRecentStep = ev.step;
    }
    if (!purge) return;
    this.purges.push(purge);
    for (const [tag, series] of this.tags) {
      if (!purge.tags || purge.tags.includes(tag)) series.purge(purge.step);
    }
  }
}

/** `brain.Event:2` -> 2, as TensorBoard's _ParseFileVersion; unparsable -> -1. */
function parseFileVersion(v: string): number {
  const at = v.lastIndexOf('brain.Event:');
  const tail = at < 0 ? v : v.slice(at + 'brain.Event:'.length);
  const n = tail.trim() === '' ? NaN : Number(tail);
  return Number.isNaN(n) ? -1 : n;
}
