// Steps of a QuickPick flow with a Back button: each step resolves to a value, BACK, or
// undefined when the user dismissed the flow (Escape, focus lost without ignoreFocusOut).
import * as vscode from 'vscode';

export const BACK = Symbol('back');
export type StepResult<T> = T | typeof BACK | undefined;

export interface StepPosition {
  title: string;
  step: number;
  totalSteps: number;
  /** Show the Back button (every step but the first). */
  back: boolean;
}

/** Title, "step n of m", Back, and staying open when focus moves (the user looks things up). */
function placeStep(input: vscode.QuickInput & { buttons: readonly vscode.QuickInputButton[] }, pos: StepPosition): void {
  Object.assign(input, { title: pos.title, step: pos.step, totalSteps: pos.totalSteps, ignoreFocusOut: true });
  input.buttons = pos.back ? [vscode.QuickInputButtons.Back] : [];
}

/** The step's answer, given once: hiding the input fires onDidHide, which must not answer again. */
function finishOnce<V>(resolve: (v: V) => void, input: vscode.QuickInput): (v: V) => void {
  let done = false;
  return (v) => {
    if (done) return;
    done = true;
    resolve(v);
    input.hide();
  };
}

export function inputStep(
  pos: StepPosition,
  o: { prompt: string; value?: string; placeholder?: string; validate?: (v: string) => string | undefined },
): Promise<StepResult<string>> {
  return new Promise((resolve) => {
    const box = vscode.window.createInputBox();
    placeStep(box, pos);
    Object.assign(box, { prompt: o.prompt, value: o.value ?? '', placeholder: o.placeholder });
    const finish = finishOnce(resolve, box);
    box.onDidChangeValue((v) => (box.validationMessage = o.validate?.(v)));
    box.onDidTriggerButton((b) => b === vscode.QuickInputButtons.Back && finish(BACK));
    box.onDidAccept(() => {
      const err = o.validate?.(box.value);
      if (err) return void (box.validationMessage = err);
      finish(box.value);
    });
    box.onDidHide(() => {
      finish(undefined);
      box.dispose();
    });
    box.show();
  });
}

export function pickStep<T extends vscode.QuickPickItem>(
  pos: StepPosition,
  items: readonly T[],
  o: { placeholder?: string; active?: T; typed?: (value: string) => T | undefined },
): Promise<StepResult<T>> {
  return new Promise((resolve) => {
    const qp = vscode.window.createQuickPick<T>();
    placeStep(qp, pos);
    qp.placeholder = o.placeholder;
    qp.items = items;
    if (o.active) qp.activeItems = [o.active];
    const finish = finishOnce(resolve, qp);
    // A free-typed answer (an image name not in the list) leads the items while typed.
    // The items are replaced only when that leading answer changes: each replacement
    // re-renders the list in the workbench and resets its active row, and an Enter pressed
    // meanwhile would find no active item.
    let lead: T | undefined;
    if (o.typed) {
      qp.onDidChangeValue((v) => {
        const t = o.typed!(v);
        if (t?.label === lead?.label) return;
        lead = t;
        qp.items = t ? [t, ...items] : items;
      });
    }
    qp.onDidTriggerButton((b) => b === vscode.QuickInputButtons.Back && finish(BACK));
    qp.onDidAccept(() => {
      // Without an active row (the list was being replaced), what is typed still answers.
      const value = qp.value.trim();
      const chosen = qp.selectedItems[0] ?? qp.activeItems[0] ?? (value ? (items.find((i) => i.label === value) ?? o.typed?.(value)) : undefined);
      if (chosen) finish(chosen);
    });
    qp.onDidHide(() => {
      finish(undefined);
      qp.dispose();
    });
    qp.show();
  });
}
