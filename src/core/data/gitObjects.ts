// Reads many `rev:path` blobs through one `git cat-file` process (runs/dvc/gitBatch.ts): a
// file at each of hundreds of revisions costs one process instead of one `git show` each.
import { GitBatch } from '../runs/dvc/gitBatch';

export class GitObjects {
  private readonly batch: GitBatch;

  constructor(cwd: string) {
    this.batch = new GitBatch(cwd);
  }

  /** Starts the git process now, so that its start overlaps other work before the first read. */
  start(): void {
    this.batch.start();
  }

  /** The blobs named by `specs` ("rev:path", path from the repository's top); undefined when absent or not a file. */
  async read(specs: string[]): Promise<(Buffer | undefined)[]> {
    return (await this.batch.read(specs)).map((o) => (o?.type === 'blob' ? o.data : undefined));
  }

  async readText(specs: string[]): Promise<(string | undefined)[]> {
    return (await this.read(specs)).map((b) => b?.toString('utf8'));
  }

  close(): void {
    this.batch.close();
  }
}
