// Results home from a Ray job, through its log. A job's working_dir is unpacked on whichever
// node runs its driver and is gone with the session; the dashboard offers no file access to
// it. So the job itself prints what makes its runs (DVCLive's folder, metrics, params.yaml)
// into its own log once the command succeeded, and we read it back through `/logs`, the one
// channel we already use, which Ray keeps as long as it keeps the job. Every Ray node has a
// Python (Ray is one), so the printing step is a constant Python program taking the paths as
// arguments. The log is untrusted: lines are checked, names too (fetchResults), sizes capped.
// A cached output (model weights) is not printed whole: only the TensorBoard event files in
// it (`*tfevents*` names, TensorBoard's own rule), so a run logged there shows too.
import { writeFile } from 'node:fs/promises';
import { shellJoin } from '../../hosts/shellQuote';
import { EVENT_FILE_MARK, MAX_LISTED_FOR_EVENTS } from '../sync/fetchResults';
import type { RemoteEntry, RemoteFs, RemoteStat } from '../sync/remoteFs';

/** Every line of the results block starts with this word. */
export const RESULTS_MARK = 'MLOPS-RESULTS';
/** What the job prints at most: the log comes back whole (the dashboard's answer is capped at 64 MB), base64 adds a third. */
export const MAX_RESULT_BYTES = 16 * 1024 * 1024;
export const MAX_RESULT_FILES = 2000;
const CHUNK = 8192;

/**
 * Prints each path (a file, or a folder walked without following links) as
 * `MLOPS-RESULTS F <b64 path> <size>` then `MLOPS-RESULTS D <b64 chunk>` lines; missing ones
 * as `M`, left out ones (a cap, not a regular file) as `S`; framed by BEGIN and END <count>.
 * Each argument is `a:<path>` (everything) or `t:<path>` (its TensorBoard event files only).
 */
const EMIT_PY = `import base64, os, sys
M = '${RESULTS_MARK}'
b = lambda s: base64.b64encode(s.encode()).decode()
out = sys.stdout
out.write(M + ' BEGIN 1\\n')
n = 0
total = 0
def emit(p):
    global n, total
    size = os.lstat(p).st_size
    if n >= ${MAX_RESULT_FILES} or total + size > ${MAX_RESULT_BYTES}:
        out.write(M + ' S ' + b(p) + '\\n'); return
    with open(p, 'rb') as f: data = f.read(size + 1)
    if len(data) != size:
        out.write(M + ' S ' + b(p) + '\\n'); return
    out.write(M + ' F ' + b(p) + ' ' + str(size) + '\\n')
    e = base64.b64encode(data).decode()
    for i in range(0, len(e), ${CHUNK}): out.write(M + ' D ' + e[i:i + ${CHUNK}] + '\\n')
    n += 1; total += size
for arg in sys.argv[1:]:
    only = arg[:2] == 't:'
    seen = 0
    a = arg[2:].rstrip('/')
    want = lambda name: not only or '${EVENT_FILE_MARK}' in name
    if os.path.islink(a) or not os.path.exists(a): out.write(M + (' S ' if os.path.islink(a) else ' M ') + b(a) + '\\n')
    elif os.path.isfile(a):
        if want(os.path.basename(a)): emit(a)
    elif os.path.isdir(a):
        for d, dirs, files in os.walk(a):
            seen += len(dirs) + len(files)
            if only and seen > ${MAX_LISTED_FOR_EVENTS}:
                out.write(M + ' S ' + b(a + '/...') + '\\n'); break
            dirs.sort()
            for x in dirs:
                if os.path.islink(os.path.join(d, x)) and not only: out.write(M + ' S ' + b(os.path.join(d, x)) + '\\n')
            for x in sorted(files):
                if not want(x): continue
                p = os.path.join(d, x)
                if os.path.isfile(p) and not os.path.islink(p): emit(p)
                else: out.write(M + ' S ' + b(p) + '\\n')
    else: out.write(M + ' S ' + b(a) + '\\n')
out.write(M + ' END ' + str(n) + '\\n')
out.flush()
`;

/**
 * The shell step appended to the entrypoint after the command: run only when it succeeded,
 * its own failure never fails the job (the command's status is the job's). `eventPaths`
 * (cached outputs) bring only their TensorBoard event files; the caps hold for both.
 */
export function resultsStep(paths: readonly string[], eventPaths: readonly string[] = []): string {
  const rel = (p: string) => p.replace(/^\.\/+/, '');
  const args = [...paths.map((p) => `a:${rel(p)}`), ...eventPaths.map((p) => `t:${rel(p)}`)];
  return `{ "$(command -v python3 || command -v python || echo python3)" -c ${shellJoin([EMIT_PY])} ${shellJoin(args)} || echo "mlops: the results could not be printed" >&2; }`;
}

export interface LogResults {
  files: Map<string, Buffer>;
  missing: string[];
  skipped: string[];
  /** The block ended with END and its count matched. */
  complete: boolean;
}

const decode = (s: string): string | undefined => {
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(s)) return undefined;
  return Buffer.from(s, 'base64').toString('utf8');
};

/** The last results block of a job's log; undefined when the log holds none. */
export function parseResultsLog(log: string): LogResults | undefined {
  const start = log.lastIndexOf(`${RESULTS_MARK} BEGIN `);
  if (start < 0 || (start > 0 && log[start - 1] !== '\n')) return undefined;
  const out: LogResults = { files: new Map(), missing: [], skipped: [], complete: false };
  let current: { path: string; size: number; parts: Buffer[]; got: number } | undefined;
  let total = 0;
  const close = () => {
    if (!current) return;
    if (current.got === current.size) out.files.set(current.path, Buffer.concat(current.parts, current.size));
    else out.skipped.push(current.path);
    current = undefined;
  };
  // A line-by-line scan without splitting the whole log: the block may be megabytes.
  for (let at = log.indexOf('\n', start) + 1; at > 0 && at < log.length; ) {
    const nl = log.indexOf('\n', at);
    const line = log.slice(at, nl < 0 ? log.length : nl).replace(/\r$/, '');
    at = nl < 0 ? log.length : nl + 1;
    if (!line.startsWith(`${RESULTS_MARK} `)) continue; // another process's line in between
    const [, kind, a, b] = line.split(' ');
    if (kind === 'D' && current && a) {
      const chunk = /^[A-Za-z0-9+/]*={0,2}$/.test(a) ? Buffer.from(a, 'base64') : undefined;
      if (!chunk || current.got + chunk.length > current.size) {
        out.skipped.push(current.path);
        current = undefined;
        continue;
      }
      current.parts.push(chunk);
      current.got += chunk.length;
      continue;
    }
    close();
    const name = a !== undefined ? decode(a) : undefined;
    if (kind === 'F' && name !== undefined) {
      const size = Number(b);
      if (!Number.isSafeInteger(size) || size < 0 || total + size > MAX_RESULT_BYTES || out.files.size >= MAX_RESULT_FILES) out.skipped.push(name);
      else {
        current = { path: name, size, parts: [], got: 0 };
        total += size;
      }
    } else if (kind === 'M' && name !== undefined) out.missing.push(name);
    else if (kind === 'S' && name !== undefined) out.skipped.push(name);
    else if (kind === 'END') {
      out.complete = Number(a) === out.files.size;
      break;
    }
  }
  close();
  return out;
}

const norm = (p: string) => p.replace(/^(\.?\/)+/, '').replace(/\/+$/, '');

/**
 * The printed files as a read-only RemoteFs, so fetchResults brings them home under the same
 * rules as files over SFTP (names checked, caps, temp + rename, the job record).
 */
export function logResultsFs(r: LogResults): RemoteFs {
  const files = new Map([...r.files].map(([k, v]) => [norm(k), v]));
  const isDir = (p: string) => p === '' || [...files.keys()].some((f) => f.startsWith(`${p}/`));
  const refuse = async (): Promise<never> => {
    throw new Error('read-only: results printed in a job log');
  };
  return {
    async stat(p: string): Promise<RemoteStat | undefined> {
      const k = norm(p);
      const f = files.get(k);
      if (f) return { size: f.length, mtime: 0, isFile: true, isDirectory: false };
      return isDir(k) ? { size: 0, mtime: 0, isFile: false, isDirectory: true } : undefined;
    },
    async readdir(p: string): Promise<RemoteEntry[]> {
      const k = norm(p);
      const prefix = k ? `${k}/` : '';
      const seen = new Map<string, RemoteEntry>();
      for (const [f, data] of files) {
        if (!f.startsWith(prefix)) continue;
        const rest = f.slice(prefix.length);
        const name = rest.split('/')[0];
        if (!seen.has(name)) seen.set(name, rest.includes('/') ? { name, size: 0, isFile: false, isDirectory: true } : { name, size: data.length, isFile: true, isDirectory: false });
      }
      return [...seen.values()];
    },
    async readFile(p: string): Promise<Buffer | undefined> {
      return files.get(norm(p));
    },
    async download(p: string, local: string): Promise<void> {
      const f = files.get(norm(p));
      if (!f) throw new Error(`${p} is not in the job's log`);
      await writeFile(local, f);
    },
    mkdir: refuse,
    writeFile: refuse,
    upload: refuse,
    setMtime: refuse,
    rename: refuse,
    unlink: refuse,
    close: () => undefined,
  };
}
