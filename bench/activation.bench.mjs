// Activation cost of the extension as a user pays it: the time to evaluate
// dist/extension.js and run activate() in code-server's extension host (recorded by the
// E2E run in test-results/activation.json; the E2E tier runs first if it is missing or
// older than the bundle), and how much of the extension activation has to parse.
import { existsSync, readdirSync, statSync, readFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { root } from '../scripts/lib.mjs';
import { atMost, notMeasured, result } from './lib/verdict.mjs';

const dist = join(root, 'dist');
const activationFile = join(root, 'test-results', 'activation.json');
const kb = (/** @type {number} */ n) => `${(n / 1024).toFixed(0)} KB`;

if (!existsSync(join(dist, 'extension.js'))) spawnSync('node', ['esbuild.mjs', '--production'], { cwd: root, stdio: 'inherit' });

// A development build (what a plain E2E run leaves) is unminified: thousands of lines, where
// the production bundle has a few. Its size and activation time are not what a user pays.
const development = readFileSync(join(dist, 'extension.js'), 'utf8').split('\n').length > 1000;
const stale = development || !existsSync(activationFile) || statSync(activationFile).mtimeMs < statSync(join(dist, 'extension.js')).mtimeMs;
if (stale) {
  console.log('activation.json missing, older than the bundle or of a development build: running the E2E tier to measure in a real extension host');
  // With the production build, as a user's install; MLOPS_E2E_GREP can narrow the suites.
  const r = spawnSync('node', ['test/e2e/run.mjs'], { cwd: root, stdio: 'inherit', env: { ...process.env, MLOPS_E2E_PRODUCTION: '1' } });
  if (r.status !== 0 && !existsSync(activationFile)) {
    notMeasured('activation', 'the E2E tier could not run; see above');
    process.exit(1);
  }
}

const sizeOf = (/** @type {string} */ f) => statSync(join(dist, f)).size;
const eager = sizeOf('extension.js');
const lazy = readdirSync(join(dist, 'lazy')).filter((f) => f.endsWith('.js')).reduce((s, f) => s + sizeOf(join('lazy', f)), 0);
result(
  'bundle parsed at activation',
  `extension.js ${kb(eager)} of ${kb(eager + lazy)} (the rest loads on first use); server.js ${kb(sizeOf('server.js'))}, core.js ${kb(sizeOf('core.js'))}`,
  // Issue 21: at most 200 KB parsed at activation.
  [atMost('extension.js', eager / 1024, 200, ' KB')],
);

const a = JSON.parse(readFileSync(activationFile, 'utf8'));
const ours = a.moduleLoadMs + a.activateMs;
// VS Code lists slow activations in "Show Running Extensions"; 100 ms is the budget we
// hold ourselves to. The host's own gap between loading and activate() is not ours.
result(
  `activation in ${a.host ?? "code-server's extension host"}`,
  `evaluate extension.js ${a.moduleLoadMs.toFixed(1)} ms + activate() ${a.activateMs.toFixed(1)} ms (host gap ${(a.hostGapMs ?? 0).toFixed(1)} ms not counted)`,
  // Issue 21: 30 ms on a quiet machine (the load average is printed by bench/run.mjs).
  [atMost('ours', ours, 30, ' ms')],
);
