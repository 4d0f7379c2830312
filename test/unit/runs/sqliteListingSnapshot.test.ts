// The listing saved between windows (sqliteListingSnapshot.ts) is answered only under the
// exact change stamp and reader it was saved with; a damaged, foreign or oversized file is
// never answered. (The round trip through the real worker and MLflow's writes is in
// test/integration/runs/isolatedRunSource.test.ts.)
import { strict as assert } from 'node:assert';
import { mkdtempSync, readdirSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { sqliteChangeStamp } from '../../../src/core/runs/mlflow/sqliteChangeStamp';
import { hasListingSnapshot, loadListingSnapshot, saveListingSnapshot, type SnapshotPlace } from '../../../src/core/runs/mlflow/sqliteListingSnapshot';
import type { RunSummary } from '../../../src/core/runs/types';

const run = (id: string): RunSummary => ({
  id,
  experimentId: '0',
  name: id,
  status: 'FINISHED',
  startTime: 1,
  endTime: undefined,
  artifactUri: undefined,
  userId: 'u',
  params: { lr: '0.1' },
  tags: {},
  metrics: { loss: { step: 3, timestamp: 4, value: NaN } },
});

describe('saved mlflow.db listings (sqliteListingSnapshot)', () => {
  let dir = '';
  let db = '';
  let place: SnapshotPlace;
  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'mlops-snapshot-'));
    db = path.join(dir, 'mlflow.db');
    // The stamp reads the 100-byte header and the file's stat: a header-sized file will do.
    writeFileSync(db, Buffer.concat([Buffer.from('SQLite format 3\0'), Buffer.alloc(4080)]));
    place = { dir: path.join(dir, 'storage'), reader: 'r1' };
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const save = (runs: RunSummary[], stamp = sqliteChangeStamp(db)!) => saveListingSnapshot(place, db, { stamp, listing: { experiments: [{ id: '0', name: 'Default', lifecycleStage: 'active' }], runs } });

  it('answers the saved listing under the same stamp and reader, field by field', async () => {
    assert.equal(hasListingSnapshot(place, db), false);
    await save([run('a'), run('b')]);
    assert.equal(hasListingSnapshot(place, db), true);
    const got = await loadListingSnapshot(place, db);
    assert.ok(got);
    assert.equal(got.stamp, sqliteChangeStamp(db));
    assert.deepStrictEqual(got.listing.runs, [run('a'), run('b')]);
    assert.equal(await loadListingSnapshot({ ...place, reader: 'r2' }, db), undefined, 'another reader build');
  });

  it('is not answered once the file changed: its header (a commit), or only its mtime', async () => {
    await save([run('a')]);
    const bytes = Buffer.concat([Buffer.from('SQLite format 3\0'), Buffer.alloc(4080)]);
    bytes[27] = 1; // the change counter moves
    writeFileSync(db, bytes);
    assert.equal(await loadListingSnapshot(place, db), undefined);
    await save([run('a')]);
    assert.ok(await loadListingSnapshot(place, db));
    utimesSync(db, new Date(2001, 1, 1), new Date(2001, 1, 1));
    assert.equal(await loadListingSnapshot(place, db), undefined);
  });

  it('a damaged file or one of another format is not answered; a listing too large to keep removes the older one', async () => {
    await save([run('a')]);
    const [file] = readdirSync(path.join(place.dir, 'mlflow-listings'));
    const full = path.join(place.dir, 'mlflow-listings', file);
    writeFileSync(full, Buffer.from('not a serialized listing'));
    assert.equal(await loadListingSnapshot(place, db), undefined);
    writeFileSync(full, Buffer.alloc(0));
    assert.equal(await loadListingSnapshot(place, db), undefined);
    await save([run('a')]);
    assert.ok(await loadListingSnapshot(place, db));
    await save(Array.from({ length: 20_001 }, (_, i) => run(String(i))));
    assert.equal(hasListingSnapshot(place, db), false);
  });
});
