// Seeded mutations of pipeline files and stores for the crafted-input fuzz. Each returns
// the new bytes and a short name, so a failure can say what was done to which base.
import { maskedCrc32c } from '../../../src/core/runs/tensorboard/crc32c';

/** mulberry32: small, fast, and the same sequence for the same seed on every machine. */
export function rng(seed: number): Rng {
  let s = seed | 0;
  const next = () => {
    s = (s + 0x6d2b79f5) | 0;
    let t = Math.imul(s ^ (s >>> 15), 1 | s);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (n: number) => Math.floor(next() * n);
  return { next, int, pick: <T>(xs: readonly T[]) => xs[int(xs.length)] };
}
export interface Rng {
  next(): number;
  int(n: number): number;
  pick<T>(xs: readonly T[]): T;
}

/** Inputs stay at most this big: the 2 s reply bound is asked for inputs up to 1 MB. */
export const MAX_INPUT = 1 << 20;

export interface Mutated<T> {
  value: T;
  steps: string[];
}

const HUGE = ['1e400', '-1e400', '9'.repeat(400), '0x' + 'f'.repeat(64), '.nan', '-.inf', '18446744073709551617', '-9223372036854775809', '1' + '0'.repeat(5000)];
const TOKENS = ['${', '}', '${item.', '${key', ': ', '- ', '[', '{', '"', "'", '#', '&a ', '*a', '<<: *a', '!!binary ', '|', '>', '\t', '%TAG ! x\n', '---\n', '...\n', '\\', '\0', '\uFEFF', '\uD800', '𝔘'];

type TextOp = (t: string, r: Rng) => [string, string];

const lineSpans = (t: string) => t.split(/(?<=\n)/);

const TEXT_OPS: TextOp[] = [
  (t, r) => {
    const at = r.int(t.length + 1);
    const n = 1 + r.int(6);
    const flipped = [...t.slice(at, at + n)].map((c) => String.fromCharCode(c.charCodeAt(0) ^ (1 << r.int(7)))).join('');
    return [t.slice(0, at) + flipped + t.slice(at + n), `flip ${n} chars at ${at}`];
  },
  (t, r) => {
    const at = r.int(t.length + 1);
    return [t.slice(0, at), `truncate at ${at}`];
  },
  (t, r) => {
    const lines = lineSpans(t);
    const i = r.int(lines.length);
    const len = 1 + r.int(Math.min(8, lines.length - i));
    const block = lines.slice(i, i + len).join('');
    const times = Math.min(r.pick([1, 2, 50, 2000]), Math.ceil(MAX_INPUT / Math.max(1, block.length)));
    return [lines.slice(0, i + len).join('') + block.repeat(times) + lines.slice(i + len).join(''), `duplicate ${len} lines at line ${i} ×${times}`];
  },
  (t, r) => {
    const depth = r.pick([100, 1000, 10000, 50000]);
    const at = lineStart(t, r);
    const [open, close, name] = r.pick([
      ['[', ']', 'flow seqs'],
      ['{a: ', '}', 'flow maps'],
      ['- ', '', 'block seqs'],
    ] as const);
    const nest = open === '- ' ? Array.from({ length: Math.min(depth, 2000) }, (_, i) => ' '.repeat(i) + '- ').join('\n') + 'x\n' : open.repeat(depth) + 'x' + close.repeat(r.next() < 0.5 ? depth : 0) + '\n';
    return [t.slice(0, at) + 'deep: ' + nest + t.slice(at), `nest ${depth} ${name} at ${at}`];
  },
  (t, r) => {
    const len = r.pick([1000, 40000, 300000, 900000]);
    const at = r.int(t.length + 1);
    const ch = r.pick(['a', '$', '{', ' ', '-', '.', 'x ']);
    return [t.slice(0, at) + ch.repeat(Math.ceil(len / ch.length)) + ' ' + t.slice(at), `long token ${JSON.stringify(ch)}×${len} at ${at}`];
  },
  (t, r) => {
    const at = r.int(t.length + 1);
    const times = r.pick([1, 100, 20000, 130000]);
    const unit = r.pick(['${', '${a', '${a}', '${item.x', '$${']);
    return [t.slice(0, at) + unit.repeat(times) + t.slice(at), `${JSON.stringify(unit)}×${times} at ${at}`];
  },
  (t, r) => {
    const style = r.pick(['\r\n', '\r', 'mixed']);
    if (style !== 'mixed') return [t.replace(/\r?\n/g, style), `line ends → ${JSON.stringify(style)}`];
    return [t.replace(/\n/g, () => r.pick(['\n', '\r\n', '\r'])), 'mixed line ends'];
  },
  (t, r) => {
    const hits = [...t.matchAll(/(?<=: )[^\n]+|(?<=- )[^\n]+/g)];
    if (!hits.length) return [t + `\nx: ${r.pick(HUGE)}\n`, 'append huge number'];
    const h = r.pick(hits);
    const v = r.pick(HUGE);
    return [t.slice(0, h.index) + v + t.slice(h.index! + h[0].length), `huge number ${v.slice(0, 20)} at ${h.index}`];
  },
  (t, r) => {
    // Anchors and aliases: a chain that doubles at each level (a billion laughs), or an
    // alias to a key that is not there, or a merge key of an alias to itself.
    const kind = r.int(3);
    const at = lineStart(t, r);
    let block: string;
    if (kind === 0) {
      const lv = Array.from({ length: 12 }, (_, i) => `l${i + 1}: &l${i + 1} [${Array(9).fill(`*l${i}`).join(', ')}]`);
      block = `l0: &l0 [lol]\n${lv.join('\n')}\n`;
    } else if (kind === 1) block = 'ref: *nowhere\n';
    else block = 'base: &b\n  <<: *b\n  k: v\n';
    return [t.slice(0, at) + block + t.slice(at), ['alias chain', 'unknown alias', 'self merge'][kind] + ` at ${at}`];
  },
  (t, r) => {
    const at = r.int(t.length + 1);
    const tok = r.pick(TOKENS);
    return [t.slice(0, at) + tok + t.slice(at), `insert ${JSON.stringify(tok)} at ${at}`];
  },
];

function lineStart(t: string, r: Rng): number {
  const at = r.int(t.length + 1);
  const nl = t.lastIndexOf('\n', at - 1);
  return nl + 1;
}

/** 1–3 text mutations, capped at MAX_INPUT characters. */
export function mutateText(base: string, r: Rng): Mutated<string> {
  let t = base;
  const steps: string[] = [];
  for (let n = 1 + r.int(3); n > 0; n--) {
    const [next, step] = r.pick(TEXT_OPS)(t, r);
    t = next.length > MAX_INPUT ? next.slice(0, MAX_INPUT) : next;
    steps.push(step);
  }
  return { value: t, steps };
}

// Binary inputs.

type ByteOp = (b: Buffer, r: Rng) => [Buffer, string];

export const BYTE_OPS: Record<string, ByteOp> = {
  flip: (b, r) => {
    const out = Buffer.from(b);
    const n = 1 + r.int(16);
    for (let i = 0; i < n && out.length; i++) out[r.int(out.length)] ^= 1 << r.int(8);
    return [out, `flip ${n} bits`];
  },
  truncate: (b, r) => {
    const at = r.int(b.length + 1);
    return [b.subarray(0, at), `truncate at ${at}`];
  },
  duplicate: (b, r) => {
    const at = r.int(b.length + 1);
    const len = 1 + r.int(Math.min(4096, b.length - at + 1));
    const times = r.pick([1, 2, 100]);
    const out = Buffer.concat([b.subarray(0, at + len), ...Array<Buffer>(times).fill(b.subarray(at, at + len)), b.subarray(at + len)]);
    return [out.subarray(0, MAX_INPUT * 2), `duplicate ${len} bytes at ${at} ×${times}`];
  },
  huge: (b, r) => {
    const out = Buffer.from(b);
    if (out.length < 4) return [out, 'too short for a number'];
    const at = r.int(out.length - 3);
    const v = r.pick([0xffffffff, 0x7fffffff, 0x80000000, 0, 1]);
    out.writeUInt32BE(v, at);
    return [out, `u32 ${v} at ${at}`];
  },
};

export function mutateBytes(base: Buffer, r: Rng, ops: Record<string, ByteOp> = BYTE_OPS): Mutated<Buffer> {
  let b = base;
  const steps: string[] = [];
  const names = Object.keys(ops);
  for (let n = 1 + r.int(3); n > 0; n--) {
    const [next, step] = ops[r.pick(names)](b, r);
    b = next;
    steps.push(step);
  }
  return { value: b, steps };
}

// SQLite: mutations aimed at the b-tree structure, so most inputs reach the page walk
// instead of failing on the header.

export function sqliteOps(pageSize: number): Record<string, ByteOp> {
  const pageBase = (b: Buffer, r: Rng) => {
    const pages = Math.max(1, Math.floor(b.length / pageSize));
    const p = r.int(pages);
    return { p, off: p * pageSize + (p === 0 ? 100 : 0) };
  };
  return {
    ...BYTE_OPS,
    pageType: (b, r) => {
      const out = Buffer.from(b);
      const { p, off } = pageBase(out, r);
      if (off >= out.length) return [out, 'no page'];
      out[off] = r.pick([2, 5, 10, 13, 0, 0xff]);
      return [out, `page ${p + 1} type ${out[off]}`];
    },
    cellCount: (b, r) => {
      const out = Buffer.from(b);
      const { p, off } = pageBase(out, r);
      if (off + 5 > out.length) return [out, 'no page'];
      const v = r.pick([0, 1, 0xffff, 0x7fff, pageSize]);
      out.writeUInt16BE(v, off + 3);
      return [out, `page ${p + 1} cell count ${v}`];
    },
    rightMost: (b, r) => {
      const out = Buffer.from(b);
      const { p, off } = pageBase(out, r);
      if (off + 12 > out.length || (out[off] !== 2 && out[off] !== 5)) return [out, `page ${p + 1} is not interior`];
      const v = r.pick([p + 1, 0, 1, 0xffffffff, Math.floor(out.length / pageSize) + 1]);
      out.writeUInt32BE(v >>> 0, off + 8);
      return [out, `page ${p + 1} right-most child ${v}`];
    },
    cellPointer: (b, r) => {
      const out = Buffer.from(b);
      const { p, off } = pageBase(out, r);
      const head = out[off] === 2 || out[off] === 5 ? 12 : 8;
      const count = off + 5 <= out.length ? out.readUInt16BE(off + 3) : 0;
      if (!count) return [out, `page ${p + 1} has no cells`];
      const at = off + head + 2 * r.int(count);
      if (at + 2 > out.length) return [out, 'pointer past the end'];
      const v = r.pick([0, 1, pageSize - 1, 0xffff, out.readUInt16BE(at) + 1]);
      out.writeUInt16BE(v, at);
      return [out, `page ${p + 1} cell pointer ${v}`];
    },
    copyPage: (b, r) => {
      const out = Buffer.from(b);
      const pages = Math.floor(out.length / pageSize);
      if (pages < 2) return [out, 'one page'];
      const from = 1 + r.int(pages - 1);
      const to = 1 + r.int(pages - 1);
      out.copy(out, to * pageSize, from * pageSize, (from + 1) * pageSize);
      return [out, `page ${from + 1} copied over page ${to + 1}`];
    },
    header: (b, r) => {
      const out = Buffer.from(b);
      if (out.length < 100) return [out, 'no header'];
      const [at, name, v] = r.pick([
        [28, 'page count', r.pick([0, 1, 0xffffffff])],
        [16, 'page size', r.pick([0, 1, 512, 65535, 3])],
        [56, 'text encoding', r.pick([0, 2, 3, 9])],
        [44, 'schema format', r.pick([0, 5, 0xffffffff])],
      ] as const);
      if (name === 'page size') out.writeUInt16BE(v & 0xffff, at);
      else out.writeUInt32BE(v >>> 0, at);
      return [out, `header ${name} ${v}`];
    },
  };
}

// TensorBoard: TFRecord framing with valid CRCs around mutated events, so the proto
// decoder sees them (a bad CRC is skipped before any decoding).

export function tfRecords(file: Buffer): Buffer[] {
  const out: Buffer[] = [];
  for (let i = 0; i + 12 <= file.length; ) {
    const len = file.readUInt32LE(i);
    if (i + 16 + len > file.length) break;
    out.push(file.subarray(i + 12, i + 12 + len));
    i += 16 + len;
  }
  return out;
}

export function tfRecord(data: Buffer, lengthOverride?: [number, number]): Buffer {
  const head = Buffer.alloc(12);
  head.writeUInt32LE(lengthOverride ? lengthOverride[0] : data.length, 0);
  head.writeUInt32LE(lengthOverride ? lengthOverride[1] : 0, 4);
  head.writeUInt32LE(maskedCrc32c(head, 0, 8), 8);
  const foot = Buffer.alloc(4);
  foot.writeUInt32LE(maskedCrc32c(data), 0);
  return Buffer.concat([head, data, foot]);
}

/** A varint of 10 bytes that decodes negative (or past 2^53) in a length or a step. */
const NEG_VARINT = Buffer.from([0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01]);

export function mutateEventFile(file: Buffer, r: Rng): Mutated<Buffer> {
  const records = tfRecords(file);
  const i = r.int(records.length);
  const rec = records[i] ?? Buffer.alloc(0);
  const choice = r.int(6);
  if (choice === 0) return mutateBytes(file, r); // framing itself: CRCs then fail
  let steps: string[];
  if (choice === 1) {
    const m = mutateBytes(rec, r);
    records[i] = m.value;
    steps = m.steps.map((s) => `record ${i}: ${s}`);
  } else if (choice === 2) {
    const at = r.int(rec.length + 1);
    records[i] = Buffer.concat([rec.subarray(0, at), NEG_VARINT, rec.subarray(at)]);
    steps = [`record ${i}: negative varint at ${at}`];
  } else if (choice === 3) {
    const times = r.pick([10, 1000, 20000]);
    records.splice(i, 0, ...Array<Buffer>(times).fill(rec));
    steps = [`record ${i} ×${times}`];
  } else if (choice === 4) {
    // A summary value whose tag is a long string, framed correctly.
    const tag = Buffer.alloc(r.pick([1000, 100000, 600000]), 'a');
    const value = Buffer.concat([Buffer.from([0x0a]), varint(tag.length), tag, Buffer.from([0x15, 0, 0, 0x80, 0x3f])]);
    const summary = Buffer.concat([Buffer.from([0x0a]), varint(value.length), value]);
    records.splice(i, 0, Buffer.concat([Buffer.from([0x10, 0x01, 0x2a]), varint(summary.length), summary]));
    steps = [`record ${i}: tag of ${tag.length} bytes`];
  } else {
    // A record header that promises more than the file holds, or 2^63.
    const len: [number, number] = r.pick([[0xffffffff, 0x7fffffff], [0x100000, 0], [rec.length + 1, 0]] as [number, number][]);
    const framed = Buffer.concat(records.map((d, k) => (k === i ? tfRecord(d, len) : tfRecord(d))));
    return { value: framed, steps: [`record ${i} length ${len[1]}:${len[0]}`] };
  }
  return { value: Buffer.concat(records.map((d) => tfRecord(d))).subarray(0, MAX_INPUT * 2), steps };
}

function varint(n: number): Buffer {
  const out: number[] = [];
  while (n >= 0x80) {
    out.push((n & 0x7f) | 0x80);
    n = Math.floor(n / 128);
  }
  out.push(n);
  return Buffer.from(out);
}
