// "Open Terminal" of a workspace: a VS Code terminal whose other end is a TTY exec in the
// container, on the host's one connection (local socket or SSH). Keystrokes go in as they
// are typed; the terminal's size follows the panel.
import { StringDecoder } from 'node:string_decoder';
import * as vscode from 'vscode';
import { describeEngineError } from '../../core/hosts/engineErrors';
import type { HostConnection } from '../../core/hosts/hostConnection';
import { execTty, type TtySession } from '../../core/hosts/workspaceExec';

const red = (s: string) => `\x1b[31m${s}\x1b[0m`;

export interface WorkspaceTerminalTarget {
  containerId: string;
  name: string;
  /** For messages: "this machine" or "gpu-box (SSH)". */
  where: string;
  workingDir?: string;
}

export class WorkspacePty implements vscode.Pseudoterminal {
  private readonly writeEmitter = new vscode.EventEmitter<string>();
  private readonly closeEmitter = new vscode.EventEmitter<number | void>();
  readonly onDidWrite = this.writeEmitter.event;
  readonly onDidClose = this.closeEmitter.event;
  private session: TtySession | undefined;
  private pending: string[] = [];
  private size: vscode.TerminalDimensions | undefined;
  private closed = false;
  private failed = false;

  constructor(
    private readonly conn: () => Promise<HostConnection>,
    private readonly target: WorkspaceTerminalTarget,
    private readonly log: vscode.LogOutputChannel,
  ) {}

  open(dims: vscode.TerminalDimensions | undefined): void {
    this.size = dims;
    this.writeEmitter.fire(`${vscode.l10n.t('Connecting to {0} on {1}…', this.target.name, this.target.where)}\r\n`);
    void this.start();
  }

  private async start(): Promise<void> {
    try {
      const conn = await this.conn();
      const s = await execTty(conn, this.target.containerId, { cols: this.size?.columns ?? 80, rows: this.size?.rows ?? 24, workingDir: this.target.workingDir });
      if (this.closed) return s.close();
      this.session = s;
      const text = new StringDecoder('utf8');
      s.stream.on('data', (d: Buffer) => this.writeEmitter.fire(text.write(d)));
      for (const p of this.pending.splice(0)) s.stream.write(p);
      // The panel may have changed size while the exec started.
      if (this.size) void s.resize(this.size.columns, this.size.rows).catch(() => undefined);
      void s.exitCode().then((code) => {
        if (this.closed) return;
        this.log.info(`Workspaces: terminal of ${this.target.name} ended (status ${code ?? 'unknown'})`);
        if (code !== null) return this.closeEmitter.fire(code);
        // No status: the engine or the SSH link went away. Say so instead of vanishing.
        this.failed = true;
        this.writeEmitter.fire(
          `\r\n${red(vscode.l10n.t('The session with {0} ended: {1} stopped answering.', this.target.name, this.target.where))}\r\n${vscode.l10n.t('Refresh the Workspaces view, then open a new terminal. Press any key to close this one.')}\r\n`,
        );
      });
    } catch (err) {
      this.failed = true;
      const p = describeEngineError(err, this.target.where);
      this.log.error(`Workspaces: terminal of ${this.target.name}: ${p.detail}`);
      this.writeEmitter.fire(`${red(`${vscode.l10n.t('Could not open a shell in {0}.', this.target.name)} ${p.message}`)}\r\n${p.nextStep}\r\n\r\n${vscode.l10n.t('Press any key to close this terminal.')}\r\n`);
    }
  }

  handleInput(data: string): void {
    if (this.failed) return this.closeEmitter.fire();
    if (this.session) this.session.stream.write(data);
    else this.pending.push(data);
  }

  setDimensions(dims: vscode.TerminalDimensions): void {
    this.size = dims;
    void this.session?.resize(dims.columns, dims.rows).catch(() => undefined);
  }

  close(): void {
    this.closed = true;
    this.session?.close();
    this.writeEmitter.dispose();
    this.closeEmitter.dispose();
  }
}

export function openWorkspaceTerminal(conn: () => Promise<HostConnection>, target: WorkspaceTerminalTarget, log: vscode.LogOutputChannel): vscode.Terminal {
  const terminal = vscode.window.createTerminal({
    name: `${target.name} (${target.where})`,
    pty: new WorkspacePty(conn, target, log),
    iconPath: new vscode.ThemeIcon('vm'),
  });
  terminal.show();
  return terminal;
}
