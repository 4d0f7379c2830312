// The questions before `dvc exp run [--queue] -S ...`: which params of params.yaml to
// change (their current values shown), the value of each (for the queue, several values
// separated by commas make a grid, which DVC expands into one experiment per combination;
// a list or a map is edited as one line of YAML/JSON and replaces the param as a whole),
// an optional name, and, for a grid, how many experiments it makes before anything is
// queued. Escape at any step asks nothing more and runs nothing.
import * as path from 'node:path';
import * as vscode from 'vscode';
import { readBoundedText, YAML_JSON_CAP } from '../../core/common/boundedRead';
import { errorMessage } from '../../core/common/errors';
import { documentData, parseUntrusted, yamlErrorText } from '../../core/common/yamlData';
import { gridSize, MAX_GRID, parseValueList, refNameProblem, settableParams, valueAsInput, type ParamOverride, type ParamValue, type SettableParam } from '../../core/runs/dvc/expLifecycle';
import { containerAsInput, parseContainerValue } from '../../core/runs/dvc/paramContainer';
import { showError, showInfo, showWarning } from '../notify';

export interface ExpForm {
  overrides: ParamOverride[];
  name?: string;
}

const PARAMS_FILE = 'params.yaml';

/** Asks for the overrides and name; undefined when the user stops (or params.yaml cannot be read). */
export async function askExperiment(root: string, mode: 'queue' | 'run'): Promise<ExpForm | undefined> {
  const title = mode === 'queue' ? vscode.l10n.t('Queue Experiment') : vscode.l10n.t('Run Experiment Now');
  const file = path.join(root, PARAMS_FILE);
  let params: SettableParam[] = [];
  let shown = new Map<string, string>();
  try {
    const text = await readBoundedText(file, { cap: YAML_JSON_CAP, root });
    const doc = parseUntrusted(text);
    if (doc.errors.length) throw new Error(yamlErrorText(text, doc.errors[0]));
    params = settableParams(documentData(doc));
    // Lists and maps as the file writes them (`1.0` stays `1.0`).
    shown = new Map(params.map((p) => [p.key, p.container ? containerAsInput(p.value, doc, p.path) : valueAsInput(p.value)]));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') {
      void showError(vscode.l10n.t('cannot read {0}: {1}. Fix the file (dvc exp run -S changes its values), then try again.', file, errorMessage(err)));
      return undefined;
    }
  }
  const current = (p: SettableParam) => shown.get(p.key) ?? valueAsInput(p.value);
  let picked: SettableParam[] = [];
  if (params.length) {
    for (;;) {
      const chosen = await vscode.window.showQuickPick(
        params.map((p) => ({ label: p.key, description: `= ${ellipsis(current(p))}`, detail: p.container ? vscode.l10n.t('a list or a map: set as a whole') : undefined, picked: picked.includes(p), p })),
        {
          title: vscode.l10n.t('{0} (1/3): params to change', title),
          placeHolder: vscode.l10n.t('Pick the params of params.yaml to set; pick none to use the workspace as it is'),
          canPickMany: true,
          matchOnDescription: true,
          ignoreFocusOut: true,
        },
      );
      if (!chosen) return undefined;
      picked = chosen.map((c) => c.p);
      // A map and a param inside it: which value wins would depend on the order of -S.
      const clash = picked.find((outer) => outer.container && picked.some((inner) => inner !== outer && inner.key.startsWith(`${outer.key}.`)));
      if (!clash) break;
      void showWarning(vscode.l10n.t('{0} is set as a whole, so a param inside it cannot be set too: pick either {0} or the params inside it.', clash.key));
    }
  } else void showInfo(vscode.l10n.t('{0} has no values -S could set: the experiment uses the workspace as it is.', PARAMS_FILE));

  const overrides: ParamOverride[] = [];
  for (const p of picked) {
    if (p.container) {
      const value = await askWhole(title, p, current(p));
      if (!value) return undefined;
      overrides.push({ key: p.key, values: [value] });
      continue;
    }
    const prompt =
      mode === 'queue'
        ? vscode.l10n.t("One value, or several separated by commas for a grid (0.1, 0.01). Quote a value that holds a comma or a space: 'a,b'. Now: {0}", current(p))
        : vscode.l10n.t("The value to run with. Quote a value that holds a comma or a space: 'a,b'. Now: {0}", current(p));
    const input = await vscode.window.showInputBox({
      title: vscode.l10n.t('{0} (2/3): {1}', title, p.key),
      prompt,
      value: current(p),
      ignoreFocusOut: true,
      validateInput: (text) => {
        const r = parseValueList(text);
        if (!r.ok) return vscode.l10n.t('{0} (at column {1})', r.error, r.column + 1);
        if (mode === 'run' && r.values.length > 1) return vscode.l10n.t('A run now takes one value: DVC runs a grid only from its queue (Queue Experiment…).');
        const size = gridSize([...overrides, { key: p.key, values: r.values }]);
        if (size > MAX_GRID) return vscode.l10n.t('This grid would make {0} experiments; at most {1} are queued at once.', size, MAX_GRID);
        return undefined;
      },
    });
    if (input === undefined) return undefined;
    const r = parseValueList(input);
    if (!r.ok) return undefined;
    overrides.push({ key: p.key, values: r.values });
  }

  const size = gridSize(overrides);
  const name = await vscode.window.showInputBox({
    title: vscode.l10n.t('{0} (3/3): name', title),
    prompt:
      size > 1
        ? vscode.l10n.t('Optional. This grid makes {0} experiments; DVC names them <name>-1 … <name>-{0}. Empty: DVC picks names.', size)
        : vscode.l10n.t('Optional. Empty: DVC picks a name.'),
    ignoreFocusOut: true,
    validateInput: (text) => (text.trim() ? refNameProblem(text.trim(), 'the name') : undefined),
  });
  if (name === undefined) return undefined;

  if (size > 1) {
    const what = overrides.filter((o) => o.values.length > 1).map((o) => `${o.key} × ${o.values.length}`).join(', ');
    const go = vscode.l10n.t('Queue {0} Experiments', size);
    const answer = await showInfo(vscode.l10n.t('Queue {0} experiments ({1})?', size, what), { modal: true, detail: vscode.l10n.t('They run when queue workers start (Start Queue Workers…).') }, go);
    if (answer !== go) return undefined;
  }
  return { overrides, name: name.trim() || undefined };
}

/** The value of a list or map param, typed as one line of YAML or JSON; it replaces the param as a whole. */
async function askWhole(title: string, p: SettableParam, now: string): Promise<ParamValue | undefined> {
  const input = await vscode.window.showInputBox({
    title: vscode.l10n.t('{0} (2/3): {1}', title, p.key),
    prompt: vscode.l10n.t('The whole value as YAML or JSON on one line: a list [64, 32], a map {name: sgd, lr: 0.01}. It replaces the current value (no grid for a list or a map).'),
    value: now,
    ignoreFocusOut: true,
    validateInput: (text) => {
      const r = parseContainerValue(text);
      return r.ok ? undefined : vscode.l10n.t('{0} (at column {1})', r.error, r.column + 1);
    },
  });
  if (input === undefined) return undefined;
  const r = parseContainerValue(input);
  return r.ok ? r.value : undefined;
}

/** A value shortened for a picker's description. */
function ellipsis(text: string, max = 80): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}
