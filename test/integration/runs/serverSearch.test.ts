// The Runs view's search filter sent to a real `mlflow server` holding 10,000 runs: the
// listing has exactly the runs mlflow.search_runs finds, even those far beyond
// mlops.mlflow.maxRuns, and a filter the server refuses fails with MLflow's own words.
import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { FIRST_PAGE_RUNS, MlflowRestSource } from '../../../src/core/runs/mlflow/mlflowRestSource';
import { requirePeer } from '../harness';
import { mlflowEnv } from './mlflowReference';
import { startMlflowServer, type MlflowServer } from './mlflowServer';

const peer = path.join(__dirname, 'peers', 'many_runs_peer.py');
const RUNS = 10_000;
const MAX_RUNS = 100;

type Answer = { ids: string[]; seconds: number } | { error: string; message: string; seconds: number };

export function mlflowSearchMany(python: string, uri: string, filters: string[]): Answer[] {
  const out = execFileSync(python, [peer, 'search', uri], { env: mlflowEnv, input: JSON.stringify(filters), encoding: 'utf8', maxBuffer: 1 << 28 });
  return JSON.parse(out.trim().split('\n').pop()!) as Answer[];
}

// Run i starts i seconds after the first: the newest MAX_RUNS are i ≥ 9,900.
const FILTERS = [
  // The oldest run: position 10,000 of the newest-first listing.
  "tags.needle = 'yes'",
  // 123 runs, all older than the newest 100, more than maxRuns.
  'metrics.acc < 0.0123',
  "params.group = 'g3' and attributes.status = 'FAILED'",
  "attributes.run_name LIKE 'run-99%'",
  "metrics.acc >= 0.5 and tags.team = 'b' and params.lr = '0.01'",
  'attributes.start_time < 1700000050000',
  "tags.team ILIKE 'A' and metrics.loss > 0.25",
  "params.group = 'nothing'",
];

describe('search sent to a real mlflow server with 10,000 runs', function () {
  this.timeout(600_000);
  let python = '';
  let dir = '';
  let server: MlflowServer | undefined;
  let answers: Answer[] = [];

  before(async function () {
    python = requirePeer(this, 'python');
    const mlflow = requirePeer(this, 'mlflow');
    dir = mkdtempSync(path.join(tmpdir(), 'mlops-server-search-'));
    execFileSync(python, [peer, 'write', path.join(dir, 'mlflow.db'), String(RUNS)], { env: mlflowEnv, stdio: 'pipe' });
    server = await startMlflowServer(mlflow, dir);
    answers = mlflowSearchMany(python, `sqlite:///${path.join(dir, 'mlflow.db')}`, [...FILTERS, "metrics.acc > 'x'"]);
  });
  after(async () => {
    await server?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it(`without a filter lists only the newest ${MAX_RUNS} runs (mlops.mlflow.maxRuns) and says so`, async () => {
    const { runs, warnings } = await new MlflowRestSource(server!.url, { maxRuns: MAX_RUNS }).list();
    assert.equal(runs.length, MAX_RUNS);
    assert.ok(runs.every((r) => Number(r.name.slice(4)) >= RUNS - MAX_RUNS), 'the newest runs');
    assert.equal(warnings.length, 1);
    assert.match(warnings[0].message, /newest 100 runs/);
  });

  for (const [i, filter] of FILTERS.entries()) {
    it(`with ${JSON.stringify(filter)} lists exactly what mlflow.search_runs finds`, async () => {
      const theirs = answers[i];
      assert.ok('ids' in theirs, `MLflow accepts it: ${JSON.stringify(theirs)}`);
      const src = new MlflowRestSource(server!.url, { maxRuns: MAX_RUNS, filter: () => filter });
      const { runs, warnings } = await src.list();
      assert.deepEqual(warnings, []);
      assert.deepEqual(runs.map((r) => r.id).sort(), theirs.ids);
      if (i === 0) assert.equal(runs[0].name, 'run-0', 'the oldest run, found beyond maxRuns');
      if (i === 1) assert.equal(runs.length, 123);
    });
  }

  for (const [i, filter] of FILTERS.entries()) {
    it(`with ${JSON.stringify(filter)} shows the first ${FIRST_PAGE_RUNS} matches first, newest first, then all of them`, async () => {
      const theirs = answers[i];
      assert.ok('ids' in theirs);
      const partials: string[][] = [];
      const { runs } = await new MlflowRestSource(server!.url, { maxRuns: MAX_RUNS, filter: () => filter, pageSize: 40 }).list(undefined, (soFar) => partials.push(soFar.runs.map((r) => r.id)));
      const ids = runs.map((r) => r.id);
      assert.deepEqual([...ids].sort(), theirs.ids);
      const starts = runs.map((r) => r.startTime ?? 0);
      assert.ok(starts.every((t, j) => j === 0 || t <= starts[j - 1]), 'newest first, as MLflow orders them');
      // The first page is the UI's page size, then pages of 40: a partial after each page the
      // server says is followed by another (it says so after every full one).
      const n = theirs.ids.length;
      const want = n < FIRST_PAGE_RUNS ? 0 : 1 + Math.floor((n - FIRST_PAGE_RUNS) / 40);
      assert.equal(partials.length, want, `${partials.length} partial listings`);
      partials.forEach((p, j) => {
        assert.equal(p.length, FIRST_PAGE_RUNS + 40 * j);
        assert.deepEqual(p, ids.slice(0, p.length), 'each partial listing is the start of the whole one');
      });
      if (i === 1) assert.equal(partials[0].length, 100);
    });
  }

  it("a filter the server refuses fails the listing with MLflow's message, word for word", async () => {
    const theirs = answers[FILTERS.length];
    assert.ok('error' in theirs && theirs.error === 'INVALID_PARAMETER_VALUE', JSON.stringify(theirs));
    const src = new MlflowRestSource(server!.url, { maxRuns: MAX_RUNS, filter: () => "metrics.acc > 'x'" });
    await assert.rejects(src.list(), (err: Error & { filterRejected?: string }) => {
      assert.equal(err.filterRejected, theirs.message);
      assert.equal(err.message, `the server refused the filter: ${theirs.message}`);
      return true;
    });
  });
});
