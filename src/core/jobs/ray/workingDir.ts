// The project as Ray's `working_dir`: the files git would keep (tracked, plus untracked ones
// .gitignore does not exclude), less what .dvcignore excludes, zipped, and named by content
// the way Ray names its own packages (`_ray_pkg_<hash>.zip`, the hash of
// ray._private.runtime_env.packaging._hash_directory over the same files), so an unchanged
// project has the same name and the dashboard already holds it: nothing is uploaded again.
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { lstat, readFile, readdir, stat } from 'node:fs/promises';
import * as path from 'node:path';
import { ActionableError } from '../../common/errors';
import { writeZip, ZIP_MAX_ENTRIES, type ZipEntry } from './zipWriter';

/** Ray refuses packages over its gRPC message size (512 MiB); stay under it. */
export const PACKAGE_MAX_BYTES = 500 * 1024 * 1024;
export const PACKAGE_MAX_FILES = ZIP_MAX_ENTRIES;
/** Never shipped, whatever the ignore files say: git's own folder and local virtual envs. */
const ALWAYS_SKIPPED = /^(\.git|\.venv[^/]*|node_modules|__pycache__)(\/|$)|\/(\.git|__pycache__)(\/|$)/;

export interface ProjectPackage {
  /** `_ray_pkg_<16 hex>.zip` */
  name: string;
  /** `gcs://_ray_pkg_….zip`, the runtime_env's working_dir. */
  uri: string;
  files: string[];
  /** Uncompressed bytes of the files. */
  bytes: number;
  /** The archive, made on demand: not at all when the dashboard already holds the package. */
  zip(): Buffer;
  /** Where the file list came from. */
  listedBy: 'git' | 'walk';
}

function git(cwd: string, args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile('git', args, { cwd, maxBuffer: 256 * 1024 * 1024, encoding: 'utf8' }, (err, stdout) => (err ? reject(err) : resolve(stdout)));
  });
}

/** The project's files by git (relative, `/`-separated, sorted); undefined when it is not a git work tree. */
async function gitFiles(root: string): Promise<string[] | undefined> {
  const top = await git(root, ['rev-parse', '--show-prefix']).catch(() => undefined);
  if (top === undefined) return undefined;
  const dvcignore = path.join(root, '.dvcignore');
  const hasDvcignore = await stat(dvcignore).then((s) => s.isFile(), () => false);
  const extra = hasDvcignore ? [`--exclude-from=${dvcignore}`] : [];
  // --others with the standard excludes: untracked files .gitignore keeps; --cached: tracked ones.
  const listed = (await git(root, ['ls-files', '-z', '--cached', '--others', '--exclude-standard', ...extra, '--', '.'])).split('\0').filter(Boolean);
  // Tracked files .dvcignore names: --exclude-from only filters untracked ones.
  const dropped = hasDvcignore ? new Set((await git(root, ['ls-files', '-z', '--cached', '--ignored', ...extra, '--', '.'])).split('\0').filter(Boolean)) : new Set<string>();
  return [...new Set(listed)].filter((f) => !dropped.has(f)).sort();
}

/** Not a git work tree: every file under root (bounded, no recursion), skipping ALWAYS_SKIPPED. */
async function walkFiles(root: string): Promise<string[]> {
  const out: string[] = [];
  const todo = [''];
  while (todo.length) {
    const rel = todo.pop()!;
    for (const d of await readdir(path.join(root, rel), { withFileTypes: true })) {
      const r = rel ? `${rel}/${d.name}` : d.name;
      if (ALWAYS_SKIPPED.test(r)) continue;
      if (d.isDirectory()) todo.push(r);
      else if (d.isFile() || d.isSymbolicLink()) out.push(r);
      if (out.length > PACKAGE_MAX_FILES) throw tooLarge(`more than ${PACKAGE_MAX_FILES} files`);
    }
  }
  return out.sort();
}

function tooLarge(what: string): ActionableError {
  return new ActionableError(`The project is too large to send as a Ray working_dir (${what}).`, 'Add what the job does not need (data, checkpoints, outputs) to .gitignore or .dvcignore; data belongs in DVC remotes, not in the job package.');
}

const sha1 = (...parts: Buffer[]): Buffer => {
  const h = createHash('sha1');
  for (const p of parts) h.update(p);
  return h.digest();
};

/**
 * Ray's package hash over these files: 8 bytes, starting from ASCII "00000000", XORed with
 * the first 8 bytes of sha1(relative path [+ content]) of every directory (the root is ".")
 * and every file. Order does not matter (XOR), so sorted lists and Ray's walk agree.
 */
export function rayPackageHash(files: ReadonlyArray<{ name: string; data: Buffer }>): string {
  const acc = Buffer.from('00000000', 'ascii');
  const xor = (d: Buffer) => {
    for (let i = 0; i < 8; i++) acc[i] ^= d[i];
  };
  const dirs = new Set<string>(['.']);
  for (const f of files) {
    const parts = f.name.split('/');
    for (let i = 1; i < parts.length; i++) dirs.add(parts.slice(0, i).join('/'));
    xor(sha1(Buffer.from(f.name, 'utf8'), f.data));
  }
  for (const d of dirs) xor(sha1(Buffer.from(d, 'utf8')));
  return acc.toString('hex');
}

/** Lists, reads, hashes and zips the project under `root`. */
export async function packProject(root: string, signal?: AbortSignal): Promise<ProjectPackage> {
  const fromGit = await gitFiles(root);
  const listed = (fromGit ?? (await walkFiles(root))).filter((f) => !ALWAYS_SKIPPED.test(f));
  if (listed.length > PACKAGE_MAX_FILES) throw tooLarge(`${listed.length} files; at most ${PACKAGE_MAX_FILES}`);
  const entries: ZipEntry[] = [];
  let bytes = 0;
  for (const name of listed) {
    if (signal?.aborted) throw Object.assign(new Error('cancelled'), { name: 'AbortError' });
    const full = path.join(root, name);
    // A tracked file deleted in the work tree, or a symlink to a folder: not part of the package.
    const st = await stat(full).catch(() => undefined);
    if (!st?.isFile()) continue;
    bytes += st.size;
    if (bytes > PACKAGE_MAX_BYTES) throw tooLarge(`more than ${PACKAGE_MAX_BYTES / 1048576} MB`);
    const link = await lstat(full);
    entries.push({ name, data: await readFile(full), mode: (link.isSymbolicLink() ? st.mode : link.mode) & 0o777 });
  }
  const hash = rayPackageHash(entries);
  const name = `_ray_pkg_${hash}.zip`;
  return { name, uri: `gcs://${name}`, files: entries.map((e) => e.name), bytes, zip: () => writeZip(entries), listedBy: fromGit ? 'git' : 'walk' };
}
