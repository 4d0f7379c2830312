// `npm test`: installs what is missing, builds, type-checks, lints, starts the real
// components (Docker engine, sshd, the peers' venv) and runs the unit and integration
// tiers. Ends with one line `Tests: N passed, M failed, K skipped`.
// MLOPS_REQUIRE_INTEGRATION=1 turns a skipped integration suite into a failure (CI).
// MLOPS_KEEP_COMPONENTS=1 leaves the components running afterwards (CI's E2E step).
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { ensureNodeModules, root, run, step } from './lib.mjs';

const statsFile = join(root, 'test-results', 'stats.jsonl');
const mocha = join(root, 'node_modules', '.bin', 'mocha');
const reporter = join(root, 'test', 'support', 'statsReporter.cjs');

ensureNodeModules();
rmSync(statsFile, { force: true });
mkdirSync(join(root, 'test-results'), { recursive: true });

step('build');
run('node', ['esbuild.mjs']);
step('typecheck');
// One tsc per target (Node; webviews with DOM; the .mjs scripts): package.json `typecheck`.
run('npm', ['run', '--silent', 'typecheck']);
step('lint');
run('npx', ['eslint', '.']);

step('components: system packages, peers venv, Ray venv, MLServer venv, Docker engine, sshd, Slurm, Ray image');
run('bash', ['scripts/setup/apt.sh']);
run('bash', ['scripts/setup/peers.sh']);
// Ray's own venv; its two nodes are started by the Ray suites themselves (scripts/components/ray.sh).
run('bash', ['scripts/setup/ray.sh']);
// MLServer's own venv (mlserver + mlserver-mlflow), for the MLServer serving test.
run('bash', ['scripts/setup/mlserver.sh']);
if (existsSync(join(root, 'scripts/components/up.sh'))) run('bash', ['scripts/components/up.sh']);
// An image with Ray for Start Ray Cluster on Hosts (built once, cached; imported into the engine up.sh started).
// A failed build leaves the other tiers to run; the test that needs the image then says why.
run('bash', ['scripts/setup/ray-image.sh'], { allowFailure: true });

let failed = false;
function tier(/** @type {string} */ name, /** @type {string[]} */ args) {
  step(`${name} tests`);
  const status = run(mocha, ['--reporter', reporter, ...args], {
    allowFailure: true,
    env: { ...process.env, MLOPS_TEST_TIER: name, MLOPS_TEST_STATS: statsFile },
  });
  if (status !== 0) failed = true;
}

try {
  tier('unit', ['test/unit/**/*.test.ts']);
  tier('integration', ['--timeout', '180000', 'test/integration/**/*.test.ts']);
} finally {
  if (process.env.MLOPS_KEEP_COMPONENTS !== '1' && existsSync(join(root, 'scripts/components/down.sh'))) {
    run('bash', ['scripts/components/down.sh'], { allowFailure: true });
  }
}

/** @type {Record<'passes' | 'failures' | 'pending', number>} */
const totals = { passes: 0, failures: 0, pending: 0 };
if (existsSync(statsFile)) {
  for (const line of readFileSync(statsFile, 'utf8').split('\n').filter(Boolean)) {
    const s = JSON.parse(line);
    console.log(`${s.tier}: ${s.passes} passed, ${s.failures} failed, ${s.pending} skipped`);
    for (const k of /** @type {(keyof typeof totals)[]} */ (Object.keys(totals))) totals[k] += s[k];
  }
}
if (totals.passes + totals.failures === 0) failed = true;
console.log(`Tests: ${totals.passes} passed, ${totals.failures} failed, ${totals.pending} skipped`);
process.exit(failed || totals.failures > 0 ? 1 : 0);
