// Child of searchFilter.test.ts: parses and evaluates crafted filters under a heap cap and a
// kill timer, and prints what happened and how long each took (last line, JSON).
import { likeMatch, matchesRun, MAX_FILTER_CLAUSES, parseRunFilter } from '../../../src/core/runs/search';
import type { RunSummary } from '../../../src/core/runs/types';

const timed = <T>(f: () => T): [T, number] => {
  const t = performance.now();
  const r = f();
  return [r, Math.round((performance.now() - t) * 10) / 10];
};
const clauses = (n: number, value = (i: number) => String(i % 3)) => Array.from({ length: n }, (_, i) => `metrics.m${i % 7} > ${value(i)}`).join(' and ');
const runs: RunSummary[] = Array.from({ length: 2000 }, (_, i) => ({
  id: `r${i}`, experimentId: '0', name: `run ${i}`, status: 'FINISHED', params: {}, tags: {},
  metrics: Object.fromEntries(Array.from({ length: 7 }, (_, k) => [`m${k}`, { step: 0, timestamp: 0, value: (i + k) % 5 }])),
}));
const out: Record<string, unknown> = {};

// 1 MB, 100,000 clauses: refused by length before any parsing.
const huge = clauses(100_000);
const [a, aMs] = timed(() => parseRunFilter(huge));
out.huge = { length: huge.length, ok: a.ok, error: a.ok ? null : a.error, ms: aMs };

// Just under the length cap, more clauses than allowed: refused at the clause cap.
const many = clauses(3000).slice(0, 64 * 1024 - 20).replace(/ and [^a]*$/, '');
const [b, bMs] = timed(() => parseRunFilter(many));
out.many = { length: many.length, ok: b.ok, error: b.ok ? null : b.error, ms: bMs };

// The most clauses allowed, over 2,000 runs; `> -1` holds for every run, so every clause is evaluated.
const [c, cMs] = timed(() => parseRunFilter(clauses(MAX_FILTER_CLAUSES, () => '-1')));
const [matched, evalMs] = timed(() => (c.ok ? runs.filter((r) => matchesRun(c.filter, r)).length : -1));
out.max = { ok: c.ok, clauses: c.ok ? c.filter.clauses.length : 0, ms: cMs, matched, evalMs };

// LIKE patterns that make backtracking regexes explode (%a%a%...%b), and the wildcard walk's
// own worst case (one % before a long segment that fails at its end), against 8,000 a's.
const [d, dMs] = timed(() => likeMatch('a'.repeat(8000), '%a'.repeat(2000) + 'b') || likeMatch('a'.repeat(8000), '%' + 'a'.repeat(4000) + 'b'));
out.like = { matched: d, ms: dMs };

// Unterminated quotes and deep junk: one pass each.
const [e, eMs] = timed(() => parseRunFilter(`params.x = '${"\\'".repeat(30000)}`));
out.unterminated = { ok: e.ok, error: e.ok ? null : e.error, ms: eMs };
const [f, fMs] = timed(() => parseRunFilter('('.repeat(60000)));
out.parens = { ok: f.ok, error: f.ok ? null : f.error, ms: fMs };
console.log(JSON.stringify(out));
