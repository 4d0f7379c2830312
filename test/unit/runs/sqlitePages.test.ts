import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { SqliteFile } from '../../../src/core/runs/mlflow/sqlitePages';
import { decodeRecord, readVarint, RecordView, type SqlValue } from '../../../src/core/runs/mlflow/sqliteRecord';
import { columnReader, parseCreateTable, readSchema } from '../../../src/core/runs/mlflow/sqliteSchema';

describe('SQLite record format', () => {
  it('decodes varints of one, two and nine bytes', () => {
    assert.deepEqual(readVarint(Uint8Array.of(0x7f), 0), [127, 1]);
    assert.deepEqual(readVarint(Uint8Array.of(0x81, 0x00), 0), [128, 2]);
    assert.deepEqual(readVarint(Uint8Array.of(0x82, 0x81, 0x7f), 0), [2 * 16384 + 128 + 127, 3]);
    assert.deepEqual(readVarint(Uint8Array.of(0x81, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x00), 0), [2 ** 57, 9]);
    assert.deepEqual(readVarint(Uint8Array.of(0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x81, 0x01), 0), [257, 9]);
  });

  it('decodes every serial type: NULL, signed integers of each width, floats, constants, text and blobs', () => {
    const body = [
      [0], // NULL
      [1, 0xff], // -1
      [2, 0x80, 0x00], // -32768
      [3, 0xff, 0xff, 0xfe], // -2
      [4, 0x7f, 0xff, 0xff, 0xff], // 2^31 - 1
      [5, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff], // -1
      [6, 0x80, 0, 0, 0, 0, 0, 0, 0], // -2^63
      [6, 0, 0, 0, 0, 0, 0, 1, 0], // 256
      [7, ...new Uint8Array(new Float64Array([-2.5]).buffer).reverse()],
      [8],
      [9],
      [13 + 2 * 3, ...Buffer.from('aé')], // text of 3 UTF-8 bytes
      [12 + 2 * 3, 1, 2, 3], // blob of 3 bytes
    ];
    const types = body.map((b) => b[0]);
    const header = [types.length + 1, ...types];
    const rec = Uint8Array.from([...header, ...body.flatMap((b) => b.slice(1))]);
    const v = decodeRecord(rec);
    assert.deepEqual(v.slice(0, 8), [null, -1, -32768, -2, 2 ** 31 - 1, -1, -(2n ** 63n), 256]);
    assert.equal(v[8], -2.5);
    assert.deepEqual(v.slice(9, 12), [0, 1, 'aé']);
    assert.deepEqual([...(v[12] as Uint8Array)], [1, 2, 3]);
  });

  it('reads each column of a RecordView in place as decodeRecord decodes it, and columns past its end as NULL', () => {
    const body = [[0], [1, 0xff], [5, 0xff, 0xff, 0xff, 0xff, 0xff, 0xfe], [6, 0, 0, 1, 0, 0, 0, 0, 0], [7, ...new Uint8Array(new Float64Array([-2.5]).buffer).reverse()], [7, 0, 0, 0, 0, 0, 0, 0, 0], [8], [9], [13 + 2 * 3, ...Buffer.from('aé')], [13], [12 + 2 * 3, 1, 2, 3], [12]];
    const header = [body.length + 1, ...body.map((b) => b[0])];
    const bytes = [...header, ...body.flatMap((b) => b.slice(1))];
    // In front of the record, so offsets into the page are exercised; a Buffer and a plain array both.
    for (const page of [Buffer.from([9, 9, ...bytes, 9]), Uint8Array.from([9, 9, ...bytes, 9])]) {
      const want = decodeRecord(page, 2, 2 + bytes.length);
      const view = new RecordView().load(page, 2, 2 + bytes.length);
      assert.equal(view.count, body.length);
      for (let i = 0; i < body.length + 2; i++) {
        const v = i < body.length ? want[i] : null;
        assert.deepEqual(view.value(i), v, `value ${i}`);
        assert.equal(view.isNull(i), v === null, `isNull ${i}`);
        assert.equal(view.truthy(i), !!v, `truthy ${i}`);
        assert.equal(view.text(i), String(v), `text ${i}`);
        if (!(v instanceof Uint8Array) && typeof v !== 'string') assert.ok(Object.is(view.number(i), Number(v)), `number ${i}`);
      }
      assert.equal(view.textStart(8), page.indexOf(0x61, 2 + header.length));
      assert.equal(view.textLength(8), 3);
      assert.equal(view.textStart(10), -1, 'a blob is no text');
      assert.ok(view.sameText(8, Buffer.from('xaé'), 1, 3));
      assert.ok(!view.sameText(8, Buffer.from('aè'), 0, 3));
      assert.ok(!view.sameText(9, Buffer.from('a'), 0, 1));
      assert.throws(() => new RecordView().load(page, 2, 2 + bytes.length - 1), /runs past/);
    }
  });

  it('maps columns by the CREATE TABLE text, quoted names and rowid aliases included', () => {
    const t = parseCreateTable(`CREATE TABLE "experiments" (\n\texperiment_id INTEGER NOT NULL, \n\t"name" VARCHAR(256) NOT NULL, \n\t[weird name] TEXT DEFAULT 'x', \n\tCONSTRAINT experiment_pk PRIMARY KEY (experiment_id), CHECK (a IN ('b', 'c'))\n)`);
    assert.deepEqual(t.columns, ['experiment_id', 'name', 'weird name']);
    assert.equal(t.rowidAlias, 0);
    assert.deepEqual(t.hasDefault, [false, false, true]);
    assert.equal(parseCreateTable('CREATE TABLE m (key VARCHAR(250), run_uuid VARCHAR(32), PRIMARY KEY (key, run_uuid))').rowidAlias, -1);
    assert.equal(parseCreateTable('CREATE TABLE m (id INTEGER PRIMARY KEY DESC, v)').rowidAlias, -1);
  });
});

const venvPython = path.join(__dirname, '..', '..', '..', '.venv-peers', 'bin', 'python');
const python = existsSync(venvPython) ? venvPython : 'python3';

// Writes the databases and prints what SQLite itself reads from them, values tagged so
// that integers stay exact: ["i", "123"], ["f", 1.5], ["t", "..."], ["b", "hex"], null.
const GENERATE = String.raw`
import json, os, random, shutil, sqlite3, sys
d = sys.argv[1]
def tag(v):
    if v is None: return None
    if isinstance(v, bool) or isinstance(v, int): return ['i', str(int(v))]
    if isinstance(v, float): return ['f', v]
    if isinstance(v, str): return ['t', v]
    return ['b', bytes(v).hex()]
rnd = random.Random(7)
out = {}

con = sqlite3.connect(os.path.join(d, 'plain.db'))
con.execute('PRAGMA page_size=1024')
con.execute('CREATE TABLE t (id INTEGER PRIMARY KEY, a TEXT, b REAL, c INTEGER, d BLOB)')
ints = [0, 1, -1, 127, -128, 32767, -32769, 8388607, -8388609, 2**31, -2**40, 2**47, 2**62, -2**63, 2**63 - 1]
floats = [0.0, -0.0, 2.0, -2.5, 1e300, -1e-300, 0.1, 3.0e15]
for i in range(3000):
    a = None if i % 7 == 0 else ('long é✓😀 ' * (2000 + i) if i % 500 == 3 else f'row {i} ' + 'x' * (i % 50))
    con.execute('INSERT INTO t VALUES (?,?,?,?,?)', (i * 3 - 4000, a, floats[i % len(floats)] if i % 11 else None, ints[i % len(ints)], bytes(range(i % 256)) if i % 13 == 0 else None))
con.execute('CREATE TABLE k (g TEXT, k TEXT, v INTEGER)')
con.execute('CREATE INDEX ix_k ON k (g, k)')
for i in range(6000):
    con.execute('INSERT INTO k VALUES (?,?,?)', (f'group-{rnd.randrange(60):03d}' + 'y' * 300 * (i % 97 == 0), f'key{rnd.randrange(5)}', i))
con.commit()
out['t'] = [[r[0]] + [tag(v) for v in r[1:]] for r in con.execute('SELECT rowid, * FROM t ORDER BY rowid')]
g = con.execute('SELECT g FROM k WHERE rowid = 5').fetchone()[0]
out['probe'] = [g, 'key2']
out['index'] = [r[0] for r in con.execute('SELECT rowid FROM k WHERE g = ? AND k = ? ORDER BY g, k, rowid', (g, 'key2'))]
out['group'] = [r[0] for r in con.execute('SELECT rowid FROM k WHERE g = ? ORDER BY g, k, rowid', (g,))]
con.close()

w = os.path.join(d, 'wal.db')
con = sqlite3.connect(w, isolation_level=None)
con.execute('PRAGMA page_size=1024')
con.execute('PRAGMA journal_mode=WAL')
con.execute('PRAGMA wal_autocheckpoint=0')
con.execute('CREATE TABLE w (id INTEGER PRIMARY KEY, v TEXT)')
con.execute('BEGIN')
for i in range(300): con.execute('INSERT INTO w VALUES (?, ?)', (i, f'first {i}'))
con.execute('COMMIT')
# The first rows into the main file: its pages then hold older copies of what the WAL holds.
con.execute('PRAGMA wal_checkpoint(TRUNCATE)')
con.execute('BEGIN')
con.execute("UPDATE w SET v = 'second ' || id WHERE id % 3 = 0")
con.execute('DELETE FROM w WHERE id % 10 = 1')
con.execute('COMMIT')
out['wal'] = [[r[0], tag(r[1])] for r in con.execute('SELECT id, v FROM w ORDER BY id')]
# An open transaction big enough to spill uncommitted frames into the WAL.
con.execute('PRAGMA cache_size=2')
con.execute('BEGIN')
con.execute("UPDATE w SET v = 'uncommitted'")
for i in range(300, 3000): con.execute('INSERT INTO w VALUES (?, ?)', (i, 'u' * 500))
out['walSizeBefore'] = os.path.getsize(w + '-wal')
shutil.copy(w, os.path.join(d, 'snap.db'))
shutil.copy(w + '-wal', os.path.join(d, 'snap.db-wal'))
con.execute('ROLLBACK')
con.close()
print(json.dumps(out))
`;

type Tagged = null | [string, unknown];
function same(ours: SqlValue, tagged: Tagged): boolean {
  if (tagged === null) return ours === null;
  const [kind, v] = tagged;
  if (kind === 'i') return (typeof ours === 'number' || typeof ours === 'bigint') && String(ours) === v;
  if (kind === 'f') return typeof ours === 'number' && Object.is(ours === 0 && v === 0 ? 0 : ours, v === 0 ? 0 : v);
  if (kind === 't') return ours === v;
  return ours instanceof Uint8Array && Buffer.from(ours).toString('hex') === v;
}

describe('SqliteFile page reader on databases written by SQLite', function () {
  this.timeout(120000);
  let dir = '';
  let expected: { t: [number, ...Tagged[]][]; probe: [string, string]; index: number[]; group: number[]; wal: [number, Tagged][]; walSizeBefore: number };

  before(function () {
    try {
      execFileSync(python, ['-c', 'import sqlite3']);
    } catch {
      this.skip();
    }
    dir = mkdtempSync(path.join(tmpdir(), 'mlops-sqlitepages-'));
    expected = JSON.parse(execFileSync(python, ['-c', GENERATE, dir], { encoding: 'utf8', maxBuffer: 1 << 28 }));
  });
  after(() => dir && rmSync(dir, { recursive: true, force: true }));

  it('reads every row the way SQLite does: interior pages, overflow chains, NULLs, negative ints, floats, blobs', async () => {
    const db = await SqliteFile.open(path.join(dir, 'plain.db'));
    try {
      const schema = await readSchema(db);
      const t = schema.table('t')!;
      const read = columnReader(t, ['id', 'a', 'b', 'c', 'd']);
      const rows: [number, SqlValue[]][] = [];
      await db.scanTable(t.root, (rowid, record) => rows.push([rowid, read(rowid, record)]));
      assert.equal(rows.length, expected.t.length);
      assert.ok(rows.some(([, r]) => typeof r[1] === 'string' && r[1].length > 4000), 'some text spilled onto overflow pages');
      for (let i = 0; i < rows.length; i++) {
        const [rowid, values] = rows[i];
        const [wantRowid, ...want] = expected.t[i];
        assert.equal(rowid, wantRowid);
        want.forEach((w, c) => assert.ok(same(values[c], w), `row ${rowid} column ${c}: ${String(values[c]).slice(0, 40)} vs ${JSON.stringify(w).slice(0, 40)}`));
      }
      // The same rows through views read in place, overflow rows included.
      let k = 0;
      await db.scanRows(t.root, (rowid, view) => {
        const [wantRowid, ...want] = expected.t[k++];
        assert.equal(rowid, wantRowid);
        // Column 0 is the rowid alias, stored as NULL.
        assert.ok(view.isNull(0) && same(rowid, want[0]));
        want.slice(1).forEach((w, c) => assert.ok(same(view.value(c + 1), w), `view of row ${rowid} column ${c + 1}`));
        if (want[1]?.[0] === 't') assert.equal(view.text(1), want[1][1]);
      });
      assert.equal(k, expected.t.length);
      const row = await db.tableRow(t.root, expected.t[1503][0]);
      assert.ok(row && same(columnReader(t, ['a'])(expected.t[1503][0], row)[0], expected.t[1503][2]));
      assert.equal(await db.tableRow(t.root, 1), undefined, 'no row has rowid 1');
    } finally {
      await db.close();
    }
  });

  it('seeks an index by a prefix of its columns and touches only a few pages', async () => {
    const db = await SqliteFile.open(path.join(dir, 'plain.db'));
    try {
      const schema = await readSchema(db);
      const index = schema.indexes.find((i) => i.name === 'ix_k')!;
      assert.deepEqual(index.columns, ['g', 'k']);
      const before = db.pagesRead;
      const hits: number[] = [];
      await db.scanIndex(index.root, expected.probe, (entry) => hits.push(Number(entry.at(-1))));
      assert.deepEqual(hits, expected.index);
      assert.ok(db.pagesRead - before < 20, `read ${db.pagesRead - before} pages for a seek`);
      const group: number[] = [];
      await db.scanIndex(index.root, [expected.probe[0]], (entry) => group.push(Number(entry.at(-1))));
      assert.deepEqual(group, expected.group);
      const none: number[] = [];
      await db.scanIndex(index.root, ['group-zzz'], (entry) => none.push(Number(entry.at(-1))));
      assert.deepEqual(none, []);
    } finally {
      await db.close();
    }
  });

  it('overlays the last committed WAL frames and ignores uncommitted ones', async () => {
    const snap = path.join(dir, 'snap.db');
    assert.ok(statSync(`${snap}-wal`).size > expected.walSizeBefore - 1 && statSync(`${snap}-wal`).size > 100 * 1024, 'uncommitted frames spilled into the WAL');
    // Page by page, then after a prefetch, which reads a file this small whole and must
    // still take the pages the WAL holds from the WAL.
    assert.ok(statSync(snap).size <= 4 << 20, 'the file is small enough to be read whole');
    for (const prefetch of [false, true]) {
      const db = await SqliteFile.open(snap);
      try {
        const t = (await readSchema(db)).table('w')!;
        if (prefetch) {
          await db.prefetch([t.root]);
          const read = db.pagesRead;
          await db.scanTable(t.root, () => undefined);
          assert.equal(db.pagesRead, read, 'the scan after a whole-file prefetch reads nothing more');
        }
        const rows: [number, SqlValue][] = [];
        await db.scanTable(t.root, (rowid, record) => rows.push([rowid, columnReader(t, ['v'])(rowid, record)[0]]));
        assert.equal(rows.length, expected.wal.length);
        rows.forEach(([id, v], i) => {
          assert.equal(id, expected.wal[i][0]);
          assert.ok(same(v, expected.wal[i][1]), `row ${id}: ${String(v)}`);
        });
      } finally {
        await db.close();
      }
    }
  });
});
