// Reads one TensorBoard event file (TFRecord framing around Event protos) and keeps its
// scalar series. A training job appends to the file while we watch it, so reading is
// incremental: `read()` parses only bytes past the last whole record, and a record cut
// short at the end is left for the next call rather than reported.
//
// Record: uint64 length | uint32 masked_crc32c(length) | data | uint32 masked_crc32c(data)
import { openRegularFile } from '../../common/boundedRead';
import type { MetricPoint, WarningSink } from '../types';
import { maskedCrc32c } from './crc32c';
import { decodeEvent, type DecodedEvent } from './eventProto';

export interface TagSeries {
  /** The plugin named by the tag's first metadata (`scalars`, `histograms`, ...). */
  pluginName?: string;
  points: MetricPoint[];
}

const HEADER = 12;
const FOOTER = 4;
const CHUNK = 8 * 1024 * 1024;
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
  private readonly tags = new Map<string, TagSeries>();
  private resyncing = false;
  /** Purges this file asked for, in order (see Purge). */
  readonly purges: Purge[] = [];
  private fileVersion: number | undefined;
  private mostRecentStep: number;

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
    return [...this.tags].filter(([, s]) => s.points.length > 0).map(([t]) => t);
  }

  scalars(tag: string): MetricPoint[] {
    return this.tags.get(tag)?.points ?? [];
  }

  tag(tag: string): TagSeries | undefined {
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
        this.purges.length = 0;
        this.fileVersion = this.carried.fileVersion;
        this.mostRecentStep = this.carried.mostRecentStep;
      }
      let events = 0;
      let carry: Buffer = Buffer.alloc(0);
      let pos = this.offset;
      while (pos < size) {
        const want = Math.min(CHUNK, size - pos);
        const chunk = Buffer.allocUnsafe(want);
        const { bytesRead } = await fh.read(chunk, 0, want, pos);
        if (bytesRead === 0) break;
        pos += bytesRead;
        const buf = carry.length ? Buffer.concat([carry, chunk.subarray(0, bytesRead)]) : chunk.subarray(0, bytesRead);
        const base = pos - buf.length; // file offset of buf[0]
        const { used, decoded } = this.parse(buf, base);
        events += decoded;
        this.offset = base + used;
        carry = buf.subarray(used);
        // A record larger than what we hold: read on until it is whole.
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
    while (i + HEADER <= buf.length) {
      const lenLo = buf.readUInt32LE(i);
      const lenHi = buf.readUInt32LE(i + 4);
      const lenOk = maskedCrc32c(buf, i, i + 8) === buf.readUInt32LE(i + 8);
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
      if (maskedCrc32c(buf, dataStart, dataEnd) !== buf.readUInt32LE(dataEnd)) {
        this.warn({ file: this.file, offset: base + i, message: 'bad CRC of record data; record skipped' });
      } else {
        try {
          this.add(buf, dataStart, dataEnd);
          decoded++;
        } catch (err) {
          this.warn({ file: this.file, offset: base + i, message: `undecodable event: ${(err as Error).message}` });
        }
      }
      i = dataEnd + FOOTER;
    }
    return { used: i, decoded };
  }

  private add(buf: Buffer, start: number, end: number): void {
    const ev = decodeEvent(buf, start, end);
    if (ev.fileVersion !== undefined) this.fileVersion = parseFileVersion(ev.fileVersion);
    this.maybePurge(ev);
    for (const v of ev.values) {
      let series = this.tags.get(v.tag);
      if (!series) {
        series = { pluginName: v.pluginName, points: [] };
        this.tags.set(v.tag, series);
      } else if (series.pluginName === undefined && v.pluginName !== undefined) {
        series.pluginName = v.pluginName;
      }
      if (v.value === undefined) continue;
      // A tensor is a scalar only for a tag that says so; simple_value always is.
      if (v.fromTensor && series.pluginName !== 'scalars') continue;
      series.points.push({ step: ev.step, timestamp: ev.wallTime * 1000, value: v.value });
    }
  }

  /**
   * EventAccumulator's _MaybePurgeOrphanedData: from file version 2 on, a SessionLog START
   * at step S drops every tag's points with step >= S (the job resumed from a checkpoint);
   * older files have no START, so a summary whose step goes back drops its own tags' points
   * (and leaves the most recent step as it was).
   */
  private maybePurge(ev: DecodedEvent): void {
    let purge: Purge | undefined;
    if (this.fileVersion !== undefined && this.fileVersion >= 2) {
      if (ev.sessionStart) purge = { step: ev.step };
    } else if (ev.step < this.mostRecentStep && ev.hasSummary) {
      purge = { step: ev.step, tags: ev.values.map((v) => v.tag) };
    } else {
      this.mostRecentStep = ev.step;
    }
    if (!purge) return;
    this.purges.push(purge);
    for (const [tag, series] of this.tags) {
      if (!purge.tags || purge.tags.includes(tag)) series.points = applyPurge(series.points, purge.step);
    }
  }
}

/** The points a purge at `step` keeps. */
export function applyPurge(points: MetricPoint[], step: number): MetricPoint[] {
  return points.filter((p) => p.step < step);
}

/** `brain.Event:2` -> 2, as TensorBoard's _ParseFileVersion; unparsable -> -1. */
function parseFileVersion(v: string): number {
  const at = v.lastIndexOf('brain.Event:');
  const tail = at < 0 ? v : v.slice(at + 'brain.Event:'.length);
  const n = tail.trim() === '' ? NaN : Number(tail);
  return Number.isNaN(n) ? -1 : n;
}
