// The pages one table scan read, kept byte for byte: a later listing that finds every one
// of them the same reuses what that scan decoded instead of decoding the table again. A
// scan's result depends only on the bytes of the pages it visits (its b-tree's interior
// and leaf pages and the overflow pages of its rows, each reached from the one before), so
// equal bytes at the same page numbers mean the same rows: exact, with no hash to collide.
// A commit of one run's metric rewrites a page or two of latest_metrics; the params, tags
// and runs tables of a thousand runs then cost a compare (memcmp speed) instead of a decode.
import type { SqliteFile } from './sqlitePages';

/** Collects the pages a scan reads, in the order it reads them. */
export class PageTrace {
  readonly numbers: number[] = [];
  readonly pages: Uint8Array[] = [];
  bytes = 0;

  add(n: number, page: Uint8Array): void {
    this.numbers.push(n);
    this.pages.push(page);
    this.bytes += page.length;
  }

  /** A copy of the pages (the cache's pages are views of larger reads, which a copy lets go). */
  freeze(): TracedPages {
    const bytes = Buffer.allocUnsafe(this.bytes);
    const ends = new Int32Array(this.pages.length);
    let at = 0;
    for (let i = 0; i < this.pages.length; i++) {
      bytes.set(this.pages[i], at);
      at += this.pages[i].length;
      ends[i] = at;
    }
    return { numbers: Int32Array.from(this.numbers), ends, bytes };
  }
}

export interface TracedPages {
  numbers: Int32Array;
  /** Where each page's bytes end in `bytes`. */
  ends: Int32Array;
  bytes: Buffer;
}

/** Whether `db` holds every traced page with the same bytes (a page it cannot give counts as changed). */
export async function samePages(db: SqliteFile, traced: TracedPages): Promise<boolean> {
  let start = 0;
  for (let i = 0; i < traced.numbers.length; i++) {
    const end = traced.ends[i];
    let page: Uint8Array;
    try {
      page = await db.page(traced.numbers[i]);
    } catch {
      return false;
    }
    if (page.length !== end - start || Buffer.compare(page, traced.bytes.subarray(start, end)) !== 0) return false;
    start = end;
  }
  return true;
}
