// Star and note written the way MLflow writes (REST set-tag / delete-tag to a real server;
// MLflow's own client in a child Python for mlflow.db and mlruns/), read back with
// MlflowClient.get_run and with our readers.
import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { MlflowFileStoreSource } from '../../../src/core/runs/mlflow/fileStoreSource';
import { MlflowRestSource } from '../../../src/core/runs/mlflow/mlflowRestSource';
import { MlflowSqliteSource } from '../../../src/core/runs/mlflow/sqliteStoreSource';
import { localTrackingUri, mlflowMark, noteChange, NOTE_TAG, setRunTagRest, setRunTagsLocal, STAR_TAG, starChange, type TagChange } from '../../../src/core/runs/runMarks';
import type { RunSource } from '../../../src/core/runs/types';
import { requirePeer } from '../harness';
import { mlflowEnv } from './mlflowReference';
import { startMlflowServer, type MlflowServer } from './mlflowServer';

const peer = path.join(__dirname, 'peers', 'nested_peer.py');
const lastLine = (out: string) => out.trim().split('\n').pop()!;

describe('star and note on MLflow runs, read back with MLflow’s client', function () {
  this.timeout(180_000);
  let python = '';
  let dir = '';
  let server: MlflowServer | undefined;
  const tagsOf = (uri: string, runId: string) => JSON.parse(lastLine(execFileSync(python, [peer, 'tags', uri, runId], { env: mlflowEnv, encoding: 'utf8' }))) as Record<string, string>;
  const parentsOf = (uri: string) => JSON.parse(lastLine(execFileSync(python, [peer, 'parents', uri], { env: mlflowEnv, encoding: 'utf8' }))) as Record<string, string | null>;

  before(async function () {
    python = requirePeer(this, 'python');
    const mlflow = requirePeer(this, 'mlflow');
    dir = mkdtempSync(path.join(tmpdir(), 'mlops-marks-'));
    server = await startMlflowServer(mlflow, path.join(dir, 'server'));
  });
  after(async () => {
    await server?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const note = "Baseline, lr 0.1 — don't delete\nsecond line with 'quotes' and $(shell) text";

  // Each Python start imports mlflow (seconds on a loaded machine): the changes of one step go in one.
  async function roundTrip(uri: string, write: (runId: string, c: TagChange[]) => Promise<void>, reader: () => RunSource & { dispose?(): void }) {
    execFileSync(python, [peer, 'write', uri], { env: mlflowEnv, stdio: 'pipe' });
    const runId = Object.keys(parentsOf(uri)).sort()[0];
    await write(runId, [starChange(true), noteChange(note)]);
    let tags = tagsOf(uri, runId);
    assert.equal(tags[STAR_TAG], 'true');
    assert.equal(tags[NOTE_TAG], note, 'the note, byte for byte (argv, no shell)');
    const src = reader();
    const listing = await src.list();
    src.dispose?.();
    assert.deepEqual(listing.warnings, []);
    const listed = listing.runs.find((r) => r.id === runId);
    assert.ok(listed, `our reader lists run ${runId}`);
    assert.deepEqual(mlflowMark(listed), { starred: true, note });
    // Unstar and an empty note delete the tags; a second delete is no error.
    await write(runId, [starChange(false), starChange(false), noteChange('  ')]);
    tags = tagsOf(uri, runId);
    assert.equal(STAR_TAG in tags, false);
    assert.equal(NOTE_TAG in tags, false);
  }

  it('mlflow.db: written by MLflow’s client in a child Python', async () => {
    const db = path.join(dir, 'mlflow.db');
    const uri = localTrackingUri('mlflow-sqlite', db);
    await roundTrip(uri, (id, c) => setRunTagsLocal(python, uri, id, c), () => new MlflowSqliteSource(db));
  });

  it('mlruns/ file store: written by MLflow’s client in a child Python', async () => {
    const mlruns = path.join(dir, 'mlruns');
    const uri = localTrackingUri('mlflow-file', mlruns);
    await roundTrip(uri, (id, c) => setRunTagsLocal(python, uri, id, c), () => new MlflowFileStoreSource(mlruns));
  });

  it('tracking server: runs/set-tag and runs/delete-tag', async () => {
    const src = new MlflowRestSource(server!.url);
    await roundTrip(
      server!.url,
      async (id, cs) => {
        for (const c of cs) await setRunTagRest(src.client, id, c);
      },
      // A loaded test machine can take longer than the default 15 s per call.
      () => new MlflowRestSource(server!.url, { timeoutMs: 60_000 }),
    );
  });

  it('a run that does not exist: the error says so, from MLflow', async () => {
    const uri = localTrackingUri('mlflow-sqlite', path.join(dir, 'mlflow.db'));
    await assert.rejects(setRunTagsLocal(python, uri, 'f'.repeat(32), [starChange(true)]), /could not set tag mlops\.starred.*\n?.*(not found|RESOURCE_DOES_NOT_EXIST|No run)/is);
  });
});
