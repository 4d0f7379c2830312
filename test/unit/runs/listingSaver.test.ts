// ListingSaver's rule (sqliteListingSnapshot.ts): a store's first clean listing is saved at
// once; later ones only once no newer listing came for 30 s (a training run committing every
// few seconds writes nothing); the same stamp again writes nothing; drop() cancels a pending
// save. Timers are Node's mock timers, so the 30 s pass without waiting; the writes are real.
import { strict as assert } from 'node:assert';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { mock } from 'node:test';
import { deserialize } from 'node:v8';
import { sqliteChangeStamp } from '../../../src/core/runs/mlflow/sqliteChangeStamp';
import { ListingSaver, loadListingSnapshot, saveListingSnapshot, type ListingOf, type SnapshotPlace } from '../../../src/core/runs/mlflow/sqliteListingSnapshot';

const listing = (id: string) =>
  ({
    experiments: [{ id: '0', name: 'Default', lifecycleStage: 'active' }],
    runs: [{ id, experimentId: '0', name: id, status: 'FINISHED', startTime: 1, params: {}, tags: {}, metrics: {} }],
  }) as unknown as ListingOf['runs'];

describe('ListingSaver: when a clean listing is saved between windows', () => {
  let dir: string;
  let db: string;
  let other: string;
  let place: SnapshotPlace;
  let saver: ListingSaver<'runs'>;
  let version = 0;

  /** Rewrites the store (a commit): a new header and mtime, so a new change stamp. */
  const commit = (file: string): string => {
    version++;
    const header = Buffer.alloc(100);
    header.write('SQLite format 3\0');
    header.writeUInt32BE(version, 24);
    writeFileSync(file, header);
    utimesSync(file, 1_000 + version, 1_000 + version);
    return sqliteChangeStamp(file)!;
  };

  /** The stamp the file saved for `db` holds (whatever the store's stamp now), once any pending write is done. */
  const savedStamp = async (): Promise<string | undefined> => {
    // A save the timer started is a few fs steps; this real write to another place goes
    // through the same steps after it, so a started save has landed when this has.
    await saveListingSnapshot({ ...place, dir: path.join(dir, 'barrier') }, other, { stamp: sqliteChangeStamp(other)!, listing: listing('other') });
    const folder = path.join(place.dir, 'mlflow-listings');
    const files = existsSync(folder) ? readdirSync(folder).filter((f) => f.endsWith('.bin')) : [];
    if (files.length === 0) return undefined;
    const key = String((deserialize(readFileSync(path.join(folder, files[0]))) as { key: string }).key);
    return key.slice(key.lastIndexOf('\n') + 1);
  };

  /** The run id of the listing saved for `db` under its current stamp (waits a bounded while for a save that is landing). */
  const savedRun = async (): Promise<string | undefined> => {
    await savedStamp();
    for (let i = 0; i < 200; i++) {
      const got = await loadListingSnapshot(place, db);
      if (got) return got.listing.runs[0].id;
      await new Promise((r) => setImmediate(r));
    }
    return undefined;
  };

  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'mlops-saver-'));
    db = path.join(dir, 'mlflow.db');
    other = path.join(dir, 'other.db');
    commit(other);
    place = { dir: path.join(dir, 'storage'), reader: 'r1' };
    saver = new ListingSaver(place, 'runs');
    mock.timers.enable({ apis: ['setTimeout'] });
  });
  afterEach(() => {
    mock.timers.reset();
    rmSync(dir, { recursive: true, force: true });
  });

  it('saves the first listing at once, a later one only after 30 s without a newer one', async () => {
    const s1 = commit(db);
    saver.offer('k', db, s1, listing('first'));
    mock.timers.tick(0);
    assert.equal(await savedRun(), 'first');

    const s2 = commit(db);
    saver.offer('k', db, s2, listing('second'));
    mock.timers.tick(29_999);
    assert.equal(await savedStamp(), s1, 'nothing written before 30 s');

    // A newer listing restarts the wait: only the last one is saved.
    const s3 = commit(db);
    saver.offer('k', db, s3, listing('third'));
    mock.timers.tick(29_999);
    assert.equal(await savedStamp(), s1, 'the superseded listing is never written');
    mock.timers.tick(1);
    assert.equal(await savedRun(), 'third');
  });

  it('the same stamp again writes nothing; drop() cancels a pending save', async () => {
    const s1 = commit(db);
    saver.offer('k', db, s1, listing('first'));
    mock.timers.tick(0);
    assert.equal(await savedRun(), 'first');
    saver.offer('k', db, s1, listing('same stamp, other rows'));
    mock.timers.tick(30_000);
    assert.equal(await savedRun(), 'first', 'a listing under the saved stamp is not written again');
    assert.equal(await savedStamp(), s1);

    const s2 = commit(db);
    saver.offer('k', db, s2, listing('second'));
    saver.drop('k');
    mock.timers.tick(60_000);
    assert.equal(await savedStamp(), s1, 'the dropped store\'s pending save never ran');
  });
});
