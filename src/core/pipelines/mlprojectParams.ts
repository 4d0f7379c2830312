import type { MlEntryPoint, MlParameter } from './mlproject';

// The values asked for before `mlflow run -e NAME -P k=v`, checked as MLflow
// (mlflow/projects/_project_spec.py) and the entry point's script will take them, so a
// typo is caught in the input box and not after MLflow has set up a run.

/** A default MLflow uses when `-P` does not give one (YAML `null` counts as none, as in MLflow). */
export function hasDefault(p: MlParameter): boolean {
  return p.default !== undefined && p.default !== null;
}

/** The text an input box is prefilled with: the default as `-P` would pass it. */
export function defaultText(p: MlParameter): string {
  if (!hasDefault(p)) return '';
  return typeof p.default === 'object' ? JSON.stringify(p.default) : String(p.default);
}

/** The parameters to ask for: all of them, or only those MLflow would refuse to run without. */
export function parametersToAsk(ep: MlEntryPoint, all: boolean): MlParameter[] {
  return all ? ep.parameters : ep.parameters.filter((p) => !hasDefault(p));
}

// Python's float() and int(): what `float(sys.argv[1])` in the script accepts.
const FLOAT = /^[+-]?(?:(?:\d(?:_?\d)*)?\.\d(?:_?\d)*|\d(?:_?\d)*\.?)(?:[eE][+-]?\d(?:_?\d)*)?$|^[+-]?(?:inf|infinity|nan)$/i;
const INT = /^[+-]?\d(?:_?\d)*$/;
// urllib.parse.urlparse's scheme, which is what MLflow's is_uri() asks for.
const SCHEME = /^([A-Za-z][A-Za-z0-9+.-]*):/;

/** The local file a `path` value names, or undefined for a URI MLflow downloads (s3://, runs:/, ...). */
export function localPathOf(value: string): string | undefined {
  const scheme = SCHEME.exec(value)?.[1].toLowerCase();
  if (!scheme) return value;
  // file:///abs is local; file://host/abs is not. A one-letter "scheme" is a Windows drive.
  if (scheme === 'file') return /^file:\/\/(?:\/|$)/i.test(value) ? decodeURIComponent(value.replace(/^file:\/\//i, '')) || '/' : undefined;
  return scheme.length === 1 ? value : undefined;
}

export interface ParameterProblem {
  /** `error`: MLflow or the script would refuse it; `warning`: it may still be meant. */
  severity: 'error' | 'warning';
  message: string;
}

export interface CheckContext {
  /** Whether a local path exists, relative to the MLproject's folder (where `mlflow run .` runs). */
  exists?: (localPath: string) => boolean;
}

/**
 * Checks one value typed for a parameter of the declared type (float, int, path, string,
 * uri). Empty means "the default" where there is one. Unknown types pass, as in MLflow.
 */
export function checkParameterValue(p: MlParameter, raw: string, ctx: CheckContext = {}): ParameterProblem | undefined {
  const value = raw.trim();
  if (!value) return hasDefault(p) ? undefined : { severity: 'error', message: `${p.name} has no default: give a value (Escape cancels the run).` };
  switch (p.type) {
    case 'float':
      return FLOAT.test(value) ? undefined : { severity: 'error', message: `${p.name} is a float: give a number such as 0.01 or 1e-3.` };
    case 'int':
      return INT.test(value) ? undefined : { severity: 'error', message: `${p.name} is an int: give a whole number such as 10.` };
    case 'uri':
      return SCHEME.test(value)
        ? undefined
        : { severity: 'error', message: `${p.name} is a uri: give one with a scheme, such as s3://bucket/data.csv, file:///abs/path or runs:/<run id>/model.` };
    case 'path': {
      const local = localPathOf(value);
      if (local === undefined || !ctx.exists || ctx.exists(local)) return undefined;
      // MLflow resolves local paths itself and stops when one is missing.
      return { severity: 'error', message: `${p.name} is a path: ${local} does not exist (relative paths start at the MLproject's folder).` };
    }
    default:
      return undefined;
  }
}

/** The `-P` values of a run: only those that differ from their default, trimmed. */
export function parameterArgs(ep: MlEntryPoint, answers: Readonly<Record<string, string>>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const p of ep.parameters) {
    const v = answers[p.name]?.trim();
    if (v && (!hasDefault(p) || v !== defaultText(p))) out[p.name] = v;
  }
  return out;
}
