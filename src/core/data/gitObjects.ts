// Reads many `rev:path` blobs through one `git cat-file --batch` process: a file at
// each of hundreds of revisions costs one process instead of one `git show` each.
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';

export class GitObjects {
  private proc: ChildProcessWithoutNullStreams | undefined;
  private buffer: Buffer = Buffer.alloc(0);
  private pending: { resolve(v: Buffer | undefined): void; reject(e: Error): void }[] = [];
  private failed: Error | undefined;

  constructor(private readonly cwd: string) {}

  private start(): ChildProcessWithoutNullStreams {
    if (this.proc) return this.proc;
    const proc = spawn('git', ['cat-file', '--batch'], { cwd: this.cwd, stdio: ['pipe', 'pipe', 'pipe'] });
    proc.stdout.on('data', (chunk: Buffer) => {
      this.buffer = this.buffer.length ? Buffer.concat([this.buffer, chunk]) : chunk;
      this.drain();
    });
    const fail = (err: Error) => {
      this.failed = err;
      for (const p of this.pending.splice(0)) p.reject(err);
    };
    proc.on('error', fail);
    proc.on('exit', (code) => {
      if (this.pending.length) fail(new Error(`git cat-file exited with ${code}`));
      this.proc = undefined;
    });
    proc.stdin.on('error', () => undefined);
    this.proc = proc;
    return proc;
  }

  private drain(): void {
    while (this.pending.length) {
      const nl = this.buffer.indexOf(10);
      if (nl < 0) return;
      const header = this.buffer.subarray(0, nl).toString('utf8');
      if (header.endsWith(' missing') || header.endsWith(' ambiguous')) {
        this.buffer = this.buffer.subarray(nl + 1);
        this.pending.shift()!.resolve(undefined);
        continue;
      }
      const size = Number(header.split(' ')[2]);
      if (this.buffer.length < nl + 1 + size + 1) return;
      const body = Buffer.from(this.buffer.subarray(nl + 1, nl + 1 + size));
      this.buffer = this.buffer.subarray(nl + 1 + size + 1);
      this.pending.shift()!.resolve(header.split(' ')[1] === 'blob' ? body : undefined);
    }
  }

  /** The blobs named by `specs` ("rev:path", path from the repository's top); undefined when absent. */
  read(specs: string[]): Promise<(Buffer | undefined)[]> {
    if (this.failed) return Promise.reject(this.failed);
    if (!specs.length) return Promise.resolve([]);
    const proc = this.start();
    const results = specs.map((spec) => {
      if (/[\n\r]/.test(spec)) return Promise.resolve(undefined);
      return new Promise<Buffer | undefined>((resolve, reject) => this.pending.push({ resolve, reject }));
    });
    proc.stdin.write(specs.filter((s) => !/[\n\r]/.test(s)).map((s) => `${s}\n`).join(''));
    return Promise.all(results);
  }

  async readText(specs: string[]): Promise<(string | undefined)[]> {
    return (await this.read(specs)).map((b) => b?.toString('utf8'));
  }

  close(): void {
    this.proc?.stdin.end();
    this.proc = undefined;
  }
}
