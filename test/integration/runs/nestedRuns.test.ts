// Nested runs written by the real MLflow (`mlflow.start_run(nested=True)`) into an mlflow.db
// and a file store: the tree our readers' listing nests into is the one MLflow's
// `mlflow.parentRunId` tags describe, as mlflow.search_runs returns them.
import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { MlflowFileStoreSource } from '../../../src/core/runs/mlflow/fileStoreSource';
import { MlflowSqliteSource } from '../../../src/core/runs/mlflow/sqliteStoreSource';
import { nestRuns } from '../../../src/core/runs/nesting';
import type { RunSummary } from '../../../src/core/runs/types';
import { requirePeer } from '../harness';
import { mlflowEnv } from './mlflowReference';

const peer = path.join(__dirname, 'peers', 'nested_peer.py');
const lastLine = (out: string) => out.trim().split('\n').pop()!;

describe('nested runs: our tree vs the parentRunId tags MLflow wrote', function () {
  this.timeout(180_000);
  let python = '';
  let dir = '';
  before(function () {
    python = requirePeer(this, 'python');
    dir = mkdtempSync(path.join(tmpdir(), 'mlops-nested-'));
  });
  after(() => dir && rmSync(dir, { recursive: true, force: true }));

  for (const kind of ['sqlite', 'file'] as const) {
    it(`${kind} store: each run sits under the parent MLflow names, at every depth`, async () => {
      const uri = kind === 'file' ? `file:${path.join(dir, 'mlruns')}` : `sqlite:///${path.join(dir, 'mlflow.db')}`;
      execFileSync(python, [peer, 'write', uri], { env: mlflowEnv, stdio: 'pipe' });
      const theirs = JSON.parse(lastLine(execFileSync(python, [peer, 'parents', uri], { env: mlflowEnv, encoding: 'utf8' }))) as Record<string, string | null>;
      const src = kind === 'file' ? new MlflowFileStoreSource(path.join(dir, 'mlruns')) : new MlflowSqliteSource(path.join(dir, 'mlflow.db'));
      const listing = await src.list();
      if ('dispose' in src) src.dispose();
      assert.deepEqual(listing.warnings, []);
      const runs = listing.runs;
      assert.deepEqual(runs.map((r) => r.id).sort(), Object.keys(theirs).sort(), 'the same active runs');

      const nesting = nestRuns(runs);
      // Walk our tree (iteratively) and note each run's parent in it.
      const ourParent: Record<string, string | null> = {};
      const depth: Record<string, number> = {};
      const stack: { run: RunSummary; parent: string | null; d: number }[] = nesting.roots.map((run) => ({ run, parent: null, d: 0 }));
      while (stack.length) {
        const { run, parent, d } = stack.pop()!;
        assert.equal(ourParent[run.id], undefined, `${run.name} shows once`);
        ourParent[run.id] = parent;
        depth[run.id] = d;
        for (const c of nesting.children.get(run.id) ?? []) stack.push({ run: c, parent: run.id, d: d + 1 });
      }
      // The orphan's parent was deleted: MLflow still names it, our tree makes the orphan a root.
      const orphan = runs.find((r) => r.name === 'orphan')!;
      assert.ok(theirs[orphan.id], 'MLflow keeps the deleted parent in the tag');
      const expected = { ...theirs, [orphan.id]: null };
      assert.deepEqual(ourParent, expected);
      // What was written: 2 sweeps × 3 trials, one trial with 2 folds (depth 2).
      const byName = Object.fromEntries(runs.map((r) => [r.name, r]));
      assert.equal(nesting.children.get(byName['nested-a-sweep'].id)?.length, 3);
      assert.equal(depth[byName['nested-b-trial-1-fold-1'].id], 2);
      assert.equal(nesting.roots.length, 5); // 2 sweeps, 2 plain runs, the orphan
    });
  }
});
