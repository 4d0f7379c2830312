// The questions before `dvc exp run [--queue] -S ...`: which params of params.yaml to
// change (their current values shown), the value of each (for the queue, several values
// separated by commas make a grid, which DVC expands into one experiment per combination),
// an optional name, and, for a grid, how many experiments it makes before anything is
// queued. Escape at any step asks nothing more and runs nothing.
import * as path from 'node:path';
import * as vscode from 'vscode';
import { readBoundedText, YAML_JSON_CAP } from '../../core/common/boundedRead';
import { errorMessage } from '../../core/common/errors';
import { parseYamlData } from '../../core/common/yamlData';
import { gridSize, MAX_GRID, parseValueList, refNameProblem, settableParams, valueAsInput, type ParamOverride } from '../../core/runs/dvc/expLifecycle';
import { showError, showInfo } from '../notify';

export interface ExpForm {
  overrides: ParamOverride[];
  name?: string;
}

const PARAMS_FILE = 'params.yaml';

/** Asks for the overrides and name; undefined when the user stops (or params.yaml cannot be read). */
export async function askExperiment(root: string, mode: 'queue' | 'run'): Promise<ExpForm | undefined> {
  const title = mode === 'queue' ? vscode.l10n.t('Queue Experiment') : vscode.l10n.t('Run Experiment Now');
  const file = path.join(root, PARAMS_FILE);
  let params: { key: string; value: unknown }[] = [];
  try {
    params = settableParams(parseYamlData(await readBoundedText(file, { cap: YAML_JSON_CAP, root })));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') {
      void showError(vscode.l10n.t('cannot read {0}: {1}. Fix the file (dvc exp run -S changes its values), then try again.', file, errorMessage(err)));
      return undefined;
    }
  }
  let picked: { key: string; value: unknown }[] = [];
  if (params.length) {
    const chosen = await vscode.window.showQuickPick(
      params.map((p) => ({ label: p.key, description: `= ${valueAsInput(p.value)}`, p })),
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
  } else void showInfo(vscode.l10n.t('{0} has no values -S could set: the experiment uses the workspace as it is.', PARAMS_FILE));

  const overrides: ParamOverride[] = [];
  for (const p of picked) {
    const prompt =
      mode === 'queue'
        ? vscode.l10n.t("One value, or several separated by commas for a grid (0.1, 0.01). Quote a value that holds a comma or a space: 'a,b'. Now: {0}", valueAsInput(p.value))
        : vscode.l10n.t("The value to run with. Quote a value that holds a comma or a space: 'a,b'. Now: {0}", valueAsInput(p.value));
    const input = await vscode.window.showInputBox({
      title: vscode.l10n.t('{0} (2/3): {1}', title, p.key),
      prompt,
      value: valueAsInput(p.value),
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
