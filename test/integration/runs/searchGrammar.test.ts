// The same filters through mlflow.search_runs and through parseRunFilter + matchesRun over what
// our readers list, on one file store and one mlflow.db written by the real MLflow.
import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { MlflowFileStoreSource } from '../../../src/core/runs/mlflow/fileStoreSource';
import { MlflowSqliteSource } from '../../../src/core/runs/mlflow/sqliteStoreSource';
import { matchesRun, parseRunFilter } from '../../../src/core/runs/search';
import type { RunSummary } from '../../../src/core/runs/types';
import { requirePeer } from '../harness';
import { mlflowEnv } from './mlflowReference';
import { BLANK, REFUSED, SAME, STORES_DIFFER, STRICTER } from './searchGrammarCases';
import { generatedFilters } from './searchGrammarGen';

const GENERATED = generatedFilters(1500);

type Answer = { ids: string[] } | { error: string; message: string };
const peer = path.join(__dirname, 'peers', 'search_peer.py');

function mlflowSearch(python: string, uri: string, filters: string[]): { results: Answer[]; users: Record<string, string> } {
  const out = execFileSync(python, [peer, 'search', uri], { env: mlflowEnv, input: JSON.stringify(filters), encoding: 'utf8', maxBuffer: 1 << 26 });
  return JSON.parse(out);
}

function ours(runs: RunSummary[], filter: string): Answer {
  const parsed = parseRunFilter(filter);
  if (!parsed.ok) return { error: 'refused', message: parsed.error.message };
  return { ids: runs.filter((r) => matchesRun(parsed.filter, r)).map((r) => r.id).sort() };
}

const show = (a: Answer) => ('ids' in a ? `${a.ids.length} runs` : `refused: ${a.message}`);

describe('search grammar: ours vs mlflow.search_runs on stores the real MLflow wrote', function () {
  this.timeout(180_000);
  let python = '';
  let dir = '';
  const stores: Record<'file' | 'sqlite', { runs: RunSummary[]; ids: string[]; uri: string; answers: Map<string, Answer> }> = {} as never;

  before(async function () {
    python = requirePeer(this, 'python');
    dir = mkdtempSync(path.join(tmpdir(), 'mlops-search-'));
    const uris = { file: `file:${path.join(dir, 'mlruns')}`, sqlite: `sqlite:///${path.join(dir, 'mlflow.db')}` };
    for (const kind of ['file', 'sqlite'] as const) {
      execFileSync(python, [peer, 'write', uris[kind]], { env: mlflowEnv, stdio: 'pipe' });
      const src = kind === 'file' ? new MlflowFileStoreSource(path.join(dir, 'mlruns')) : new MlflowSqliteSource(path.join(dir, 'mlflow.db'));
      const listing = await src.list();
      if ('dispose' in src) src.dispose();
      assert.deepEqual(listing.warnings, []);
      const runs = listing.runs;
      const ids = runs.map((r) => r.id).sort();
      const sub = (f: string) => f.replace(/\$ID(\d)/g, (_, i: string) => ids[Number(i)]);
      const all = [...new Set([...SAME, ...REFUSED, ...STRICTER, ...STORES_DIFFER.map((d) => d.filter), BLANK, ...GENERATED].map(sub))];
      const { results, users } = mlflowSearch(python, uris[kind], all);
      const answers = new Map(all.map((f, i) => [f, results[i]]));
      stores[kind] = { runs, ids, uri: uris[kind], answers };
      // The reader's user ids are what attributes.user_id compares.
      assert.deepEqual(Object.fromEntries(runs.map((r) => [r.id, r.userId])), users, `${kind}: user_id of every run`);
    }
  });
  after(() => dir && rmSync(dir, { recursive: true, force: true }));

  for (const kind of ['file', 'sqlite'] as const) {
    it(`${kind} store: ${SAME.length} filters select the same run ids as MLflow`, () => {
      const { runs, ids, answers } = stores[kind];
      assert.equal(runs.length, 12);
      const wrong: string[] = [];
      for (const f of SAME) {
        const filter = f.replace(/\$ID(\d)/g, (_, i: string) => ids[Number(i)]);
        const theirs = answers.get(filter)!;
        assert.ok('ids' in theirs, `MLflow accepts ${JSON.stringify(filter)}: ${show(theirs)}`);
        const mine = ours(runs, filter);
        if (JSON.stringify(mine) !== JSON.stringify(theirs)) wrong.push(`${JSON.stringify(filter)}: ours ${show(mine)}, MLflow ${show(theirs)}`);
      }
      assert.deepEqual(wrong, []);
      // The table is worth its name: most filters select some runs but not all.
      const partial = SAME.filter((f) => {
        const a = answers.get(f.replace(/\$ID(\d)/g, (_, i: string) => ids[Number(i)]))!;
        return 'ids' in a && a.ids.length > 0 && a.ids.length < runs.length;
      });
      assert.ok(partial.length >= 60, `${partial.length} filters select a strict subset`);
    });

    it(`${kind} store: ${REFUSED.length} filters MLflow refuses are refused with a column`, () => {
      const { runs, answers } = stores[kind];
      const wrong: string[] = [];
      for (const f of REFUSED) {
        const theirs = answers.get(f)!;
        assert.ok('error' in theirs, `MLflow refuses ${JSON.stringify(f)}, got ${show(theirs)}`);
        const parsed = parseRunFilter(f);
        if (parsed.ok) wrong.push(`${JSON.stringify(f)}: we accept, MLflow: ${theirs.message}`);
        else assert.match(parsed.error.message, new RegExp(`at column ${parsed.error.column}$`));
      }
      assert.deepEqual(wrong, []);
      assert.ok(runs.length > 0, 'MLflow checks comparators per run: the store must have runs');
    });
  }

  it('filters MLflow accepts by accident of its lexer: MLflow accepts, we refuse with a message', () => {
    for (const f of STRICTER) {
      for (const kind of ['file', 'sqlite'] as const) assert.ok('ids' in stores[kind].answers.get(f)!, `${kind}: MLflow accepts ${JSON.stringify(f)}`);
      const parsed = parseRunFilter(f);
      assert.ok(!parsed.ok, `we refuse ${JSON.stringify(f)}`);
    }
  });

  it("where MLflow's two stores disagree, we give the documented store's answer", () => {
    for (const { filter, ours: which } of STORES_DIFFER) {
      const [file, sqlite] = [stores.file, stores.sqlite].map((s) => s.answers.get(filter)!) as [{ ids: string[] }, { ids: string[] }];
      assert.notEqual(file.ids.length, sqlite.ids.length, `the stores still disagree on ${JSON.stringify(filter)}`);
      for (const kind of ['file', 'sqlite'] as const) {
        const mine = ours(stores[kind].runs, filter) as { ids: string[] };
        const want = which === kind ? stores[kind].answers.get(filter)! : null;
        // Compared by count, since the two stores' run ids differ.
        assert.equal(mine.ids.length, (which === 'file' ? file : sqlite).ids.length, `${kind}: ${filter}`);
        if (want) assert.deepEqual(mine, want);
      }
    }
  });

  it(`${GENERATED.length} generated filters: the same answer as MLflow, or as one of its stores where they disagree`, () => {
    const count = { same: 0, refused: 0, storesDisagree: 0, lazyFileStore: 0 };
    const wrong: string[] = [];
    const names = (a: Answer, s: (typeof stores)['file']) => JSON.stringify('ids' in a ? a.ids.map((id) => s.runs.find((r) => r.id === id)!.name).sort() : 'refused');
    for (const f of GENERATED) {
      for (const [kind, other] of [['file', 'sqlite'], ['sqlite', 'file']] as const) {
        const theirs = stores[kind].answers.get(f)!;
        const mine = ours(stores[kind].runs, f);
        if (!('ids' in mine) && !('ids' in theirs)) count.refused++;
        else if ('ids' in mine && 'ids' in theirs && mine.ids.join() === theirs.ids.join()) count.same++;
        // The file store checks a comparator only when some run reaches that clause, so it may
        // answer [] where the SQL store refuses; we refuse, as the SQL store does.
        else if (kind === 'file' && !('ids' in mine) && 'ids' in theirs && theirs.ids.length === 0 && !('ids' in stores.sqlite.answers.get(f)!)) count.lazyFileStore++;
        // Where the stores disagree (README), ours is the other store's answer, by run names
        // (run ids differ between the stores).
        else if (names(mine, stores[kind]) === names(stores[other].answers.get(f)!, stores[other])) count.storesDisagree++;
        else wrong.push(`${kind}: ${JSON.stringify(f)}: ours ${names(mine, stores[kind])}, MLflow ${names(theirs, stores[kind])}`);
      }
    }
    assert.deepEqual(wrong.slice(0, 10), []);
    assert.ok(count.same >= 1200 && count.refused >= 600, JSON.stringify(count));
    console.log(`      ${JSON.stringify(count)}`);
  });

  it('an all-blank filter: MLflow refuses it, we match every run', () => {
    assert.ok('error' in stores.sqlite.answers.get(BLANK)!);
    assert.deepEqual(ours(stores.sqlite.runs, BLANK), { ids: stores.sqlite.ids });
  });
});
