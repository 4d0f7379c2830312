// Versions of one artifact over 500 commits, and metrics across revisions: ours
// (dist/core.js: one `git log -p` + one `git cat-file --batch`) against what a script
// would do with the CLIs — `git log` over the .dvc file, then `git show rev:file` per
// revision to read each hash — and against `dvc metrics show -a -T --json`. Same
// repository, answers checked equal first. BENCH_DATA_COMMITS sets the count (500).
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { root } from '../scripts/lib.mjs';
import { faster, notMeasured, result, sameAnswer } from './lib/verdict.mjs';

const commits = Number(process.env.BENCH_DATA_COMMITS ?? 500);
const venvBin = join(root, '.venv-peers', 'bin');
if (!existsSync(join(venvBin, 'dvc'))) {
  notMeasured('data versions', 'no .venv-peers/bin/dvc; run bash scripts/setup/peers.sh');
  process.exit(1);
}
if (!existsSync(join(root, 'dist', 'core.js'))) execFileSync('node', ['esbuild.mjs'], { cwd: root, stdio: 'inherit' });
const { listArtifacts, listVersions, metricsAcrossRevisions } = createRequire(import.meta.url)(join(root, 'dist', 'core.js'));

const env = { ...process.env, PATH: `${venvBin}:${process.env.PATH}`, DVC_NO_ANALYTICS: '1' };
const parent = mkdtempSync(join(tmpdir(), 'mlops-bench-data-'));
const dir = join(parent, 'repo');
const git = (/** @type {string[]} */ args, /** @type {{ input?: string }} */ opts = {}) => execFileSync('git', args, { cwd: dir, env, encoding: 'utf8', maxBuffer: 1 << 28, ...opts });
const time = async (/** @type {() => any} */ fn) => {
  const t = process.hrtime.bigint();
  const v = await fn();
  return [v, Number(process.hrtime.bigint() - t) / 1e6];
};

try {
  // A DVC repo whose model.bin.dvc (and metrics.json) change in every one of `commits`
  // commits, with a tag every 50 and a few branches: made with git fast-import (seconds).
  execFileSync('git', ['init', '-q', '-b', 'main', dir], { env });
  git(['config', 'user.name', 'Bench']);
  git(['config', 'user.email', 'bench@example.invalid']);
  execFileSync('dvc', ['init', '-q'], { cwd: dir, env });
  writeFileSync(join(dir, 'dvc.yaml'), 'metrics:\n  - metrics.json\n');
  writeFileSync(join(dir, 'metrics.json'), '{"acc": 0.1, "loss": 2.0}\n');
  git(['add', '-A']);
  git(['commit', '-q', '-m', 'init']);
  let stream = '';
  const blob = (/** @type {string} */ path, /** @type {string} */ text) => `M 100644 inline ${path}\ndata ${Buffer.byteLength(text)}\n${text}\n`;
  for (let i = 1; i <= commits; i++) {
    const md5 = createHash('md5').update(`model ${i}`).digest('hex');
    const msg = `train model ${i}`;
    stream += `commit refs/heads/main\nmark :${i}\ncommitter Bench <bench@example.invalid> ${1700000000 + i * 60} +0000\ndata ${msg.length}\n${msg}\n`;
    if (i === 1) stream += 'from refs/heads/main^0\n';
    stream += blob('model.bin.dvc', `outs:\n- md5: ${md5}\n  size: ${1000 + i}\n  hash: md5\n  path: model.bin\n`);
    stream += blob('metrics.json', JSON.stringify({ acc: Number((0.5 + (i % 97) / 200).toFixed(4)), loss: Number((1 / i).toFixed(6)) }) + '\n');
    if (i % 50 === 0) stream += `\nreset refs/tags/v${i / 50}\nfrom :${i}\n`;
    if (i % 150 === 0) stream += `\nreset refs/heads/branch-${i}\nfrom :${i}\n`;
    stream += '\n';
  }
  git(['fast-import', '--quiet'], { input: stream });
  git(['checkout', '-q', '-f', 'main']);

  // Theirs: the script a user would write.
  const [theirVersions, theirMs] = await time(() => {
    const revs = git(['log', '--format=%H', '--', 'model.bin.dvc']).trim().split('\n');
    const hashes = revs.map((r) => /md5: ([0-9a-f]{32})/.exec(git(['show', `${r}:model.bin.dvc`]))?.[1]);
    // A version is a commit whose hash differs from the next older one's.
    return revs.filter((_r, i) => hashes[i] && hashes[i] !== hashes[i + 1]).map((r) => ({ commit: r, md5: hashes[revs.indexOf(r)] }));
  });
  const [artifact] = (await listArtifacts(dir)).artifacts;
  const [ours, ourMs] = await time(() => listVersions(dir, artifact));
  const ourVersions = ours.versions.map((/** @type {any} */ v) => ({ commit: v.commit, md5: v.md5 }));
  if (!isDeepStrictEqual(ourVersions, theirVersions)) throw new Error(`versions differ: ours ${ourVersions.length}, theirs ${theirVersions.length}`);
  if (ourVersions.length !== commits) throw new Error(`expected ${commits} versions, got ${ourVersions.length}`);
  const withMetrics = ours.versions.filter((/** @type {any} */ v) => v.metrics['metrics.json']).length;
  result(
    `data versions of one artifact (${commits} commits)`,
    `ours ${ourMs.toFixed(0)} ms (with metrics and refs of each version: ${withMetrics}) vs git log + git show per revision ${theirMs.toFixed(0)} ms`,
    [faster(theirMs / ourMs, 10, 'vs git log + git show'), sameAnswer(true)],
  );

  // Each side 3 times, in turns, the medians compared: one run on a busy 2-core machine
  // says more about the machine than about the reader.
  const median = (/** @type {number[]} */ xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  const theirTimes = [];
  const ourTimes = [];
  let theirTable;
  let ourTable;
  for (let i = 0; i < 3; i++) {
    let ms;
    [theirTable, ms] = await time(() => JSON.parse(execFileSync('dvc', ['metrics', 'show', '-a', '-T', '--json'], { cwd: dir, env, encoding: 'utf8' })));
    theirTimes.push(ms);
    [ourTable, ms] = await time(() => metricsAcrossRevisions(dir));
    ourTimes.push(ms);
  }
  const theirTableMs = median(theirTimes);
  const ourTableMs = median(ourTimes);
  const rows = new Map(ourTable.rows.map((/** @type {any} */ r) => [r.rev, r.metrics['metrics.json']]));
  for (const [rev, entry] of Object.entries(theirTable)) {
    if (!isDeepStrictEqual(rows.get(rev), entry.data?.['metrics.json']?.data)) throw new Error(`metrics of ${rev} differ: ours ${JSON.stringify(rows.get(rev))} theirs ${JSON.stringify(entry)}`);
  }
  result(
    `metrics across revisions (${Object.keys(theirTable).length} revisions)`,
    `ours ${ourTableMs.toFixed(0)} ms vs dvc metrics show -a -T --json ${theirTableMs.toFixed(0)} ms (medians of 3 in turns; ours ${ourTimes.map((t) => t.toFixed(0)).join(', ')})`,
    [faster(theirTableMs / ourTableMs, 30, 'vs dvc metrics show'), sameAnswer(true)],
  );
} finally {
  rmSync(parent, { recursive: true, force: true });
}
