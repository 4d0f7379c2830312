// Builds TFRecord event files by hand for the unit tests: just the fields we read.
import { maskedCrc32c } from '../../../src/core/runs/tensorboard/crc32c';

function varint(n: number): number[] {
  const out: number[] = [];
  while (n >= 0x80) {
    out.push((n % 128) | 0x80);
    n = Math.floor(n / 128);
  }
  out.push(n);
  return out;
}
const field = (no: number, wire: number) => varint(no * 8 + wire);
const bytesField = (no: number, body: Uint8Array | number[]) => [...field(no, 2), ...varint(body.length), ...body];
const f32 = (v: number) => { const b = Buffer.alloc(4); b.writeFloatLE(v); return [...b]; };
const f64 = (v: number) => { const b = Buffer.alloc(8); b.writeDoubleLE(v); return [...b]; };
const str = (s: string) => [...Buffer.from(s, 'utf8')];

export interface ValueSpec {
  tag: string;
  simple?: number;
  tensor?: { dtype: 1 | 2; value: number; asContent?: boolean; dims?: number[] };
  plugin?: string;
}

export function eventBytes(step: number, wallTime: number, values: ValueSpec[]): Buffer {
  return eventWithSummary(step, wallTime, Buffer.concat(values.map(valueBytes)));
}

/** One Summary.value field (field 1 of Summary). */
export function valueBytes(v: ValueSpec): Buffer {
  {
    const parts: number[] = [...bytesField(1, str(v.tag))];
    if (v.simple !== undefined) parts.push(...field(2, 5), ...f32(v.simple));
    if (v.tensor) {
      const t = v.tensor;
      const shape = (t.dims ?? []).flatMap((d) => bytesField(2, [...field(1, 0), ...varint(d)]));
      const num = t.dtype === 1 ? f32(t.value) : f64(t.value);
      const body = [...field(1, 0), ...varint(t.dtype), ...bytesField(2, shape), ...(t.asContent ? bytesField(4, num) : bytesField(t.dtype === 1 ? 5 : 6, num))];
      parts.push(...bytesField(8, body));
    }
    if (v.plugin) parts.push(...bytesField(9, bytesField(1, bytesField(1, str(v.plugin)))));
    return Buffer.from(bytesField(1, parts));
  }
}

/** An Event around already-encoded Summary.value fields. */
export function eventWithSummary(step: number, wallTime: number, summary: Buffer): Buffer {
  return Buffer.concat([Buffer.from([...field(1, 1), ...f64(wallTime), ...field(2, 0), ...varint(step), ...field(5, 2), ...varint(summary.length)]), summary]);
}

export function record(data: Buffer): Buffer {
  const head = Buffer.alloc(12);
  head.writeUInt32LE(data.length, 0);
  head.writeUInt32LE(0, 4);
  head.writeUInt32LE(maskedCrc32c(head, 0, 8), 8);
  const foot = Buffer.alloc(4);
  foot.writeUInt32LE(maskedCrc32c(data), 0);
  return Buffer.concat([head, data, foot]);
}

/** An event file of `n` events with a `loss` scalar: loss = step / 10. */
export function lossFile(n: number, firstStep = 0): Buffer {
  return Buffer.concat(Array.from({ length: n }, (_, i) => record(eventBytes(firstStep + i, 1000 + firstStep + i, [{ tag: 'loss', simple: (firstStep + i) / 10 }]))));
}
