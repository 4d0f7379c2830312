// The Python interpreter the user picked in the Python extension, so `dvc` and `mlflow`
// come from the project's environment without any setting. Two APIs exist: the Python
// extension's `environments` API (ms-python.python) and the newer Python Environments
// extension (ms-python.vscode-python-envs). Neither can be downloaded on our test
// machines: the E2E tier installs a small extension with the same API shape.
import * as path from 'node:path';
import * as vscode from 'vscode';

interface EnvironmentPath {
  readonly id: string;
  readonly path: string;
}
/** The part of ms-python.python's exported API we use. */
export interface PythonExtensionApi {
  readonly environments?: {
    getActiveEnvironmentPath(resource?: vscode.Uri): EnvironmentPath;
    resolveEnvironment(env: EnvironmentPath | string): Promise<{ executable: { uri: vscode.Uri | undefined } } | undefined>;
    readonly onDidChangeActiveEnvironmentPath: vscode.Event<unknown>;
  };
}
/** The part of ms-python.vscode-python-envs's exported API we use. */
export interface PythonEnvsExtensionApi {
  getEnvironment(scope: vscode.Uri | undefined): Promise<{ execInfo?: { run?: { executable?: string } } } | undefined>;
  readonly onDidChangeEnvironment?: vscode.Event<unknown>;
}

export const PYTHON_EXTENSION = 'ms-python.python';
export const PYTHON_ENVS_EXTENSION = 'ms-python.vscode-python-envs';

export interface Interpreter {
  /** The interpreter's executable. */
  python: string;
  /** Which extension chose it, for the log. */
  from: string;
}

/** The selected interpreter of `resource`'s folder, or undefined (no extension, none selected, an error). */
export async function selectedInterpreter(resource?: vscode.Uri): Promise<Interpreter | undefined> {
  const envs = vscode.extensions.getExtension<PythonEnvsExtensionApi>(PYTHON_ENVS_EXTENSION);
  if (envs) {
    const api = envs.isActive ? envs.exports : await envs.activate();
    const exe = (await api?.getEnvironment?.(resource))?.execInfo?.run?.executable;
    if (exe) return { python: exe, from: 'the Python Environments extension' };
  }
  const ext = vscode.extensions.getExtension<PythonExtensionApi>(PYTHON_EXTENSION);
  if (!ext) return undefined;
  const api = ext.isActive ? ext.exports : await ext.activate();
  const environments = api?.environments;
  if (!environments) return undefined;
  const active = environments.getActiveEnvironmentPath(resource);
  const resolved = await environments.resolveEnvironment(active);
  const exe = resolved?.executable.uri?.fsPath ?? (active.path || undefined);
  return exe ? { python: exe, from: 'the Python extension' } : undefined;
}

/** Where a tool installed into the interpreter's environment lives: beside python (venv `bin/`, Windows `Scripts\`). */
export function toolCandidates(python: string, tool: string, platform = process.platform): string[] {
  const p = platform === 'win32' ? path.win32 : path.posix;
  const dir = p.dirname(python);
  if (platform !== 'win32') return [p.join(dir, tool)];
  // A venv's python.exe sits in Scripts\ beside the tools; a base install's sits above it.
  return [p.join(dir, `${tool}.exe`), p.join(dir, 'Scripts', `${tool}.exe`)];
}

/** Fires when the user picks another interpreter in either extension (those installed). */
export function onDidChangeInterpreter(listener: () => void): vscode.Disposable {
  const subs: vscode.Disposable[] = [];
  const hook = async (id: string) => {
    const ext = vscode.extensions.getExtension(id);
    if (!ext) return;
    try {
      const api = (ext.isActive ? ext.exports : await ext.activate()) as PythonExtensionApi & PythonEnvsExtensionApi;
      const event = id === PYTHON_EXTENSION ? api?.environments?.onDidChangeActiveEnvironmentPath : api?.onDidChangeEnvironment;
      if (event) subs.push(event(listener));
    } catch {
      // An extension that fails to activate simply gives no interpreter.
    }
  };
  void hook(PYTHON_EXTENSION);
  void hook(PYTHON_ENVS_EXTENSION);
  return { dispose: () => subs.forEach((s) => s.dispose()) };
}
