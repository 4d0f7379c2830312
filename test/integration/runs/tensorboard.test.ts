import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import { appendFileSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { EventFileReader } from '../../../src/core/runs/tensorboard/eventFileReader';
import { TensorBoardSource } from '../../../src/core/runs/tensorboard/tensorboardSource';
import { requirePeer } from '../harness';

const peer = path.join(__dirname, 'peers', 'tensorboard_peer.py');
type Reference = Record<string, [number, number, number][]>;

describe('TensorBoard event files written by TensorBoard itself', function () {
  let python = '';
  let dir = '';

  before(function () {
    python = requirePeer(this, 'python');
    dir = mkdtempSync(path.join(tmpdir(), 'mlops-tb-'));
  });
  after(() => dir && rmSync(dir, { recursive: true, force: true }));

  const reference = (logdir: string): Reference => JSON.parse(execFileSync(python, [peer, 'read', logdir], { encoding: 'utf8' }));

  function assertSameAsAccumulator(ref: Reference, ours: (tag: string) => { step: number; timestamp: number; value: number }[]) {
    for (const [tag, points] of Object.entries(ref)) {
      const got = ours(tag);
      assert.equal(got.length, points.length, `${tag}: point count`);
      points.forEach(([step, wall, value], i) => {
        assert.equal(got[i].step, step, `${tag}[${i}].step`);
        assert.ok(Math.abs(got[i].timestamp / 1000 - wall) < 1e-6, `${tag}[${i}].wall_time ${got[i].timestamp / 1000} vs ${wall}`);
        assert.equal(got[i].value, value, `${tag}[${i}].value`);
      });
    }
  }

  it('reads simple_value and scalar-tensor (float, double) series exactly as EventAccumulator', async () => {
    const logdir = path.join(dir, 'run1');
    execFileSync(python, [peer, 'write', logdir, '300']);
    const ref = reference(logdir);
    assert.deepEqual(Object.keys(ref).sort(), ['acc', 'loss', 'tensor/f32', 'tensor/f64']);
    const [file] = readdirSync(logdir);
    const warnings: unknown[] = [];
    const reader = new EventFileReader(path.join(logdir, file), (w) => warnings.push(w));
    await reader.read();
    assert.deepEqual(warnings, []);
    assert.deepEqual(reader.scalarTags().sort(), Object.keys(ref).sort());
    assert.equal(reader.tag('hist/one')?.pluginName, 'histograms', 'a one-element histogram tensor is not a scalar');
    assertSameAsAccumulator(ref, (t) => reader.scalars(t));
  });

  it('lists each folder of event files as a run with the latest values', async () => {
    execFileSync(python, [peer, 'write', path.join(dir, 'run2'), '10']);
    const src = new TensorBoardSource(dir);
    const { runs, warnings } = await src.list();
    assert.deepEqual(warnings, []);
    assert.deepEqual(runs.map((r) => r.id), ['run1', 'run2']);
    const ref = reference(path.join(dir, 'run2'));
    const run2 = runs[1];
    for (const [tag, points] of Object.entries(ref)) assert.equal(run2.metrics[tag].value, points[points.length - 1][2], tag);
    const loss = await src.metricHistory('run2', 'loss');
    assert.deepEqual(loss.map((p) => p.step), ref.loss.map((p) => p[0]));
  });

  it('reads a file growing byte by byte: a cut record waits for the next read', async () => {
    const logdir = path.join(dir, 'run3');
    execFileSync(python, [peer, 'write', logdir, '50']);
    const [file] = readdirSync(logdir);
    const whole = readFileSync(path.join(logdir, file));
    const growing = path.join(dir, 'growing', 'events.out.tfevents.1.test');
    execFileSync('mkdir', ['-p', path.dirname(growing)]);
    writeFileSync(growing, '');
    const warnings: unknown[] = [];
    const reader = new EventFileReader(growing, (w) => warnings.push(w));
    // Uneven pieces so cuts fall inside headers, data and footers.
    for (let at = 0; at < whole.length; ) {
      const n = Math.min(whole.length - at, 1 + ((at * 7919) % 613));
      appendFileSync(growing, whole.subarray(at, at + n));
      at += n;
      await reader.read();
    }
    assert.deepEqual(warnings, []);
    assert.equal(reader.offset, whole.length);
    assertSameAsAccumulator(reference(logdir), (t) => reader.scalars(t));
  });

  it('reads negative and large int64 steps exactly as EventAccumulator', async () => {
    const logdir = path.join(dir, 'steps');
    const steps = [-5, -1, 0, 127, 128, 2 ** 28, 2 ** 31, 2 ** 32 + 7, -(2 ** 40), 2 ** 50];
    execFileSync(python, [peer, 'steps', logdir, steps.join(',')]);
    const ref = reference(logdir);
    const src = new TensorBoardSource(logdir);
    const { warnings } = await src.list();
    assert.deepEqual(warnings, []);
    const ours = await src.metricHistory('.', 'loss');
    assert.deepEqual(ours.map((p) => p.step), ref.loss.map((p) => p[0]));
  });

  it('purges orphaned data after a restart (SessionLog START in a second file) as EventAccumulator', async () => {
    const logdir = path.join(dir, 'restart');
    execFileSync(python, [peer, 'restart', logdir]);
    const ref = reference(logdir);
    const ours = await new TensorBoardSource(logdir).metricHistory('.', 'loss');
    assert.deepEqual(ours.map((p) => [p.step, p.value]), ref.loss.map((p) => [p[0], p[2]]));
  });

  // EventAccumulator reads a run's files as one stream: without a file_version the step a
  // later file goes back from is the previous file's last; a file_version of 2 carries over
  // to later files that have none (then only a SessionLog START purges).
  const legacyRuns: [string, string][] = [
    ['two version-less files, the second going back', '0,1,2,3,4,5;3,4,10'],
    ['three version-less files', '0,1,2,3,4,5;3,4,10;2,7,1,12'],
    ['a version-less file after one going back within itself', '6,7;0,1,2,8,3'],
    ['version-less files after a file_version 2 file', 'v2:0,1,2,3,4,5;3,4,10;2,1,6'],
    ['a file_version 2 file between version-less ones', '0,1,2,3,4,5;v2:3,4,10;2,1,6'],
  ];
  for (const [what, spec] of legacyRuns) {
    it(`purges as EventAccumulator across ${what} (${spec})`, async () => {
      const logdir = path.join(dir, 'legacy', spec.replace(/[^0-9]+/g, '_'));
      execFileSync(python, [peer, 'legacy', logdir, spec]);
      const ref = reference(logdir);
      assert.deepEqual(Object.keys(ref).sort(), ['acc', 'loss']);
      const src = new TensorBoardSource(logdir);
      const { warnings } = await src.list();
      assert.deepEqual(warnings, []);
      for (const tag of ['acc', 'loss']) {
        const ours = await src.metricHistory('.', tag);
        assert.deepEqual(ours.map((p) => [p.step, p.value]), ref[tag].map((p) => [p[0], p[2]]), tag);
      }
    });
  }

  it('a negative 10-byte varint length costs one warning, in bounded time, and the other records load', () => {
    const file = path.join(dir, 'crafted', 'events.out.tfevents.1.crafted');
    execFileSync('mkdir', ['-p', path.dirname(file)]);
    execFileSync(python, [peer, 'crafted', file]);
    // In a child process with a time limit: before the fix this file looped forever.
    const script = `const { EventFileReader } = require(${JSON.stringify(path.resolve(__dirname, '../../../src/core/runs/tensorboard/eventFileReader.ts'))});
      const w = []; const r = new EventFileReader(${JSON.stringify(file)}, (x) => w.push(x.message));
      r.read().then(() => console.log(JSON.stringify({ w, steps: r.scalars('loss').map((p) => p.step) })));`;
    const out = execFileSync(process.execPath, ['--import', 'tsx', '-e', script], { encoding: 'utf8', timeout: 20000 });
    const { w, steps } = JSON.parse(out) as { w: string[]; steps: number[] };
    assert.equal(w.length, 1, w.join('; '));
    assert.match(w[0], /negative length/);
    assert.deepEqual(steps, [0, 1, 2, 3]);
  });
});
