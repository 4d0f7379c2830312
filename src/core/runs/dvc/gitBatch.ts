// Commits, trees and blobs of many experiments through one `git cat-file --batch`, by
// object id. Asking for `rev:path` instead would make git read the commit and every tree
// on the way once per file; walking the trees here reads each commit and tree once, and a
// file that many experiments share (dvc.yaml, an unchanged params file) once in all.
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { pushAll } from '../../common/arrays';

export interface GitObject {
  type: string;
  data: Buffer;
}

export interface CommitInfo {
  tree: string;
  /** Committer time, ms (what `dvc exp show` prints). */
  time: number;
}

/** A tree's entries: name → [mode, id]. */
export type TreeEntries = Map<string, [string, string]>;

export class GitBatch {
  private proc: ChildProcessWithoutNullStreams | undefined;
  private chunks: Buffer[] = [];
  private buffered = 0;
  private pending: {
    resolve(v: GitObject | undefined): void;
    reject(e: Error): void;
  }[] = [];
  private failed: Error | undefined;
  private readonly trees = new Map<string, TreeEntries>();

  constructor(private readonly cwd: string) {}

  /** Ids written but not answered yet, to ask again if an old git refuses --batch-command. */
  private unanswered: string[] = [];
  private legacy = false;
  private answered = 0;

  /** The git process, started on first use (or earlier by a caller that knows reads will come). */
  start(): ChildProcessWithoutNullStreams {
    if (this.proc) return this.proc;
    // --batch-command --buffer (git 2.36+) answers a whole round in a few large writes
    // instead of one flushed write per object; plain --batch works on any git.
    const args = this.legacy ? ['cat-file', '--batch'] : ['cat-file', '--batch-command', '--buffer'];
    const proc = spawn('git', args, {
      cwd: this.cwd,
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    proc.stdout.on('data', (chunk: Buffer) => {
      this.chunks.push(chunk);
      this.buffered += chunk.length;
      this.drain();
    });
    const fail = (err: Error) => {
      this.failed = err;
      for (const p of this.pending.splice(0)) p.reject(err);
    };
    proc.on('error', fail);
    proc.on('exit', (code) => {
      this.proc = undefined;
      if (code === 129 && !this.legacy && this.answered === 0 && this.pending.length) {
        this.legacy = true;
        this.send(this.unanswered.splice(0));
        return;
      }
      if (this.pending.length) fail(new Error(`git cat-file exited with ${code}`));
    });
    proc.stdin.on('error', () => undefined);
    this.proc = proc;
    return proc;
  }

  private drain(): void {
    let buf = this.chunks.length === 1 ? this.chunks[0] : Buffer.concat(this.chunks, this.buffered);
    let at = 0;
    while (this.pending.length) {
      const nl = buf.indexOf(10, at);
      if (nl < 0) break;
      const header = buf.toString('latin1', at, nl);
      if (header.endsWith(' missing') || header.endsWith(' ambiguous')) {
        at = nl + 1;
        this.answered++;
        this.unanswered.shift();
        this.pending.shift()!.resolve(undefined);
        continue;
      }
      const [, type, sizeText] = header.split(' ');
      const size = Number(sizeText);
      if (buf.length < nl + 1 + size + 1) break;
      const data = buf.subarray(nl + 1, nl + 1 + size);
      at = nl + 1 + size + 1;
      this.answered++;
      this.unanswered.shift();
      this.pending.shift()!.resolve({ type, data });
    }
    buf = buf.subarray(at);
    this.chunks = buf.length ? [buf] : [];
    this.buffered = buf.length;
  }

  /** The objects named by `ids` (object ids or any revision git understands); undefined when absent. */
  read(ids: string[]): Promise<(GitObject | undefined)[]> {
    if (this.failed) return Promise.reject(this.failed);
    if (!ids.length) return Promise.resolve([]);
    // A name is the rest of its line, so a path may hold spaces but never a line break.
    const ok = ids.map((id) => !/[\n\r]/.test(id) && id.trim() !== '');
    const results = ids.map((_, i) => (ok[i] ? new Promise<GitObject | undefined>((resolve, reject) => this.pending.push({ resolve, reject })) : Promise.resolve(undefined)));
    const asked = ids.filter((_, i) => ok[i]);
    pushAll(this.unanswered, asked);
    this.send(asked);
    return Promise.all(results);
  }

  private send(ids: string[]): void {
    if (!ids.length) return;
    const proc = this.start();
    proc.stdin.write(this.legacy ? ids.map((id) => `${id}\n`).join('') : `${ids.map((id) => `contents ${id}\n`).join('')}flush\n`);
  }

  async commits(ids: string[]): Promise<(CommitInfo | undefined)[]> {
    return (await this.read(ids)).map((o) => {
      if (o?.type !== 'commit') return undefined;
      const text = o.data.toString('utf8', 0, Math.min(o.data.length, 4096));
      const tree = /^tree ([0-9a-f]+)$/m.exec(text)?.[1];
      const time = /^committer .* (\d+) [-+]\d{4}$/m.exec(text)?.[1];
      return tree ? { tree, time: Number(time ?? 0) * 1000 } : undefined;
    });
  }

  /** The blob id at each `path` (posix, from the tree's top) under each root tree; trees are read level by level, once each. */
  async resolve(requests: { tree: string; paths: string[] }[]): Promise<Map<string, string | undefined>[]> {
    const out = requests.map(() => new Map<string, string | undefined>());
    // Each request's walk: the tree it is at for every path still being resolved.
    let walks = requests.flatMap((r, i) =>
      r.paths.map((p) => ({
        i,
        path: p,
        parts: p.split('/'),
        depth: 0,
        tree: r.tree,
      })),
    );
    while (walks.length) {
      const missing = [...new Set(walks.map((w) => w.tree).filter((t) => !this.trees.has(t)))];
      const got = await this.read(missing);
      missing.forEach((id, k) => this.trees.set(id, got[k]?.type === 'tree' ? parseTree(got[k]!.data, id.length / 2) : new Map()));
      const next: typeof walks = [];
      for (const w of walks) {
        const entry = this.trees.get(w.tree)!.get(w.parts[w.depth]);
        const last = w.depth === w.parts.length - 1;
        if (!entry) out[w.i].set(w.path, undefined);
        else if (last) out[w.i].set(w.path, entry[0].startsWith('10') || entry[0] === '120000' ? entry[1] : undefined);
        else if (entry[0] === '40000') next.push({ ...w, depth: w.depth + 1, tree: entry[1] });
        else out[w.i].set(w.path, undefined);
      }
      walks = next;
    }
    return out;
  }

  close(): void {
    this.proc?.stdin.end();
    this.proc = undefined;
  }
}

/** Binary tree entries: `<mode> <name>\0<id>`, the id 20 bytes (SHA-1) or 32 (SHA-256) like the tree's own. */
function parseTree(data: Buffer, idBytes: number): TreeEntries {
  const entries: TreeEntries = new Map();
  let at = 0;
  while (at < data.length) {
    const sp = data.indexOf(32, at);
    const nul = data.indexOf(0, sp);
    if (sp < 0 || nul < 0 || nul + 1 + idBytes > data.length) break;
    entries.set(data.toString('utf8', sp + 1, nul), [data.toString('latin1', at, sp), data.toString('hex', nul + 1, nul + 1 + idBytes)]);
    at = nul + 1 + idBytes;
  }
  return entries;
}
