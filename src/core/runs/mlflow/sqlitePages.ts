// A read-only reader of the SQLite file format (https://sqlite.org/fileformat2.html):
// pages are read where they lie, with positioned reads and a small cache, so a
// multi-gigabyte mlflow.db costs only the pages of the tables asked for. Committed frames
// of `-wal` overlay the main file as a reader would see them. Anything this reader does
// not know throws Unsupported, and the caller falls back to sql.js: never a wrong answer.
import { open, readFile, type FileHandle } from 'node:fs/promises';
import { cursor, decodeRecord, readVarint, readVarintBig, RecordView, varint, type SqlValue } from './sqliteRecord';
import type { PageTrace } from './sqlitePageTrace';
import { statOrUndefined, walIndex, type WalIndex } from './sqliteSnapshot';

export class Unsupported extends Error {}

const LEAF_TABLE = 13;
const INTERIOR_TABLE = 5;
const LEAF_INDEX = 10;
const INTERIOR_INDEX = 2;
const CACHE_PAGES = 4096;
const MAX_DEPTH = 40;
const GAP_PAGES = 16;
// Up to this size a prefetch reads the whole file (4 MiB: a cache of 4096 pages holds it).
const WHOLE_FILE_BYTES = 4 << 20;

export type RowVisitor = (rowid: number, record: SqlValue[]) => void;
/** Gets a view reused for every row: read what is needed from it before returning. */
export type RowViewVisitor = (rowid: number, record: RecordView) => void;

export class SqliteFile {
  private readonly cache = new Map<number, Uint8Array>();
  /** Reads under way, by page: a page's own read, or the one read of a run of pages. */
  private readonly inflight = new Map<number, Promise<unknown>>();
  /** Pages fetched from disk (not from the cache or the WAL), for tests and benchmarks. */
  pagesRead = 0;

  private constructor(
    private readonly fh: FileHandle,
    readonly pageSize: number,
    readonly usable: number,
    readonly pageCount: number,
    private readonly wal?: { bytes: Uint8Array; index: WalIndex },
  ) {}

  static async open(file: string): Promise<SqliteFile> {
    const fh = await open(file, 'r');
    try {
      const head = new Uint8Array(100);
      const { bytesRead } = await fh.read(head, 0, 100, 0);
      if (bytesRead < 100 || new TextDecoder().decode(head.subarray(0, 15)) !== 'SQLite format 3') throw new Unsupported(`${file} is not an SQLite 3 database`);
      const raw = (head[16] << 8) | head[17];
      const pageSize = raw === 1 ? 65536 : raw;
      const walStat = await statOrUndefined(`${file}-wal`);
      let wal: { bytes: Uint8Array; index: WalIndex } | undefined;
      if (walStat && walStat.size > 0) {
        const bytes = await readFile(`${file}-wal`);
        const index = walIndex(bytes);
        if (index) {
          if (index.pageSize !== pageSize) throw new Unsupported(`${file}-wal has another page size than ${file}`);
          wal = { bytes, index };
        }
      }
      const size = (await fh.stat()).size;
      const pageCount = wal ? wal.index.dbPages : Math.floor(size / pageSize);
      const probe = new SqliteFile(fh, pageSize, pageSize, pageCount, wal);
      const page1 = await probe.page(1);
      const reserved = page1[20];
      const encoding = new DataView(page1.buffer, page1.byteOffset).getUint32(56);
      if (encoding !== 1 && encoding !== 0) throw new Unsupported(`${file} uses a UTF-16 text encoding`);
      return new SqliteFile(fh, pageSize, pageSize - reserved, pageCount, wal);
    } catch (err) {
      await fh.close();
      throw err;
    }
  }

  close(): Promise<void> {
    return this.fh.close();
  }

  /** Page `n` (1-based) as the latest commit has it. */
  page(n: number): Promise<Uint8Array> {
    const cached = this.cache.get(n);
    if (cached) return Promise.resolve(cached);
    if (n < 1 || n > this.pageCount) return Promise.reject(new Unsupported(`page ${n} lies outside the database (${this.pageCount} pages)`));
    const walOff = this.wal?.index.pages.get(n);
    if (walOff !== undefined) return Promise.resolve(this.wal!.bytes.subarray(walOff, walOff + this.pageSize));
    const pending = this.inflight.get(n);
    // Once that read is done the page is cached, or (a short read) read again on its own.
    if (pending) return pending.then(() => this.page(n));
    const p = this.readPage(n).finally(() => this.inflight.delete(n));
    this.inflight.set(n, p);
    return p;
  }

  private async readPage(n: number): Promise<Uint8Array> {
    const buf = Buffer.allocUnsafe(this.pageSize);
    const { bytesRead } = await this.fh.read(buf, 0, this.pageSize, (n - 1) * this.pageSize);
    if (bytesRead < this.pageSize) throw new Unsupported(`page ${n} is cut short`);
    this.pagesRead++;
    this.remember(n, buf);
    return buf;
  }

  /**
   * Loads the b-tree pages under `roots` into the cache, level by level, runs of adjacent
   * pages in one read each: a listing then decodes from memory instead of waiting on
   * hundreds of small reads one after another. Stops when the cache would overflow.
   */
  async prefetch(roots: number[]): Promise<void> {
    // A small file in one read: fewer round trips than walking the trees level by level.
    if (this.pageCount * this.pageSize <= WHOLE_FILE_BYTES) return this.readWhole();
    // Each page enters a level once: a crafted tree whose pointers loop or fan in on one
    // page would otherwise grow the levels without bound. A bitset, as cheap as it gets.
    const seen = new Uint8Array(this.pageCount + 1);
    let level = roots.filter((n) => this.validPage(n) && !seen[n] && (seen[n] = 1));
    let budget = CACHE_PAGES / 2;
    while (level.length && budget > 0) {
      const wanted = level.filter((n) => !this.cache.has(n) && !this.inflight.has(n) && !this.wal?.index.pages.has(n)).sort((a, b) => a - b);
      budget -= wanted.length;
      if (budget < 0) return;
      // Tables filled side by side interleave their pages: reading across small gaps
      // costs less than one read per page.
      const runs: number[][] = [];
      for (const n of wanted) {
        const run = runs.at(-1);
        if (run && n - run[run.length - 1] <= GAP_PAGES && n - run[0] < 256) run.push(n);
        else runs.push([n]);
      }
      await Promise.all(runs.map((run) => this.readRun(run)));
      const next: number[] = [];
      for (const n of level) {
        const p = this.cache.get(n) ?? (await this.page(n));
        const h = n === 1 ? 100 : 0;
        if (p[h] !== INTERIOR_TABLE && p[h] !== INTERIOR_INDEX) continue;
        for (const c of cellOffsets(p, h, p[h])) this.enqueue(next, seen, u32(p, c));
        this.enqueue(next, seen, u32(p, h + 8));
      }
      level = next;
    }
  }

  private validPage(n: number): boolean {
    return n >= 1 && n <= this.pageCount;
  }

  /** Queues a child page for the next prefetch level, each page once; a bad pointer is left for the walk to report. */
  private enqueue(next: number[], seen: Uint8Array, n: number): void {
    if (!this.validPage(n) || seen[n]) return;
    seen[n] = 1;
    next.push(n);
  }

  /** A b-tree is at most as deep as the file has pages, and far less in practice. */
  private get maxDepth(): number {
    return Math.min(MAX_DEPTH, this.pageCount);
  }

  /** Marks page `n` as reached by this walk; a page reached twice means the tree loops or shares pages (a damaged or crafted file). */
  private visit(seen: Uint8Array, n: number): void {
    if (!this.validPage(n)) throw new Unsupported(`page ${n} lies outside the database (${this.pageCount} pages)`);
    if (seen[n]) throw new Unsupported(`page ${n} is reached twice in one b-tree (a damaged file?)`);
    seen[n] = 1;
  }

  /** Every page of the file in one read, but those the WAL holds a newer copy of. */
  private readWhole(): Promise<void> {
    const pages: number[] = [];
    for (let n = 1; n <= this.pageCount; n++) if (!this.cache.has(n) && !this.inflight.has(n) && !this.wal?.index.pages.has(n)) pages.push(n);
    return pages.length ? this.readRun(pages) : Promise.resolve();
  }

  /** Reads the span from the first to the last of `pages` at once, keeping just those pages. */
  private readRun(pages: number[]): Promise<void> {
    const first = pages[0];
    const span = pages[pages.length - 1] - first + 1;
    const buf = Buffer.allocUnsafe(span * this.pageSize);
    const done: Promise<void> = this.fh
      .read(buf, 0, buf.length, (first - 1) * this.pageSize)
      .then(({ bytesRead }) => {
        for (const n of pages) {
          const i = n - first;
          if ((i + 1) * this.pageSize > bytesRead) break;
          this.pagesRead++;
          this.remember(n, buf.subarray(i * this.pageSize, (i + 1) * this.pageSize));
        }
      })
      .finally(() => {
        for (const n of pages) if (this.inflight.get(n) === done) this.inflight.delete(n);
      });
    // A reader asking for one of these pages meanwhile waits for this read instead of its own.
    for (const n of pages) this.inflight.set(n, done);
    return done;
  }

  private remember(n: number, page: Uint8Array): void {
    if (this.cache.size >= CACHE_PAGES) this.cache.delete(this.cache.keys().next().value!);
    this.cache.set(n, page);
  }

  /** Every row of the table b-tree at `root`, in rowid order. */
  async scanTable(root: number, visit: RowVisitor, wanted?: boolean[]): Promise<void> {
    await this.walkTable(root, (rowid, record) => visit(rowid, record.values(wanted)), new RecordView(), 0, new Uint8Array(this.pageCount + 1));
  }

  /**
   * Every row of the table b-tree at `root`, in rowid order, as a view decoding on demand;
   * `trace` collects every page the scan reads (sqlitePageTrace.ts).
   */
  async scanRows(root: number, visit: RowViewVisitor, trace?: PageTrace): Promise<void> {
    await this.walkTable(root, visit, new RecordView(), 0, new Uint8Array(this.pageCount + 1), trace);
  }

  private async walkTable(n: number, visit: RowViewVisitor, view: RecordView, depth: number, seen: Uint8Array, trace?: PageTrace): Promise<void> {
    if (depth > this.maxDepth) throw new Unsupported('b-tree deeper than expected (a loop?)');
    this.visit(seen, n);
    const p = await this.page(n);
    trace?.add(n, p);
    const h = n === 1 ? 100 : 0;
    const type = p[h];
    if (type === LEAF_TABLE) {
      const maxLocal = this.maxLocal(true);
      // The rows in a synchronous loop; only a row that spills to overflow pages waits here.
      for (let k = visitLeaf(p, h, 0, maxLocal, visit, view); k >= 0; k = visitLeaf(p, h, k + 1, maxLocal, visit, view)) {
        const c = cellOffsets(p, h, type)[k];
        const [size, a] = readVarint(p, c);
        const [rowid, b] = readRowid(p, a);
        visit(rowid, view.load(await this.payload(p, b, size, maxLocal, trace), 0, size));
      }
    } else if (type === INTERIOR_TABLE) {
      const children = cellOffsets(p, h, type).map((c) => u32(p, c));
      children.push(u32(p, h + 8));
      for (const c of children) if (!this.validPage(c) || seen[c]) throw new Unsupported(`page ${n} points at page ${c}, outside the database or already read`);
      // Fetch the siblings together: the reads overlap instead of queueing one by one.
      await Promise.all(children.map((c) => this.page(c)));
      for (const c of children) await this.walkTable(c, visit, view, depth + 1, seen, trace);
    } else {
      throw new Unsupported(`page ${n} is not a table b-tree page (type ${type})`);
    }
  }

  /** The row with this rowid in the table b-tree at `root`, if any. */
  async tableRow(root: number, rowid: number): Promise<SqlValue[] | undefined> {
    let n = root;
    for (let depth = 0; depth <= this.maxDepth; depth++) {
      const p = await this.page(n);
      const h = n === 1 ? 100 : 0;
      const type = p[h];
      const cells = cellOffsets(p, h, type);
      if (type === LEAF_TABLE) {
        for (const c of cells) {
          const [size, a] = readVarint(p, c);
          const [id, b] = readRowid(p, a);
          if (id === rowid) return decodeRecord(await this.payload(p, b, size, this.maxLocal(true)));
        }
        return undefined;
      }
      if (type !== INTERIOR_TABLE) throw new Unsupported(`page ${n} is not a table b-tree page (type ${type})`);
      // The left child of the first cell whose key is >= rowid; else the right-most child.
      let lo = 0;
      let hi = cells.length;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if (readRowid(p, cells[mid] + 4)[0] < rowid) lo = mid + 1;
        else hi = mid;
      }
      n = lo < cells.length ? u32(p, cells[lo]) : u32(p, h + 8);
    }
    throw new Unsupported('b-tree deeper than expected (a loop?)');
  }

  /**
   * The entries of the index b-tree at `root` whose leading columns equal `prefix`, in
   * index order. Index entries end with the rowid of their table row.
   */
  async scanIndex(root: number, prefix: SqlValue[], visit: (entry: SqlValue[]) => void): Promise<void> {
    await this.walkIndex(root, prefix, visit, 0, new Uint8Array(this.pageCount + 1));
  }

  /** True once an entry past the prefix was seen (nothing further can match). */
  private async walkIndex(n: number, prefix: SqlValue[], visit: (entry: SqlValue[]) => void, depth: number, seen: Uint8Array): Promise<boolean> {
    if (depth > this.maxDepth) throw new Unsupported('b-tree deeper than expected (a loop?)');
    this.visit(seen, n);
    const p = await this.page(n);
    const h = n === 1 ? 100 : 0;
    const type = p[h];
    const cells = cellOffsets(p, h, type);
    const max = this.maxLocal(false);
    if (type === LEAF_INDEX) {
      for (const c of cells) {
        const [size, a] = readVarint(p, c);
        const entry = decodeRecord(await this.payload(p, a, size, max));
        const cmp = comparePrefix(entry, prefix);
        if (cmp > 0) return true;
        if (cmp === 0) visit(entry);
      }
      return false;
    }
    if (type !== INTERIOR_INDEX) throw new Unsupported(`page ${n} is not an index b-tree page (type ${type})`);
    for (const c of cells) {
      const [size, a] = readVarint(p, c + 4);
      const entry = decodeRecord(await this.payload(p, a, size, max));
      const cmp = comparePrefix(entry, prefix);
      if (cmp < 0) continue; // the whole left subtree sorts before this entry, so before the prefix
      if (await this.walkIndex(u32(p, c), prefix, visit, depth + 1, seen)) return true;
      if (cmp > 0) return true;
      visit(entry);
    }
    return this.walkIndex(u32(p, h + 8), prefix, visit, depth + 1, seen);
  }

  /** Most payload bytes a cell keeps on its own page (the rest spills to overflow pages). */
  private maxLocal(table: boolean): number {
    return table ? this.usable - 35 : Math.floor(((this.usable - 12) * 64) / 255) - 23;
  }

  /** A cell's whole payload starting at `off` on page `p`, joined with its overflow chain. */
  private async payload(p: Uint8Array, off: number, size: number, maxLocal: number, trace?: PageTrace): Promise<Uint8Array> {
    if (size <= maxLocal) {
      if (off + size > p.length) throw new Unsupported('cell runs past its page');
      return p.subarray(off, off + size);
    }
    // A crafted size must not allocate more than the whole file could hold.
    if (size > this.pageCount * this.pageSize) throw new Unsupported(`a cell of ${size} bytes is larger than the database`);
    const u = this.usable;
    const min = Math.floor(((u - 12) * 32) / 255) - 23;
    const k = min + ((size - min) % (u - 4));
    const local = k <= maxLocal ? k : min;
    const out = Buffer.allocUnsafe(size);
    out.set(p.subarray(off, off + local));
    let filled = local;
    let next = u32(p, off + local);
    for (let hops = 0; filled < size; hops++) {
      if (next === 0 || hops > this.pageCount) throw new Unsupported('overflow chain ends early');
      const o = await this.page(next);
      trace?.add(next, o);
      const take = Math.min(u - 4, size - filled);
      out.set(o.subarray(4, 4 + take), filled);
      filled += take;
      next = u32(o, 0);
    }
    return out;
  }
}

/**
 * Visits the rows of a table leaf page from cell `from` on, decoded in place, and stops at
 * the first whose payload spills to overflow pages: its index, or -1 when all were visited.
 * Kept apart from the async walk so that the loop every row goes through stays a small,
 * synchronous function, cheap to interpret and quick for the JIT to optimize.
 */
function visitLeaf(p: Uint8Array, h: number, from: number, maxLocal: number, visit: RowViewVisitor, view: RecordView): number {
  const count = (p[h + 3] << 8) | p[h + 4];
  if (h + 8 + 2 * count > p.length) throw new Unsupported(`a page claims ${count} cells, more than fit on it`);
  for (let k = from; k < count; k++) {
    const c = (p[h + 8 + 2 * k] << 8) | p[h + 9 + 2 * k];
    if (c + 2 > p.length) throw new Unsupported(`a cell pointer (${c}) lies outside its page`);
    // One-byte varints inline, longer ones without a tuple per row.
    let size = p[c];
    let a = c + 1;
    if (size > 0x7f) {
      size = varint(p, c);
      a = cursor.next;
    }
    if (size > maxLocal) return k;
    let rowid = p[a];
    let b = a + 1;
    if (rowid > 0x7f) {
      rowid = varint(p, a);
      b = cursor.next;
      if (rowid > Number.MAX_SAFE_INTEGER) [rowid, b] = readRowid(p, a);
    }
    if (!(b + size <= p.length)) throw new Unsupported('cell runs past its page'); // also NaN from a varint cut off by the page end
    visit(rowid, view.load(p, b, b + size));
  }
  return -1;
}

/** Rowids are signed 64-bit: negative ones are nine-byte varints, decoded exactly through bigint. */
function readRowid(p: Uint8Array, off: number): [number, number] {
  const r = readVarint(p, off);
  if (r[0] <= Number.MAX_SAFE_INTEGER) return r;
  const [big, next] = readVarintBig(p, off);
  return [Number(big), next];
}

function u32(p: Uint8Array, off: number): number {
  return ((p[off] << 24) | (p[off + 1] << 16) | (p[off + 2] << 8) | p[off + 3]) >>> 0;
}

/** Offsets of a b-tree page's cells, from the cell pointer array after the page header. */
function cellOffsets(p: Uint8Array, h: number, type: number): number[] {
  const count = (p[h + 3] << 8) | p[h + 4];
  const start = h + (type === INTERIOR_TABLE || type === INTERIOR_INDEX ? 12 : 8);
  // The pointer array and every cell must lie inside the page (a crafted count must not read past it).
  if (start + 2 * count > p.length) throw new Unsupported(`a page claims ${count} cells, more than fit on it`);
  const out = new Array<number>(count);
  for (let i = 0; i < count; i++) {
    const off = (p[start + 2 * i] << 8) | p[start + 2 * i + 1];
    if (off < start + 2 * count || off >= p.length) throw new Unsupported(`a cell pointer (${off}) lies outside its page`);
    out[i] = off;
  }
  return out;
}

/** SQLite's sort order with the BINARY collation: NULL < numbers < text < blob. */
export function compareValues(a: SqlValue, b: SqlValue): number {
  const ra = rank(a);
  const rb = rank(b);
  if (ra !== rb) return ra - rb;
  if (ra === 1) return (a as number) < (b as number) ? -1 : (a as number) > (b as number) ? 1 : 0;
  if (ra === 2) return a === b ? 0 : Buffer.compare(Buffer.from(a as string), Buffer.from(b as string));
  if (ra === 3) return Buffer.compare(a as Uint8Array, b as Uint8Array);
  return 0;
}

const rank = (v: SqlValue) => (v === null ? 0 : typeof v === 'number' || typeof v === 'bigint' ? 1 : typeof v === 'string' ? 2 : 3);

function comparePrefix(entry: SqlValue[], prefix: SqlValue[]): number {
  for (let i = 0; i < prefix.length; i++) {
    const c = compareValues(entry[i] ?? null, prefix[i]);
    if (c) return c;
  }
  return 0;
}
