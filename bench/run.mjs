// `npm run bench`: runs every bench/*.bench.mjs in its own process, in name order, and
// repeats their result lines at the end. Each benchmark prints lines that start with
// `RESULT ` and name the comparison and its ratio; it compares us with the tool a user
// would otherwise use, in the same run.
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..');

// The peers and the components the comparisons need (both idempotent; each benchmark
// still says why it cannot run when one is missing).
for (const script of ['scripts/setup/peers.sh', 'scripts/setup/ray.sh', 'scripts/components/up.sh']) {
  spawnSync('bash', [join(root, script)], { stdio: 'inherit', cwd: root });
}
spawnSync(process.execPath, [join(root, 'esbuild.mjs')], { stdio: 'inherit', cwd: root });
const only = process.argv[2];
const benches = readdirSync(here)
  .filter((f) => f.endsWith('.bench.mjs') && (!only || f.includes(only)))
  .sort();
const results = [];
let failed = false;
for (const file of benches) {
  console.log(`\n=== ${file}`);
  const r = spawnSync(process.execPath, [join(here, file)], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
  process.stdout.write(r.stdout ?? '');
  if (r.status !== 0) {
    failed = true;
    results.push(`${file}: FAILED (exit ${r.status})`);
  }
  for (const line of (r.stdout ?? '').split('\n')) if (line.startsWith('RESULT ')) results.push(line.slice(7));
}
console.log('\n=== summary');
for (const line of results) console.log(line);
process.exit(failed ? 1 : 0);
