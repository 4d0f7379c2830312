// The listing saved between windows (sqliteListingSnapshot.ts) is answered only under the
// exact change stamp and reader it was saved with; a damaged, foreign or oversized file is
// never answered. (The round trip through the real worker and MLflow's writes is in
// test/integration/runs/isolatedRunSource.test.ts.)
import { strict as assert } from 'node:assert';
import { mkdtempSync, readdirSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { sqliteChangeStamp } from '../../../src/core/runs/mlflow/sqliteChangeStamp';
import { hasListingSnapshot, loadListingSnapshot, SavedListingGate, saveListingSnapshot, type SnapshotPlace } from '../../../src/core/runs/mlflow/sqliteListingSnapshot';
import type { RunSummary } from '../../../src/core/runs/types';
import type { RegisteredModel } from '../../../src/core/models/types';

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

const model = (name: string, versions: number): RegisteredModel => ({
  name,
  description: '',
  created: 1,
  updated: 2,
  tags: { team: 'vision' },
  aliases: { champion: String(versions) },
  versions: Array.from({ length: versions }, (_, i) => ({
    name,
    version: String(versions - i),
    aliases: i === 0 ? ['champion'] : [],
    stage: 'None',
    tags: {},
    status: 'READY',
    description: '',
    source: `models:/m-${i}`,
    runId: `r${i}`,
  })),
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

  describe('SavedListingGate: what a view answers before its worker starts', () => {
    const commit = (counter: number) => {
      const bytes = Buffer.concat([Buffer.from('SQLite format 3\0'), Buffer.alloc(4080)]);
      bytes[27] = counter;
      writeFileSync(db, bytes);
    };

    it('answers the saved listing, loaded and transformed once, while the stamp holds; after a change, never again', async () => {
      await save([run('a')]);
      let transforms = 0;
      const gate = new SavedListingGate(place, db, 'runs', (l) => (transforms++, { ...l, runs: [...l.runs, run('t')] }));
      const first = await gate.answer();
      assert.deepStrictEqual(first?.runs, [run('a'), run('t')]);
      assert.equal(await gate.answer(), first, 'the same listing, not loaded again');
      assert.equal(transforms, 1);
      commit(3);
      assert.equal(await gate.answer(), undefined, 'the file changed: the worker reads it');
      // Even a listing saved for the new stamp is not taken up: the worker answers for good.
      await save([run('b')]);
      assert.ok(await loadListingSnapshot(place, db));
      assert.equal(await gate.answer(), undefined);
    });

    it('answers nothing without a saved listing, or with one saved under another stamp, and does not look again', async () => {
      const none = new SavedListingGate(place, db, 'runs');
      assert.equal(await none.answer(), undefined);
      await save([run('a')]);
      assert.equal(await none.answer(), undefined, 'a listing saved after the first look is not taken up');
      await save([run('a')], 'not-the-stamp');
      assert.equal(await new SavedListingGate(place, db, 'runs').answer(), undefined);
    });

    it('each kind answers its own listing', async () => {
      await save([run('a')]);
      assert.equal(await new SavedListingGate(place, db, 'models').answer(), undefined);
      assert.deepStrictEqual((await new SavedListingGate(place, db, 'runs').answer())?.runs, [run('a')]);
    });
  });

  describe('the Models view\'s registry of the same file (kind "models")', () => {
    const models = [model('a', 3), model('b', 1)];
    const saveModels = (stamp = sqliteChangeStamp(db)!) => saveListingSnapshot(place, db, { stamp, listing: { models, loggedModels: [] } }, 'models');

    it('runs and models of one mlflow.db are saved apart: each answers its own listing', async () => {
      await save([run('a')]);
      assert.equal(hasListingSnapshot(place, db, 'models'), false, 'a runs listing is not a models one');
      assert.equal(await loadListingSnapshot(place, db, 'models'), undefined);
      await saveModels();
      const runs = await loadListingSnapshot(place, db);
      assert.ok(runs, 'saving the registry left the runs listing in place');
      assert.deepStrictEqual(runs.listing.runs, [run('a')]);
      const got = await loadListingSnapshot(place, db, 'models');
      assert.ok(got);
      assert.deepStrictEqual(got.listing, { models, loggedModels: [] });
      // A file of one kind put where the other's belongs is not taken for it (the kind is in the key too).
      const dirOf = (k: string) => path.join(place.dir, k);
      const [f] = readdirSync(dirOf('mlflow-registries'));
      writeFileSync(path.join(dirOf('mlflow-listings'), f), readFileSync(path.join(dirOf('mlflow-registries'), f)));
      assert.equal(await loadListingSnapshot(place, db), undefined);
    });

    it('is not answered once the stamp changed (a commit), nor by another reader build', async () => {
      await saveModels();
      assert.ok(await loadListingSnapshot(place, db, 'models'));
      assert.equal(await loadListingSnapshot({ ...place, reader: 'r2' }, db, 'models'), undefined);
      const bytes = Buffer.concat([Buffer.from('SQLite format 3\0'), Buffer.alloc(4080)]);
      bytes[27] = 7; // the change counter moves
      writeFileSync(db, bytes);
      assert.equal(await loadListingSnapshot(place, db, 'models'), undefined);
      // Saved under a stamp the file never had: never answered.
      await saveModels('not-the-stamp');
      assert.equal(await loadListingSnapshot(place, db, 'models'), undefined);
    });

    it('a registry too large to keep removes the older one', async () => {
      await saveModels();
      await saveListingSnapshot(place, db, { stamp: sqliteChangeStamp(db)!, listing: { models: Array.from({ length: 4001 }, (_, i) => model(`m${i}`, 24)), loggedModels: [] } }, 'models');
      assert.equal(hasListingSnapshot(place, db, 'models'), false);
    });
  });
});
