// Crafted mlflow.db files, made from one the real MLflow wrote by patching b-tree pages:
// the page reader must give up with a warning (and fall back to sql.js) in bounded time
// and memory, never loop or abort the process.
import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { requirePeer } from '../harness';
import { mlflowWrite } from '../runs/mlflowReference';
import { lastJson, runBounded } from './boundedChild';

const child = path.join(__dirname, 'listMlflowDb.ts');
const INTERIOR_TABLE = 5;

/** Writes an interior table page: `children` as cells (key = index), `right` as its right-most pointer. */
function interiorPage(pageSize: number, children: number[], right: number): Buffer {
  const p = Buffer.alloc(pageSize);
  p[0] = INTERIOR_TABLE;
  p.writeUInt16BE(children.length, 3);
  let top = pageSize;
  children.forEach((c, i) => {
    top -= 5; // 4-byte child page + a one-byte varint key
    p.writeUInt32BE(c, top);
    p[top + 4] = i & 0x7f;
    p.writeUInt16BE(top, 12 + 2 * i);
  });
  p.writeUInt16BE(top, 5);
  p.writeUInt32BE(right, 8);
  return p;
}

describe('mlflow.db crafted b-trees (real MLflow file, patched pages) in a bounded child', function () {
  this.timeout(180000);
  let dir = '';
  let original: Buffer;
  let pageSize = 0;
  let runsRoot = 0;

  before(function () {
    const python = requirePeer(this, 'python'); // the peers venv's python, with mlflow
    dir = mkdtempSync(path.join(tmpdir(), 'mlops-crafteddb-'));
    const db = path.join(dir, 'mlflow.db');
    mlflowWrite(python, `sqlite:///${db}`, 3);
    // Ask SQLite itself where the runs table starts.
    runsRoot = Number(execFileSync(python, ['-c', 'import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute("select rootpage from sqlite_master where name=\'runs\'").fetchone()[0])', db], { encoding: 'utf8' }).trim());
    original = readFileSync(db);
    pageSize = original.readUInt16BE(16);
    assert.ok(runsRoot > 1 && pageSize >= 512);
  });
  after(() => dir && rmSync(dir, { recursive: true, force: true }));

  async function listCrafted(name: string, bytes: Buffer): Promise<{ runs?: number; error?: string; warnings: string[] }> {
    const file = path.join(dir, name);
    writeFileSync(file, bytes);
    const r = await runBounded(child, [file], { heapMb: 256, timeoutMs: 30000 });
    assert.equal(r.timedOut, false, `listing ${name} did not end within 30 s`);
    assert.equal(r.code, 0, `the child crashed (${r.signal ?? r.code}): ${r.stderr}`);
    return lastJson(r);
  }

  it('the unpatched copy lists its runs page by page, without a warning', async () => {
    const out = await listCrafted('plain.db', original);
    assert.deepEqual(out, { runs: 3, warnings: [] });
  });

  it('a page whose right-most child is itself: a warning and the sql.js fallback, not a loop', async () => {
    const bytes = Buffer.from(original);
    interiorPage(pageSize, [], runsRoot).copy(bytes, (runsRoot - 1) * pageSize);
    const out = await listCrafted('selfloop.db', bytes);
    assert.ok(out.warnings.some((w) => /sql\.js instead of page by page: .*page \d+/.test(w)), JSON.stringify(out));
  });

  it('levels of interior pages all pointing at one page (a fan-in of 500^4): a warning, not a fatal invalid size error', async () => {
    const pages = original.length / pageSize;
    const fan = 500;
    const depth = 4;
    // New pages past the end: interior level k at pages+1+k, then a copy of the runs leaf.
    const leaf = pages + depth + 1;
    const extra: Buffer[] = [];
    for (let k = 0; k < depth; k++) {
      const next = k + 1 < depth ? pages + 2 + k : leaf;
      extra.push(interiorPage(pageSize, new Array<number>(fan).fill(next), next));
    }
    extra.push(original.subarray((runsRoot - 1) * pageSize, runsRoot * pageSize));
    const bytes = Buffer.concat([original, ...extra]);
    interiorPage(pageSize, new Array<number>(fan).fill(pages + 1), pages + 1).copy(bytes, (runsRoot - 1) * pageSize);
    bytes.writeUInt32BE(leaf, 28); // the header's page count
    const out = await listCrafted('fanin.db', bytes);
    assert.ok(out.warnings.some((w) => /sql\.js instead of page by page: .*(twice|already read)/.test(w)), JSON.stringify(out));
  });

  it('a child pointer past the end of the file and a cell count larger than the page: warnings, not reads out of bounds', async () => {
    const past = Buffer.from(original);
    interiorPage(pageSize, [999999], 999998).copy(past, (runsRoot - 1) * pageSize);
    const a = await listCrafted('pastend.db', past);
    assert.ok(a.warnings.some((w) => /sql\.js instead of page by page: .*outside the database/.test(w)), JSON.stringify(a));
    const counted = Buffer.from(original);
    counted.writeUInt16BE(0xffff, (runsRoot - 1) * pageSize + 3);
    const b = await listCrafted('count.db', counted);
    assert.ok(b.warnings.some((w) => /sql\.js instead of page by page: .*cells, more than fit/.test(w)), JSON.stringify(b));
  });
});
