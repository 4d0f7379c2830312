// One long-lived `sh` on an SSH connection for short probes (nvidia-smi on every refresh).
// Opening an exec channel makes sshd start a session and a shell each time, which costs
// hundreds of milliseconds on a busy host; writing a line to a shell that already runs
// costs a fork. Commands run one at a time; each ends with a marker line carrying its
// exit status on stdout and a marker line on stderr, so the two streams split cleanly.
import { randomBytes } from 'node:crypto';
import type { ExecOutcome } from './gpuProbe';

/** What the shell needs of an ssh2 exec channel. */
export interface ShellChannel {
  write(data: string): unknown;
  on(event: 'data', cb: (d: Buffer) => void): unknown;
  on(event: 'close', cb: () => void): unknown;
  stderr: { on(event: 'data', cb: (d: Buffer) => void): unknown };
  close(): unknown;
}

interface Pending {
  command: string;
  resolve: (o: ExecOutcome) => void;
  reject: (e: Error) => void;
}

export class RemoteShell {
  private stdout = '';
  private stderr = '';
  private current: (Pending & { mark: string }) | undefined;
  private readonly queue: Pending[] = [];
  private closed = false;

  constructor(private readonly channel: ShellChannel) {
    channel.on('data', (d) => ((this.stdout += d.toString('utf8')), this.settle()));
    channel.stderr.on('data', (d) => ((this.stderr += d.toString('utf8')), this.settle()));
    channel.on('close', () => this.fail(new Error('the remote shell ended')));
  }

  get alive(): boolean {
    return !this.closed;
  }

  /** `command` is a shell command line; it reads nothing (stdin is /dev/null). */
  run(command: string): Promise<ExecOutcome> {
    if (this.closed) return Promise.reject(new Error('the remote shell ended'));
    return new Promise((resolve, reject) => {
      this.queue.push({ command, resolve, reject });
      this.next();
    });
  }

  /** Ends the shell; what is queued fails (a timed-out command leaves it busy for good). */
  close(): void {
    this.fail(new Error('the remote shell was closed'));
    this.channel.close();
  }

  private next(): void {
    if (this.current || this.closed) return;
    const p = this.queue.shift();
    if (!p) return;
    const mark = `__mlops_${randomBytes(8).toString('hex')}__`;
    this.current = { ...p, mark };
    this.stdout = '';
    this.stderr = '';
    // A subshell, so an `exit` or `cd` in the command cannot end or move the shell. Start
    // marks too: whatever a login script printed before is not the command's output.
    this.channel.write(
      `printf '%s\\n' ${mark}-start; printf '%s\\n' ${mark}-start >&2; ( ${p.command}\n) </dev/null; printf '\\n%s %d\\n' ${mark} $?; printf '\\n%s\\n' ${mark} >&2\n`,
    );
  }

  private settle(): void {
    const c = this.current;
    if (!c) return;
    const out = new RegExp(`\\n${c.mark} (\\d+)\\n$`).exec(this.stdout);
    const errEnd = `\n${c.mark}\n`;
    if (!out || !this.stderr.endsWith(errEnd)) return;
    this.current = undefined;
    const start = `${c.mark}-start\n`;
    const after = (text: string, end: number) => text.slice(text.indexOf(start) + start.length, end);
    c.resolve({ code: Number(out[1]), stdout: after(this.stdout, out.index), stderr: after(this.stderr, this.stderr.length - errEnd.length) });
    this.next();
  }

  private fail(e: Error): void {
    if (this.closed) return;
    this.closed = true;
    const all = [...(this.current ? [this.current] : []), ...this.queue.splice(0)];
    this.current = undefined;
    for (const p of all) p.reject(e);
  }
}
