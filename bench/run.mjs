// `npm run bench`: runs every bench/*.bench.mjs in its own process, in name order, and
// repeats their result lines at the end as a table. Each benchmark prints its lines through
// bench/lib/verdict.mjs (`RESULT measure | figure | target | PASS or FALLS SHORT`); it
// compares us with the tool a user would otherwise use, in the same run. The machine's
// load is printed beside the table: ratios on a loaded 2-core machine are not comparable.
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { loadavg } from 'node:os';
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
const loadAtStart = loadavg().map((l) => l.toFixed(1)).join(' / ');
const benches = readdirSync(here)
  .filter((f) => f.endsWith('.bench.mjs') && (!only || f.includes(only)))
  .sort();
/** @type {string[]} */
const results = [];
let failed = false;
for (const file of benches) {
  console.log(`\n=== ${file}`);
  const r = spawnSync(process.execPath, [join(here, file)], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
  process.stdout.write(r.stdout ?? '');
  if (r.status !== 0) {
    failed = true;
    results.push(`${file} | exited ${r.status} | - | FAILED`);
  }
  for (const line of (r.stdout ?? '').split('\n')) if (line.startsWith('RESULT ')) results.push(line.slice(7));
}
const load = loadavg().map((l) => l.toFixed(1)).join(' / ');
console.log(`\n=== summary (load average now ${load}; ${loadAtStart} at the start)`);
console.log('| measure | figure | target | verdict |\n|---|---|---|---|');
for (const line of results) console.log(`| ${line} |`);
const count = (/** @type {string} */ v) => results.filter((l) => l.endsWith(`| ${v}`)).length;
console.log(`\n${count('PASS')} pass, ${count('FALLS SHORT')} fall short, ${count('NOT MEASURED')} not measured, ${count('FAILED')} failed`);
process.exit(failed ? 1 : 0);
