// "Cache it first": puts the workspace copy of an artifact into the DVC cache (DVC 3
// layout) before a checkout replaces it, so the copy stays recoverable by its hash.
// The .dvc file / dvc.lock is left alone; only cache objects are added.
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { copyFile, mkdir, readdir, rename, stat, writeFile } from 'node:fs/promises';
import * as path from 'node:path';
import { HashCache } from '../pipelines/status/dvcHash';
import { objectPath } from './cacheLayout';
import { pushAll } from '../common/arrays';

async function storeFile(cacheDir: string, abs: string, md5: string): Promise<void> {
  const dest = objectPath(cacheDir, md5);
  if (existsSync(dest)) return;
  await mkdir(path.dirname(dest), { recursive: true });
  // Copy to a temporary name first so an interrupted copy never leaves a bad object.
  const tmp = `${dest}.${process.pid}.tmp`;
  await copyFile(abs, tmp);
  await rename(tmp, dest);
}

// listFiles and pyJson repeat dvcHash.ts's private helpers of the same names (duplicates
// lists the pair): the manifest is rebuilt here because the cache needs its exact bytes,
// and HashCache.dir returns only its hash. The merge is for HashCache.dir to return the
// manifest too; it waits for the rewrite of pipelines/status/ under way (Dec 2026).
async function listFiles(dir: string, prefix = ''): Promise<string[]> {
  const out: string[] = [];
  for (const e of await readdir(dir, { withFileTypes: true })) {
    const rel = prefix ? `${prefix}/${e.name}` : e.name;
    if (e.isDirectory()) pushAll(out, await listFiles(path.join(dir, e.name), rel));
    else if (e.isFile()) out.push(rel);
  }
  return out;
}

/** json.dumps with ensure_ascii, as DVC writes manifests. */
const pyJson = (s: string) => JSON.stringify(s).replace(/[\u007f-\uffff]/g, (c) => '\\u' + c.charCodeAt(0).toString(16).padStart(4, '0'));

/** Caches the file or directory at `abs`; returns its DVC hash. */
export async function cacheWorkspaceCopy(cacheDir: string, abs: string, hashes: HashCache = new HashCache()): Promise<string> {
  const st = await stat(abs);
  if (!st.isDirectory()) {
    const { md5 } = await hashes.file(abs);
    await storeFile(cacheDir, abs, md5);
    return md5;
  }
  const entries: { md5: string; relpath: string }[] = [];
  for (const rel of await listFiles(abs)) {
    const { md5 } = await hashes.file(path.join(abs, rel));
    await storeFile(cacheDir, path.join(abs, rel), md5);
    entries.push({ md5, relpath: rel });
  }
  entries.sort((a, b) => (a.relpath < b.relpath ? -1 : a.relpath > b.relpath ? 1 : 0));
  const manifest = '[' + entries.map((e) => `{"md5": ${JSON.stringify(e.md5)}, "relpath": ${pyJson(e.relpath)}}`).join(', ') + ']';
  const md5 = createHash('md5').update(manifest, 'utf8').digest('hex') + '.dir';
  // The same hash DVC (and the pipeline status) compute for this directory, or we stop.
  const expected = (await hashes.dir(abs)).md5;
  if (md5 !== expected) throw new Error(`the manifest hash of ${abs} (${md5}) differs from DVC's rule (${expected}); not caching it`);
  const dest = objectPath(cacheDir, md5);
  if (!existsSync(dest)) {
    await mkdir(path.dirname(dest), { recursive: true });
    await writeFile(dest, manifest);
  }
  return md5;
}
