// Stage status of the example pipeline: ours (native, dist/core.js) against
// `dvc status --json`, the command a user or the DVC extension would run. Same sandbox,
// same state (a changed param and an edited source), answers checked equal first.
import { execFileSync } from 'node:child_process';
import { appendFileSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { root } from '../scripts/lib.mjs';
import { faster, notMeasured, result, sameAnswer } from './lib/verdict.mjs';

const venvBin = join(root, '.venv-peers', 'bin');
if (!existsSync(join(venvBin, 'dvc'))) {
  notMeasured('pipelines status', 'no .venv-peers/bin/dvc; run bash scripts/setup/peers.sh');
  process.exit(1);
}
if (!existsSync(join(root, 'dist', 'core.js'))) execFileSync('node', ['esbuild.mjs'], { cwd: root, stdio: 'inherit' });
const { computePipelineStatus, HashCache } = createRequire(import.meta.url)(join(root, 'dist', 'core.js'));

const env = { ...process.env, PATH: `${venvBin}:${process.env.PATH}`, DVC_NO_ANALYTICS: '1' };
const parent = mkdtempSync(join(tmpdir(), 'mlops-bench-status-'));
try {
  const dir = execFileSync('bash', [join(root, 'scripts/example/make-sandbox.sh'), join(parent, 'p')], { env, encoding: 'utf8' }).trim();
  execFileSync('dvc', ['repro', '-q'], { cwd: dir, env, stdio: 'pipe' });
  appendFileSync(join(dir, 'src/common.py'), '\n# edited\n');
  writeFileSync(join(dir, 'params.yaml'), readFileSync(join(dir, 'params.yaml'), 'utf8').replace(/epochs: \d+/, 'epochs: 4'));

  /** [answer, ms]; a promise of them when `fn` is async. @type {(fn: () => any) => any} */
  const time = (fn) => {
    const t = process.hrtime.bigint();
    const r = fn();
    return r instanceof Promise ? r.then((v) => [v, Number(process.hrtime.bigint() - t) / 1e6]) : [r, Number(process.hrtime.bigint() - t) / 1e6];
  };
  const runs = 5;
  const theirs = [];
  let theirAnswer;
  for (let i = 0; i < runs; i++) {
    const [out, ms] = time(() => execFileSync('dvc', ['status', '--json'], { cwd: dir, env, encoding: 'utf8' }));
    theirAnswer = JSON.parse(out);
    theirs.push(ms);
  }
  const cache = new HashCache();
  const [ourAnswer, coldMs] = await time(() => computePipelineStatus({ dir, hashes: cache }));
  if (!isDeepStrictEqual(ourAnswer, theirAnswer)) throw new Error(`answers differ:\nours   ${JSON.stringify(ourAnswer)}\ntheirs ${JSON.stringify(theirAnswer)}`);
  const warm = [];
  for (let i = 0; i < runs; i++) warm.push((await time(() => computePipelineStatus({ dir, hashes: cache })))[1]);
  const median = (/** @type {number[]} */ a) => [...a].sort((x, y) => x - y)[Math.floor(a.length / 2)];
  const t = median(theirs);
  result(
    'pipelines status of the example project',
    `ours ${median(warm).toFixed(1)} ms (first call ${coldMs.toFixed(1)} ms, ${(t / coldMs).toFixed(0)}×) vs dvc status --json ${t.toFixed(0)} ms`,
    [faster(t / median(warm), 10, 'vs dvc status'), sameAnswer(true)],
  );
} finally {
  rmSync(parent, { recursive: true, force: true });
}
