// DVC's md5 rules, so stage status needs no DVC process:
// - a file: md5 of its bytes (DVC 3, `hash: md5`);
// - a directory: md5 of the JSON list [{"md5": ..., "relpath": ...}, ...] of its files,
//   sorted by relpath, in Python's json.dumps spacing, plus the suffix ".dir".
import { createHash } from 'node:crypto';
import { readdir, stat } from 'node:fs/promises';
import * as path from 'node:path';
import { pushAll } from '../../common/arrays';
import { openRegularFile } from '../../common/boundedRead';

export interface HashResult {
  md5: string;
  size: number;
  nfiles?: number;
}

/** Remembers file hashes by path, size, mtime and inode, as DVC's state db does. */
export class HashCache {
  private readonly files = new Map<string, { key: string; md5: string }>();

  async file(absPath: string): Promise<HashResult> {
    const st = await stat(absPath);
    const key = `${st.size}:${st.mtimeMs}:${st.ino}`;
    const hit = this.files.get(absPath);
    if (hit?.key === key) return { md5: hit.md5, size: st.size };
    const md5 = await md5OfFile(absPath);
    this.files.set(absPath, { key, md5 });
    return { md5, size: st.size };
  }

  async dir(absPath: string): Promise<HashResult> {
    const entries: { md5: string; relpath: string; size: number }[] = [];
    for (const rel of await listFiles(absPath)) {
      const h = await this.file(path.join(absPath, rel));
      entries.push({ md5: h.md5, relpath: rel, size: h.size });
    }
    entries.sort((a, b) => (a.relpath < b.relpath ? -1 : a.relpath > b.relpath ? 1 : 0));
    const manifest = '[' + entries.map((e) => `{"md5": ${JSON.stringify(e.md5)}, "relpath": ${pyJsonString(e.relpath)}}`).join(', ') + ']';
    return {
      md5: createHash('md5').update(manifest, 'utf8').digest('hex') + '.dir',
      size: entries.reduce((s, e) => s + e.size, 0),
      nfiles: entries.length,
    };
  }

  /** Hash of a file or directory; undefined when the path does not exist. */
  async any(absPath: string): Promise<HashResult | undefined> {
    const st = await stat(absPath).catch(() => undefined);
    if (!st) return undefined;
    return st.isDirectory() ? this.dir(absPath) : this.file(absPath);
  }
}

/**
 * Streamed, so data files of any size hash in bounded memory; regular files only: a dep
 * that is a committed symlink to /dev/urandom would stream forever and a FIFO would block.
 */
async function md5OfFile(absPath: string): Promise<string> {
  const { fh } = await openRegularFile(absPath);
  return new Promise((resolve, reject) => {
    const h = createHash('md5');
    fh.createReadStream()
      .on('data', (chunk) => h.update(chunk))
      .on('error', reject)
      .on('end', () => resolve(h.digest('hex')));
  });
}

/** Files below `dir` as posix relative paths (DVC's relpath form). */
async function listFiles(dir: string, prefix = ''): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const rel = prefix ? `${prefix}/${entry.name}` : entry.name;
    if (entry.isDirectory()) pushAll(out, await listFiles(path.join(dir, entry.name), rel));
    else if (entry.isFile()) out.push(rel);
  }
  return out;
}

/** json.dumps escapes every non-ASCII character (ensure_ascii); JSON.stringify does not. */
function pyJsonString(s: string): string {
  return JSON.stringify(s).replace(/[\u007f-\uffff]/g, (c) => '\\u' + c.charCodeAt(0).toString(16).padStart(4, '0'));
}
