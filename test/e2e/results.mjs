// The harness's result file, the UI checks' outcomes, and the logs worth showing.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

/**
 * Waits for the harness to write its results (it renames a finished file into place).
 * Returns undefined after `timeoutMs`, or as soon as `gaveUp()` says the server died.
 * @param {string} file
 * @param {number} timeoutMs
 * @returns {Promise<any>} the harness's results (passes, pending, failures), as it wrote them
 */
export async function waitForHarness(file, timeoutMs, gaveUp = () => false) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline && !gaveUp()) {
    if (existsSync(file)) return JSON.parse(readFileSync(file, 'utf8'));
    await new Promise((r) => setTimeout(r, 500));
  }
  return existsSync(file) ? JSON.parse(readFileSync(file, 'utf8')) : undefined;
}

/** Collects named checks the way mocha reports tests. */
export class Checks {
  /** @type {{ title: string, durationMs: number, error?: string }[]} */
  results = [];

  /**
   * @param {string} title
   * @param {() => Promise<unknown>} fn
   */
  async run(title, fn) {
    const started = Date.now();
    try {
      await fn();
      this.results.push({ title, durationMs: Date.now() - started });
      console.log(`  ✔ ${title}`);
    } catch (err) {
      this.results.push({ title, durationMs: Date.now() - started, error: err?.message ?? String(err) });
      console.log(`  ✘ ${title}\n      ${String(err?.message ?? err).split('\n')[0]}`);
    }
  }

  get failures() {
    return this.results.filter((r) => r.error);
  }
}

/** @param {{ passes: { title: string }[], pending: { title: string }[], failures: { title: string, error?: string }[] }} results the harness's file */
export function printHarness(results) {
  for (const t of results.passes) console.log(`  ✔ ${t.title}`);
  for (const t of results.pending) console.log(`  - ${t.title} (pending)`);
  for (const t of results.failures) console.log(`  ✘ ${t.title}\n${indent(t.error ?? '', 6)}`);
}

const indent = (/** @type {string} */ s, /** @type {number} */ n) => s.split('\n').map((l) => ' '.repeat(n) + l).join('\n');

/** @param {string} dir @returns {Generator<string>} */
function* files(dir) {
  if (!existsSync(dir)) return;
  for (const e of readdirSync(dir)) {
    const p = join(dir, e);
    if (statSync(p).isDirectory()) yield* files(p);
    else if (e.endsWith('.log')) yield p;
  }
}

/**
 * Error entries (with their stack lines) from the extension hosts' logs, and entries at
 * warning level or worse from our own output channels: what a failing run needs,
 * without opening the profile.
 * @param {string} logsDir
 */
export function notableLogEntries(logsDir) {
  const found = [];
  for (const f of files(logsDir)) {
    const rel = relative(logsDir, f);
    const ours = rel.includes('mlops.mlops-workbench');
    if (!ours && !/exthost\.log$/i.test(rel)) continue;
    const level = ours ? /\[(warning|error|critical)\]/ : /\[(error|critical)\]/;
    let entry;
    for (const line of readFileSync(f, 'utf8').split('\n')) {
      if (/^\d{4}-\d\d-\d\d /.test(line)) {
        entry = level.test(line) ? [line] : undefined;
        if (entry) found.push({ file: rel, lines: entry });
      } else if (entry && line.trim()) {
        entry.push(line);
      }
    }
  }
  return found.map((e) => `${e.file}: ${e.lines.join('\n    ')}`);
}
