import { existsSync } from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { showError } from '../notify';
import { trustedOrExplain, workspaceTrusted } from '../trust';
import { setting } from '../settings';
import { onDidChangeInterpreter, selectedInterpreter, toolCandidates, type Interpreter } from './pythonEnvironment';

export type CliTool = 'dvc' | 'mlflow' | 'mlserver';

const INSTALL: Record<CliTool, { pip: string; guide: string; setting: string }> = {
  dvc: { pip: 'pip install dvc', guide: 'https://dvc.org/doc/install', setting: 'mlops.dvc.path' },
  mlflow: { pip: 'pip install mlflow', guide: 'https://mlflow.org/docs/latest/getting-started/', setting: 'mlops.mlflow.path' },
  mlserver: { pip: 'pip install mlserver mlserver-mlflow', guide: 'https://mlserver.readthedocs.io/en/latest/getting-started/', setting: 'mlops.mlserver.path' },
};

const TOOL_NAME: Record<CliTool, string> = { dvc: 'DVC', mlflow: 'MLflow', mlserver: 'MLServer' };

/** Finds an executable on PATH (argv-safe: we never build a shell string). */
function onPath(name: string): string | undefined {
  const exts = process.platform === 'win32' ? ['.exe', '.cmd', '.bat', ''] : [''];
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    for (const ext of exts) {
      const candidate = path.join(dir, name + ext);
      if (dir && existsSync(candidate)) return candidate;
    }
  }
  return undefined;
}

// The interpreter picked in the Python extension, asked once and again after the user
// picks another one. Registered from activate() (watchSelectedInterpreter) so that the
// lookup can log; the Python extension is first asked when a tool is first looked up.
// Kept on the process, not in this module: the features loaded on first use (dist/lazy/*Feature.js)
// carry their own copy of this module, and must see the interpreter activate() registered.
type InterpreterState = { log?: vscode.LogOutputChannel; pending?: Promise<void>; found?: Interpreter; watch?: vscode.Disposable; logged: Map<CliTool, string> };
const STATE = Symbol.for('mlops.cliTools.interpreter');
const holder = globalThis as { [STATE]?: InterpreterState };
const interpreter: InterpreterState = (holder[STATE] ??= { logged: new Map() });
const logged = interpreter.logged;

export function watchSelectedInterpreter(log: vscode.LogOutputChannel): vscode.Disposable {
  interpreter.log = log;
  return {
    dispose: () => {
      interpreter.watch?.dispose();
      Object.assign(interpreter, { log: undefined, pending: undefined, found: undefined, watch: undefined });
    },
  };
}

function askInterpreter(): Promise<void> {
  if (!interpreter.log) return Promise.resolve(); // not activated (plain tests)
  interpreter.watch ??= onDidChangeInterpreter(() => {
    interpreter.pending = undefined;
    interpreter.found = undefined;
  });
  interpreter.pending ??= selectedInterpreter(vscode.workspace.workspaceFolders?.[0]?.uri).then(
    (found) => void (interpreter.found = found),
    (e: unknown) => interpreter.log?.warn(`The Python extension did not say which interpreter is selected: ${e instanceof Error ? e.message : String(e)}`),
  );
  return interpreter.pending;
}

function report(tool: CliTool, exe: string | undefined, from: string): string | undefined {
  const line = exe ? `${tool}: ${exe} (${from})` : `${tool}: not found (${from})`;
  if (logged.get(tool) !== line) interpreter.log?.info(line);
  logged.set(tool, line);
  return exe;
}

/**
 * The executable, by precedence: the `mlops.<tool>.path` setting, the environment of the
 * interpreter selected in the Python extension, then PATH. Undefined when there is none
 * or in Restricted Mode (no message). The first call may miss the interpreter while the Python extension answers.
 */
export function findCli(tool: CliTool): string | undefined {
  if (!workspaceTrusted()) return undefined; // Restricted Mode runs nothing
  const configured = setting(`${tool}.path`).trim();
  if (configured) return report(tool, existsSync(configured) ? configured : undefined, `mlops.${tool}.path`);
  void askInterpreter();
  const env = interpreter.found;
  if (env) {
    const inEnv = toolCandidates(env.python, tool).find((c) => existsSync(c));
    if (inEnv) return report(tool, inEnv, `the environment of ${env.python}, selected in ${env.from}`);
  }
  return report(tool, onPath(tool), 'PATH');
}

/** The executable, or undefined after telling the user how to install or point at it. */
export async function requireCli(tool: CliTool, what?: string): Promise<string | undefined> {
  if (!trustedOrExplain(what ? vscode.l10n.t('Running {0} to {1}', tool, what) : vscode.l10n.t('Running {0}', tool))) return undefined;
  await askInterpreter();
  const found = findCli(tool);
  if (found) return found;
  const { pip, guide, setting: settingId } = INSTALL[tool];
  const configured = setting(`${tool}.path`).trim();
  const why = configured ? vscode.l10n.t('{0} points at {1}, which does not exist', settingId, configured) : vscode.l10n.t('the {0} CLI is not on PATH', TOOL_NAME[tool]);
  const advice = vscode.l10n.t(
    "Install it ({0}, in your project's environment), select that environment's interpreter (Python: Select Interpreter) or set {1} to its {2} executable, then try again.",
    pip,
    settingId,
    tool,
  );
  // `what` is the caller's translated purpose ("check out a data version").
  const [openSettings, installGuide] = [vscode.l10n.t('Open Settings'), vscode.l10n.t('Install Guide')];
  const pick = await showError(what ? vscode.l10n.t('cannot {0}: {1}. {2}', what, why, advice) : vscode.l10n.t('{0}. {1}', why, advice), openSettings, installGuide);
  if (pick === openSettings) void vscode.commands.executeCommand('workbench.action.openSettings', settingId);
  if (pick === installGuide) void vscode.env.openExternal(vscode.Uri.parse(guide));
  return undefined;
}

/** The tool's own folder first on PATH: a venv's dvc runs stages with that venv's python. */
export function cliEnv(exe: string): Record<string, string> {
  return { PATH: `${path.dirname(exe)}${path.delimiter}${process.env.PATH ?? ''}` };
}
