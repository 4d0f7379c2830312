import { strict as assert } from 'node:assert';
import { appendFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { crc32c, maskedCrc32c } from '../../../src/core/runs/tensorboard/crc32c';
import { EventFileReader } from '../../../src/core/runs/tensorboard/eventFileReader';
import { TensorBoardSource } from '../../../src/core/runs/tensorboard/tensorboardSource';
import type { SourceWarning } from '../../../src/core/runs/types';
import { eventBytes, eventWithSummary, lossFile, record, valueBytes } from './eventFiles';

describe('CRC32C', () => {
  it('matches the standard check values', () => {
    assert.equal(crc32c(Buffer.from('123456789')), 0xe3069283);
    assert.equal(crc32c(Buffer.alloc(32)), 0x8a9136aa); // RFC 3720 B.4: 32 bytes of zeros
    assert.equal(crc32c(Buffer.alloc(32, 0xff)), 0x62a8ab43);
    assert.equal(crc32c(Buffer.alloc(0)), 0);
  });
  it('gives the same CRC for every split of the slice-by-8 loop', () => {
    const data = Buffer.from(Array.from({ length: 77 }, (_, i) => (i * 31) & 0xff));
    for (let s = 0; s < 9; s++) {
      const ref = crc32c(Buffer.from(data.subarray(s)));
      assert.equal(crc32c(data, s), ref);
    }
  });
  it('gives the same CRC reading words through a DataView, at every alignment and end', () => {
    // A view over a slice of a larger buffer, as the reader's chunks are.
    const backing = Buffer.from(Array.from({ length: 200 }, (_, i) => (i * 131 + 7) & 0xff));
    const data = backing.subarray(3, 180);
    const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
    for (let s = 0; s < 9; s++) {
      for (const e of [s, s + 1, s + 8, s + 15, data.length]) {
        assert.equal(crc32c(data, s, e, view), crc32c(Buffer.from(data.subarray(s, e))), `${s}..${e}`);
      }
    }
  });
  it('masks as TFRecord does', () => {
    const c = crc32c(Buffer.from('abc'));
    assert.equal(maskedCrc32c(Buffer.from('abc')), ((((c >>> 15) | (c << 17)) >>> 0) + 0xa282ead8) >>> 0);
  });
});

describe('EventFileReader', () => {
  let dir = '';
  beforeEach(() => (dir = mkdtempSync(path.join(tmpdir(), 'mlops-tbu-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const readerFor = (bytes: Buffer) => {
    const file = path.join(dir, 'events.out.tfevents.1.host');
    writeFileSync(file, bytes);
    const warnings: SourceWarning[] = [];
    return { file, warnings, reader: new EventFileReader(file, (w) => warnings.push(w)) };
  };

  it('reads simple values and float/double scalar tensors, with the tag kind from the first metadata', async () => {
    const bytes = Buffer.concat([
      record(eventBytes(0, 10.5, [
        { tag: 'a', simple: 0.25 },
        { tag: 'f', tensor: { dtype: 1, value: 1.5 }, plugin: 'scalars' },
        { tag: 'd', tensor: { dtype: 2, value: 1e-300, asContent: true }, plugin: 'scalars' },
        { tag: 'h', tensor: { dtype: 2, value: 3 }, plugin: 'histograms' },
        { tag: 'v', tensor: { dtype: 2, value: 3, dims: [2] }, plugin: 'scalars' },
      ])),
      record(eventBytes(7, 11, [
        { tag: 'f', tensor: { dtype: 1, value: 2.5, asContent: true } },
        { tag: 'd', tensor: { dtype: 2, value: -4 } },
        { tag: 'h', tensor: { dtype: 2, value: 4 } },
      ])),
    ]);
    const { reader, warnings } = readerFor(bytes);
    assert.equal(await reader.read(), 2);
    assert.deepEqual(warnings, []);
    assert.deepEqual(reader.scalarTags().sort(), ['a', 'd', 'f']);
    assert.deepEqual(reader.scalars('a'), [{ step: 0, timestamp: 10500, value: 0.25 }]);
    assert.deepEqual(reader.scalars('f').map((p) => [p.step, p.value]), [[0, 1.5], [7, 2.5]]);
    assert.deepEqual(reader.scalars('d').map((p) => p.value), [1e-300, -4]);
    assert.equal(reader.tag('h')?.pluginName, 'histograms');
  });

  it('leaves a truncated last record for the next read, without a warning', async () => {
    const whole = lossFile(3);
    const cut = whole.length - 5;
    const { file, reader, warnings } = readerFor(whole.subarray(0, cut));
    assert.equal(await reader.read(), 2);
    const offsetBefore = reader.offset;
    assert.equal(await reader.read(), 0, 'still cut: nothing new, no error');
    assert.equal(reader.offset, offsetBefore);
    appendFileSync(file, whole.subarray(cut));
    assert.equal(await reader.read(), 1);
    assert.deepEqual(reader.scalars('loss').map((p) => p.step), [0, 1, 2]);
    assert.deepEqual(warnings, []);
  });

  it('skips a record whose data CRC is wrong and names the file and offset', async () => {
    const recs = [0, 1, 2].map((i) => record(eventBytes(i, i, [{ tag: 'loss', simple: i }])));
    recs[1][14] ^= 0xff; // a byte inside the data of the second record
    const { file, reader, warnings } = readerFor(Buffer.concat(recs));
    await reader.read();
    assert.deepEqual(reader.scalars('loss').map((p) => p.step), [0, 2]);
    assert.equal(warnings.length, 1);
    assert.equal(warnings[0].file, file);
    assert.equal(warnings[0].offset, recs[0].length);
    assert.match(warnings[0].message, /CRC/);
  });

  it('finds the next record after a corrupt length, warning once', async () => {
    const recs = [0, 1, 2, 3].map((i) => record(eventBytes(i, i, [{ tag: 'loss', simple: i }])));
    recs[1][0] ^= 0x40; // the length of the second record
    const { reader, warnings } = readerFor(Buffer.concat(recs));
    await reader.read();
    assert.deepEqual(reader.scalars('loss').map((p) => p.step), [0, 2, 3]);
    assert.equal(warnings.length, 1);
    assert.equal(warnings[0].offset, recs[0].length);
  });

  it('starts over when the file was replaced by a shorter one', async () => {
    const { file, reader } = readerFor(lossFile(5));
    await reader.read();
    writeFileSync(file, lossFile(2, 100));
    await reader.read();
    assert.deepEqual(reader.scalars('loss').map((p) => p.step), [100, 101]);
  });

  it('reads records larger than its read chunk', async () => {
    const tag = (i: number) => `${'x'.repeat(80)}${i % 1000}`;
    const big = record(eventWithSummary(1, 1, Buffer.concat(Array.from({ length: 100000 }, (_, i) => valueBytes({ tag: tag(i), simple: i })))));
    assert.ok(big.length > 8 * 1024 * 1024);
    const { reader } = readerFor(Buffer.concat([big, lossFile(1, 5)]));
    assert.equal(await reader.read(), 2);
    assert.equal(reader.scalars(tag(999)).length, 100);
    assert.deepEqual(reader.scalars('loss').map((p) => p.step), [5]);
  });

  it('reads every record whatever the read chunks cut: small ones, ones past the spare room before a chunk, ones past a chunk', async () => {
    // Padding (an unread field 99 of the event) sizes the records: 100 B to 1.5 MB, in an
    // order that puts chunk ends (1 MB apart) at many places within them.
    const sizes = [100, 70 * 1024, 3000, 1536 * 1024, 40, 65 * 1024, 200 * 1024, 7];
    const recs: Buffer[] = [];
    for (let i = 0; i < 120; i++) {
      const pad = sizes[(i * 5) % sizes.length] + i;
      const padding = Buffer.concat([Buffer.from([0x9a, 0x06]), Buffer.from(varintBytes(pad)), Buffer.alloc(pad, i)]);
      recs.push(record(Buffer.concat([eventBytes(i, 1000 + i, [{ tag: 'loss', simple: i / 4 }]), padding])));
    }
    const bytes = Buffer.concat(recs);
    assert.ok(bytes.length > 20 * 1024 * 1024);
    const { reader, warnings } = readerFor(bytes);
    assert.equal(await reader.read(), 120);
    assert.deepEqual(warnings, []);
    assert.deepEqual(reader.scalars('loss'), recs.map((_, i) => ({ step: i, timestamp: (1000 + i) * 1000, value: i / 4 })));
    assert.equal(reader.offset, bytes.length);
  });
});

function varintBytes(n: number): number[] {
  const out: number[] = [];
  for (; n >= 0x80; n = Math.floor(n / 128)) out.push((n % 128) | 0x80);
  out.push(n);
  return out;
}

describe('TensorBoardSource', () => {
  it('lists one run per folder of event files, merging a folder\'s files in name order', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'mlops-tbs-'));
    try {
      const mk = (rel: string, bytes: Buffer) => {
        const f = path.join(dir, rel);
        mkdirSync(path.dirname(f), { recursive: true });
        writeFileSync(f, bytes);
      };
      mk('a/events.out.tfevents.1.h', lossFile(3));
      mk('a/events.out.tfevents.2.h', lossFile(2, 3));
      mk('b/c/events.out.tfevents.1.h', lossFile(1, 9));
      mk('b/notes.txt', Buffer.from('x'));
      const src = new TensorBoardSource(dir);
      const { runs, warnings } = await src.list();
      assert.deepEqual(warnings, []);
      assert.deepEqual(runs.map((r) => r.id), ['a', path.join('b', 'c')]);
      assert.deepEqual(runs[0].metrics.loss, { step: 4, timestamp: 1004000, value: Math.fround(0.4) });
      assert.equal(runs[0].startTime, 1000000);
      assert.deepEqual((await src.metricHistory('a', 'loss')).map((p) => p.step), [0, 1, 2, 3, 4]);
      assert.deepEqual(runs[0].tags, {}, 'no record, no job tags');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('a cluster job\'s results folder: every run carries the job named in mlops-job.json, as the DVCLive run does', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'mlops-tbjob-'));
    try {
      mkdirSync(path.join(dir, 'models', 'tb'), { recursive: true });
      writeFileSync(path.join(dir, 'models', 'tb', 'events.out.tfevents.1.h'), lossFile(2));
      writeFileSync(path.join(dir, 'events.out.tfevents.2.h'), lossFile(1));
      writeFileSync(path.join(dir, 'mlops-job.json'), JSON.stringify({ cluster: 'slurm-a', jobId: '42', remoteDir: '/r', fetchedAt: 'now' }));
      const { runs, warnings } = await new TensorBoardSource(dir).list();
      assert.deepEqual(warnings, []);
      assert.deepEqual(runs.map((r) => [r.id, r.name, r.tags]), [
        ['.', 'job 42 (slurm-a)', { 'mlops.job.id': '42', 'mlops.job.cluster': 'slurm-a' }],
        [path.join('models', 'tb'), `job 42 (slurm-a) ${path.join('models', 'tb')}`, { 'mlops.job.id': '42', 'mlops.job.cluster': 'slurm-a' }],
      ]);
      // A damaged record is a warning; the runs still list, untagged.
      writeFileSync(path.join(dir, 'mlops-job.json'), '{"jobId": 42');
      const damaged = await new TensorBoardSource(dir).list();
      assert.equal(damaged.runs.length, 2);
      assert.deepEqual(damaged.runs[1].tags, {});
      assert.match(damaged.warnings[0].message, /corrupt JSON/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
