import { strict as assert } from 'node:assert';
import * as path from 'node:path';
import { likeMatch, matchesRun, MAX_FILTER_CLAUSES, parseRunFilter } from '../../../src/core/runs/search';
import type { RunSummary } from '../../../src/core/runs/types';
import { lastJson, runBounded } from '../../integration/crafted/boundedChild';

// The grammar itself is checked against the real MLflow in test/integration/runs/searchGrammar.test.ts;
// these pin the messages and columns, LIKE, and the bounds.
describe('parseRunFilter: where and what', () => {
  const cases: [string, number, RegExp][] = [
    ['metrics.acc', 12, /^expected a comparator after metrics\.acc, found the end of the filter at column 12$/],
    ['metrics.acc 0.9', 13, /expected a comparator after metrics\.acc, found '0\.9'/],
    ['metrics.acc >', 14, /expected a number after metrics\.acc/],
    ["metrics.acc > '0.9'", 15, /expected a number after metrics\.acc .*found ''0\.9''/],
    ['metrics.acc > 1and x', 15, /expected a number/],
    ["params.lr = 0.1", 13, /expected a quoted string \('\.\.\.' or "\.\.\."\) after params\.lr, found '0\.1'/],
    ["params.lr > '0.1'", 11, /> is not a comparator for params\.lr: expected one of = != LIKE ILIKE IS NULL IS NOT NULL/],
    ['metrics.acc <> 1', 13, /<> is not a comparator/],
    ["metrics.acc > 1 or params.lr = 'a'", 17, /found `or` \(MLflow's search has no `or`\)/],
    ["metrics.acc > 1 params.lr = 'a'", 17, /expected `and` or the end of the filter, found 'params\.lr'/],
    ['metrics.acc > 1 and ', 17, /expected a clause after `and`/],
    ['and metrics.acc > 1', 1, /expected a clause such as metrics\.acc > 0\.9, found `and`/],
    ["params.x = 'abc", 12, /unterminated string starting here/],
    ['tags.`a b = 1', 6, /unterminated backtick name/],
    ["TAGS.x = 'a'", 1, /unknown entity type 'TAGS'/],
    ["attributes.lifecycle_stage = 'active'", 12, /unknown attribute 'lifecycle_stage'/],
    ["attributes.status IN ('a')", 19, /IN works only on attributes\.run_id/],
    ['attributes.run_id IN ()', 23, /expected a quoted string in the list, found '\)'/],
    ["attributes.run_id IN ('a' 'b')", 27, /expected ',' or '\)' in the list/],
    ['metrics.acc IS NULL', 13, /IS NULL is not a comparator for metrics\.acc/],
    ['tags.x IS NOT  NULL', 8, /one space between NOT and NULL/],
    ["params.x NOT LIKE 'a'", 10, /MLflow has no NOT LIKE/],
    ["params.1x = 'a'", 8, /starts with a digit must be quoted, as `1x`/],
    ["params.from = 'a'", 8, /'from' is an SQL keyword to MLflow: quote it/],
    ["dataset.name = 'a'", 1, /dataset filters are not supported here/],
    ["(params.x = 'a')", 1, /expected a name such as metrics\.acc/],
    ["params.x = 'a';", 15, /found ';'/],
  ];
  for (const [filter, column, message] of cases) {
    it(`${JSON.stringify(filter)} → column ${column}`, () => {
      const r = parseRunFilter(filter);
      assert.ok(!r.ok, 'refused');
      assert.equal(r.error.column, column, r.error.message);
      assert.match(r.error.message, message);
      assert.ok(r.error.message.endsWith(`at column ${column}`), r.error.message);
    });
  }

  it('reads names, aliases and values as MLflow does', () => {
    const r = parseRunFilter("tags.`mlflow.user` = 'a''b' and `Run name` ILIKE \"x%\" and created >= 1.5e3 and metrics.m > -.5 and run.run_id not in ('a', \"b\",)");
    assert.ok(r.ok);
    assert.deepEqual(r.filter.clauses.map((c) => [c.kind, c.key, c.op, 'value' in c ? c.value : null, c.column]), [
      ['tag', 'mlflow.user', '=', "a''b", 1], // MLflow keeps the quotes doubled
      ['attribute', 'run_name', 'ILIKE', 'x%', 33],
      ['attribute', 'start_time', '>=', 1500, 59],
      ['metric', 'm', '>', -0.5, 80],
      ['attribute', 'run_id', 'NOT IN', ['a', 'b'], 100],
    ]);
  });

  it('the empty and the all-blank filter have no clauses', () => {
    for (const f of ['', ' \t\n']) assert.deepEqual(parseRunFilter(f), { ok: true, filter: { clauses: [] } });
  });
});

describe('likeMatch: SQL LIKE without regular expressions', () => {
  const cases: [string, string, boolean, boolean?][] = [
    ['adam', 'a%', true], ['adam', 'A%', false], ['adam', 'A%', true, true], ['adam', 'ad_m', true], ['adam', 'ad_', false],
    ['adam', '%', true], ['', '%', true], ['', '_', false], ['a_am', 'a\\_am', false], ['100%', '100%', true],
    ['line one\nline two', 'line one_line two', true], ['über', 'Ü%', true, true], ['😀x', '_x', true], ['abc', '%b%', true], ['abc', '%d%', false],
  ];
  for (const [text, pattern, want, ci] of cases) {
    it(`${JSON.stringify(text)} ${ci ? 'ILIKE' : 'LIKE'} ${JSON.stringify(pattern)} is ${want}`, () => assert.equal(likeMatch(text, pattern, ci), want));
  }
});

describe('matchesRun', () => {
  const run: RunSummary = {
    id: 'r1', experimentId: '0', name: 'alpha', status: 'FINISHED', startTime: 1000, params: { lr: '0.1' }, tags: { 'mlflow.runName': 'alpha' },
    metrics: { acc: { step: 0, timestamp: 0, value: 0.9 }, nan: { step: 0, timestamp: 0, value: NaN } },
  };
  const m = (f: string) => {
    const r = parseRunFilter(f);
    assert.ok(r.ok, f);
    return matchesRun(r.filter, run);
  };
  it('a missing key matches no comparison, not even != (MLflow)', () => {
    assert.equal(m("params.opt != 'adam'"), false);
    assert.equal(m('metrics.loss != 1'), false);
    assert.equal(m('attributes.end_time != 5'), false);
    assert.equal(m('params.opt IS NULL'), true);
  });
  it('NaN is unequal to everything and not ordered', () => {
    assert.equal(m('metrics.nan != 1'), true);
    assert.equal(m('metrics.nan > -1e308'), false);
    assert.equal(m('metrics.nan = 0'), false);
  });
  it('params compare as strings; every clause must hold', () => {
    assert.equal(m("params.lr = '0.10'"), false);
    assert.equal(m("params.lr = '0.1' and metrics.acc > 0.5 and attributes.run_name = 'alpha' and status = 'FINISHED'"), true);
    assert.equal(m("params.lr = '0.1' and metrics.acc > 0.95"), false);
    assert.equal(m('params.constructor IS NULL'), true, 'keys are own keys only');
  });
});

describe('crafted filters (child process, 64 MB heap, 10 s)', function () {
  this.timeout(30000);
  it('a 1 MB filter of 100,000 clauses, the clause cap, the largest filter over 2,000 runs, a backtracking LIKE', async () => {
    const r = await runBounded(path.join(__dirname, 'searchFilterChild.ts'), [], { heapMb: 64, timeoutMs: 10000 });
    assert.ok(!r.timedOut, 'finished in 10 s');
    assert.equal(r.code, 0, r.stderr);
    type Refused = { ok: boolean; error: { column: number; message: string }; ms: number };
    const out = lastJson<{ huge: Refused & { length: number }; many: Refused; max: { ok: boolean; clauses: number; ms: number; matched: number; evalMs: number }; like: { matched: boolean; ms: number }; unterminated: Refused; parens: Refused }>(r);
    console.log(`      ${JSON.stringify(out)}`);
    assert.ok(out.huge.length > 1_000_000);
    assert.equal(out.huge.ok, false);
    assert.match(out.huge.error.message, /longer than 65536 characters/);
    assert.equal(out.many.ok, false);
    assert.match(out.many.error.message, new RegExp(`too many clauses: at most ${MAX_FILTER_CLAUSES}`));
    assert.deepEqual([out.max.ok, out.max.clauses], [true, MAX_FILTER_CLAUSES]);
    assert.equal(out.max.matched, 2000, 'every clause holds for every run');
    assert.equal(out.like.matched, false);
    assert.equal(out.unterminated.ok, false);
    assert.equal(out.parens.ok, false);
    for (const [k, v] of Object.entries(out)) assert.ok((v as { ms: number }).ms < 2000, `${k}: ${(v as { ms: number }).ms} ms`);
  });
});
