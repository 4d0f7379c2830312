// The receiving end of the code-lens contract (src/protocol/lensCommands.ts). A string
// first argument means a lens (or a `command:` link) sent `[documentUri, name]`; anything
// else in that shape is refused with what arrived, rather than run on a wrong target.
import * as vscode from 'vscode';
import { ActionableError } from '../../core/common/errors';
import { parseLensArgs, type LensCommand } from '../../protocol/lensCommands';

export interface LensTarget {
  uri: vscode.Uri;
  /** The stage (dvc.yaml) or entry point (MLproject). */
  name: string;
}

/** The checked target of lens command `command`; throws an ActionableError the command wrapper shows and logs. */
export function lensTarget(command: LensCommand, args: readonly unknown[]): LensTarget {
  const parsed = parseLensArgs(args);
  if (!parsed) {
    throw new ActionableError(
      `${command} got ${describeArgs(args)} where a code lens sends [document URI, name]`,
      'Run "MLOps: Restart Language Server" (a server from another version may still be running), or run the command from the Command Palette.',
    );
  }
  return { uri: vscode.Uri.parse(parsed[0], true), name: parsed[1] };
}

/** Types only, no values: an argument may be a path or a secret-looking string. */
function describeArgs(args: readonly unknown[]): string {
  return `(${args.map((a) => (a === null ? 'null' : Array.isArray(a) ? 'array' : typeof a)).join(', ')})`;
}
