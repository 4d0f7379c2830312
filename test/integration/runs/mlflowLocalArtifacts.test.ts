import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { listLocalArtifacts, localArtifactRoot } from '../../../src/core/runs/mlflow/localArtifacts';
import { MlflowFileStoreSource } from '../../../src/core/runs/mlflow/fileStoreSource';
import { MlflowSqliteSource } from '../../../src/core/runs/mlflow/sqliteStoreSource';
import type { RunSource } from '../../../src/core/runs/types';
import { requirePeer } from '../harness';
import { mlflowEnv } from './mlflowReference';

const peer = path.join(__dirname, 'peers', 'mlflow_peer.py');
type Listed = [string, boolean, number | null][];

for (const kind of ['mlflow-sqlite', 'mlflow-file'] as const) {
  describe(`artifacts of a local MLflow store (${kind}) written by the real MLflow client`, function () {
    this.timeout(120_000);
    let python = '';
    let dir = '';
    let uri = '';
    let location = '';
    let ids: { parent: string; children: string[] };
    // The client resolves the default artifact root against its working folder: the temp folder, not the repo.
    const run = (...args: string[]) => execFileSync(python, [peer, ...args], { cwd: dir, env: mlflowEnv, encoding: 'utf8' }).trim().split('\n').pop()!;

    before(function () {
      python = requirePeer(this, 'python');
      dir = mkdtempSync(path.join(tmpdir(), 'mlops-mlflow-artifacts-'));
      location = kind === 'mlflow-sqlite' ? path.join(dir, 'mlflow.db') : path.join(dir, 'mlruns');
      uri = kind === 'mlflow-sqlite' ? `sqlite:///${location}` : `file://${location}`;
      ids = JSON.parse(run('extras', uri));
    });
    after(() => dir && rmSync(dir, { recursive: true, force: true }));

    it('finds the run\'s artifact folder and lists each folder as MlflowClient.list_artifacts does', async () => {
      const source: RunSource & { dispose?(): void } = kind === 'mlflow-sqlite' ? new MlflowSqliteSource(location) : new MlflowFileStoreSource(location);
      const parent = (await source.list()).runs.find((r) => r.id === ids.parent)!;
      source.dispose?.();
      const root = localArtifactRoot(kind, location, parent);
      assert.equal(typeof root, 'string', JSON.stringify(root));
      for (const sub of ['', 'model', 'model/data']) {
        const theirs = (JSON.parse(run('artifacts', uri, ids.parent, ...(sub ? [sub] : []))) as Listed).sort();
        const mine = (await listLocalArtifacts(root as string, sub)).map((a) => [a.path, a.isDir, a.size ?? null]).sort();
        assert.deepEqual(mine, theirs, `artifacts under "${sub}"`);
      }
      assert.equal(readFileSync(path.join(root as string, 'summary.txt'), 'utf8'), 'accuracy 0.9\n');
      // No way out of the run: a folder that leaves it is refused (either separator).
      for (const out of ['../..', '..\\..', 'model/../../..']) await assert.rejects(listLocalArtifacts(root as string, out), /refused the artifact folder/);
      const child = localArtifactRoot(kind, location, { id: ids.children[0], name: 'child', experimentId: parent.experimentId, artifactUri: undefined });
      if (kind === 'mlflow-file') assert.equal(child, path.join(location, parent.experimentId, ids.children[0], 'artifacts'));
      else assert.match((child as { error: string }).error, /no artifact location/);
    });

    it('says where artifacts are when they are not on this machine', () => {
      const r = localArtifactRoot(kind, location, { id: 'x', name: 'remote', experimentId: '1', artifactUri: 's3://bucket/1/x/artifacts' });
      assert.match((r as { error: string }).error, /s3:\/\/bucket\/1\/x\/artifacts, not on this machine/);
    });
  });
}
