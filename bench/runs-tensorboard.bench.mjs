// A large TensorBoard event file, written by TensorBoard's own EventFileWriter: the
// time to load every scalar with our reader vs TensorBoard's EventAccumulator (keeping
// every point, size_guidance 0), each timed inside its own process, one run each.
// BENCH_TB_MB sets the size (default 100); the file is cached in /tmp/mlops-bench.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { tsImport } from 'tsx/esm/api';
import { root } from '../scripts/lib.mjs';
import { atLeast, faster, notMeasured, result, sameAnswer } from './lib/verdict.mjs';

const python = join(root, '.venv-peers', 'bin', 'python');
if (!existsSync(python)) {
  notMeasured('tensorboard event file', `${python} missing; run bash scripts/setup/peers.sh`);
  process.exit(1);
}
const mb = Number(process.env.BENCH_TB_MB ?? 100);
// One event of five values (two simple_value, two scalar tensors, one histogram tensor) is ~128 bytes.
const steps = Math.round((mb * 1024 * 1024) / 128);
const logdir = `/tmp/mlops-bench/tb-${mb}mb`;
const peer = join(root, 'test', 'integration', 'runs', 'peers', 'tensorboard_peer.py');
if (!existsSync(logdir) || readdirSync(logdir).length === 0) {
  mkdirSync(logdir, { recursive: true });
  console.log(`writing ${steps} events with TensorBoard's EventFileWriter into ${logdir} ...`);
  execFileSync(python, [peer, 'write', logdir, String(steps)], { stdio: 'inherit' });
}
const file = join(logdir, readdirSync(logdir)[0]);
const size = statSync(file).size;

const { EventFileReader } = await tsImport('../src/core/runs/tensorboard/eventFileReader.ts', import.meta.url);
const t0 = performance.now();
const reader = new EventFileReader(file, (/** @type {string} */ w) => console.log('warning', w));
await reader.read();
const oursMs = performance.now() - t0;
const ourPoints = reader.scalarTags().reduce((/** @type {number} */ n, /** @type {string} */ t) => n + reader.scalars(t).length, 0);

const script = `
import time, sys
from tensorboard.backend.event_processing import event_accumulator
t0 = time.perf_counter()
acc = event_accumulator.EventAccumulator(sys.argv[1], size_guidance={'scalars': 0, 'tensors': 0})
acc.Reload()
ms = (time.perf_counter() - t0) * 1000
tags = acc.Tags()
n = sum(len(acc.Scalars(t)) for t in tags['scalars']) + sum(len(acc.Tensors(t)) for t in tags['tensors'] if acc.SummaryMetadata(t).plugin_data.plugin_name == 'scalars')
print(ms, n)
`;
const [theirMs, theirPoints] = execFileSync(python, ['-c', script, logdir], { encoding: 'utf8' }).trim().split(/\s+/).map(Number);
console.log(`ours ${oursMs.toFixed(0)} ms, ${ourPoints} scalar points; EventAccumulator ${theirMs.toFixed(0)} ms, ${theirPoints} points`);

const mbPerS = size / 1048576 / (oursMs / 1000);
result(
  `tensorboard: ${(size / 1048576).toFixed(0)} MB event file (${steps} steps × 4 scalar tags)`,
  `ours ${(oursMs / 1000).toFixed(2)} s vs EventAccumulator ${(theirMs / 1000).toFixed(2)} s`,
  // Issue 21: at disk speed (200 MB/s); the Rust data server comparison is not in this bench yet.
  [atLeast('throughput', mbPerS, 200, ' MB/s'), faster(theirMs / oursMs, 5, 'vs EventAccumulator'), sameAnswer(ourPoints === theirPoints)],
);
