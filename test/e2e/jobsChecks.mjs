// Browser-side half of the jobs suite (test/e2e/suites/jobs.test.ts; the hand-off:
// test/e2e/browserAsks.mjs): what a user does to submit a job, done with the keyboard and
// the mouse in the real workbench. A command from the palette, the stage or cluster picked
// in its QuickPick, each question's input box answered, the modal that offers to create a
// missing remote folder, and Submit clicked on the notification under the shown batch
// script (or Ray request). Then a screenshot of the Jobs view with the finished job.
import { join } from 'node:path';
import { answerWhenAsked, clearAsks, until } from './browserAsks.mjs';
import { pane, tidyForScreenshot } from './uiChecks.mjs';

/** @typedef {import('playwright-core').Page} Page */
/** @typedef {import('./results.mjs').Checks} Checks */

const TOPIC = 'jobs';
// Sync, rendering the script and the first read of the cluster come before the Submit question.
const SUBMIT_QUESTION_MS = 90000;
const norm = (/** @type {string} */ s) => s.replace(/\s+/g, ' ').trim();
const escapeRe = (/** @type {string} */ s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

const widget = (/** @type {Page} */ page) => page.locator('.quick-input-widget');
const input = (/** @type {Page} */ page) => page.locator('.quick-input-widget .quick-input-box input');
const rows = (/** @type {Page} */ page) => page.locator('.quick-input-widget .quick-input-list .monaco-list-row');
const toasts = (/** @type {Page} */ page) => page.locator('.notifications-toasts .notification-toast');

/** Runs `command` (its palette title) from F1: types it and clicks its row. */
async function runFromPalette(/** @type {Page} */ page, /** @type {string} */ command) {
  // The keyboard to the workbench, not a webview or a widget a suite left open.
  await page.keyboard.press('Escape');
  await page.locator('.part.editor').click().catch(() => undefined);
  await page.keyboard.press('F1');
  await until(async () => ((await widget(page).isVisible()) && (await input(page).inputValue()).startsWith('>')) || 'no palette', 'F1 did not open the command palette');
  await page.keyboard.type(command.replace(/^MLOps: /, ''), { delay: 5 });
  const row = rows(page).filter({ has: page.locator('.label-name', { hasText: new RegExp(`^${escapeRe(command)}$`) }) });
  await until(async () => (await row.count()) === 1 || (await rows(page).allInnerTexts()).map(norm), `the palette does not list "${command}"`);
  await row.first().click();
}

/** Waits for a QuickPick whose placeholder or title has `hint`, then clicks the row labelled `label`. */
async function pick(/** @type {Page} */ page, /** @type {string} */ hint, /** @type {string} */ label) {
  const row = rows(page).filter({ has: page.locator('.label-name', { hasText: new RegExp(`^${escapeRe(label)}$`) }) });
  await until(async () => {
    const where = `${await input(page).getAttribute('placeholder').catch(() => '')} ${await widget(page).locator('.quick-input-title').innerText().catch(() => '')}`;
    return ((await widget(page).isVisible()) && where.includes(hint) && (await row.count()) > 0) || `${norm(where)}: ${JSON.stringify((await rows(page).allInnerTexts()).map(norm))}`;
  }, `no QuickPick "${hint}" offering ${label}`);
  await row.first().click();
}

/** Answers input boxes in turn, each found by the start of its prompt (they share one title). */
async function answerInputs(/** @type {Page} */ page, /** @type {{ prompt: string, value: string }[]} */ answers) {
  const message = page.locator('.quick-input-widget .quick-input-message');
  for (const a of answers) {
    await until(async () => {
      const shown = norm(await message.innerText().catch(() => ''));
      return ((await widget(page).isVisible()) && shown.startsWith(a.prompt)) || shown;
    }, `no input box asking "${a.prompt}…"`);
    await input(page).fill(a.value);
    await until(async () => (await input(page).inputValue()) === a.value || (await input(page).inputValue()), `the input does not hold ${JSON.stringify(a.value)}`);
    await page.keyboard.press('Enter');
    // The next box replaces this one: wait until this prompt is gone before reading on.
    await until(async () => !norm(await message.innerText().catch(() => '')).startsWith(a.prompt) || !(await widget(page).isVisible()) || 'still asked', `"${a.prompt}" was not accepted`);
  }
}

/**
 * Until the question `question` shows on a notification: a modal that offers `modalButton`
 * is answered with it on the way. Then clicks `button` on that notification.
 * @param {Page} page
 * @param {{ question: string, button: string, modal?: string, modalButton?: string, shot?: string }} ask
 * @param {string} out
 */
async function answerSubmit(page, ask, out) {
  const toast = toasts(page).filter({ hasText: ask.question });
  const dialog = page.locator('.monaco-dialog-box');
  let modalAnswered = false;
  await until(async () => {
    if (ask.modal && (await dialog.isVisible().catch(() => false))) {
      const text = norm(await dialog.innerText());
      if (!text.includes(ask.modal)) throw new Error(`an unexpected dialog: ${text}`);
      await dialog.locator('.monaco-button', { hasText: ask.modalButton ?? '' }).first().click();
      modalAnswered = true;
      return 'modal answered';
    }
    // An error notification (sync or submit failed) ends the wait at once, with its text.
    const errors = (await toasts(page).filter({ has: page.locator('.codicon-error') }).allInnerTexts()).map(norm);
    if (errors.length) throw new Error(`an error instead of the Submit question: ${JSON.stringify(errors)}`);
    return (await toast.count()) > 0 || (await toasts(page).allInnerTexts()).map(norm);
  }, `no notification asking "${ask.question}"`, SUBMIT_QUESTION_MS);
  if (ask.modal && !modalAnswered) throw new Error(`the dialog "${ask.modal}" did not show`);
  if (ask.shot) {
    await page.mouse.move(900, 300);
    await page.screenshot({ path: join(out, ask.shot) });
  }
  await toast.first().locator('.monaco-button', { hasText: new RegExp(`^${escapeRe(ask.button)}$`) }).first().click();
  await until(async () => (await toast.count()) === 0 || 'still shown', `the Submit question stayed after clicking ${ask.button}`);
}

/** @type {Record<string, import('./browserAsks.mjs').AskStep>} */
const STEPS = {
  /** MLOps: Run Stage on Cluster → stage → partition → GPUs, CPUs, memory, time limit → (Create Folder) → Submit. */
  async 'run-stage'(page, ask, out) {
    await runFromPalette(page, ask.command);
    await pick(page, ask.stageHint, ask.stage);
    await pick(page, ask.partitionHint, ask.partition);
    await answerInputs(page, ask.inputs);
    await answerSubmit(page, ask, out);
  },

  /** MLOps: Submit Command to Cluster… → cluster → command, GPUs, CPUs, memory, pip, env → Submit. */
  async 'submit-command'(page, ask, out) {
    await runFromPalette(page, ask.command);
    if (ask.cluster) await pick(page, ask.clusterHint, ask.cluster);
    await answerInputs(page, ask.inputs);
    await answerSubmit(page, ask, out);
  },

  /**
   * The views in `panes` as asked (rows folded, rows opened, the rows named visible; the
   * suite hid the other views), the side bar wider; then the screenshot.
   */
  async 'jobs-shot'(page, ask, out) {
    await tidyForScreenshot(page);
    await page.keyboard.press('Escape');
    for (const p of ask.panes) {
      const view = pane(page, p.name);
      const header = view.locator('.pane-header');
      if ((await header.getAttribute('aria-expanded').catch(() => null)) === 'false') await header.click();
      const rowsShown = async () => (await view.locator('.monaco-list-row .label-name').allInnerTexts()).map(norm);
      const row = (/** @type {string} */ label) => view.locator('.monaco-list-row').filter({ has: page.locator('.label-name', { hasText: new RegExp(`^${escapeRe(label)}$`) }) }).first();
      // A single click on a row that has children opens or folds it (VS Code's default).
      const setOpen = async (/** @type {string} */ label, /** @type {boolean} */ open) => {
        await until(async () => (await row(label).count()) > 0 || (await rowsShown()), `the ${p.name} view has no row ${label}`);
        if ((await row(label).getAttribute('aria-expanded')) === String(!open)) await row(label).click();
        await until(async () => (await row(label).getAttribute('aria-expanded')) === String(open) || 'not yet', `${label} did not ${open ? 'open' : 'fold'}`);
      };
      for (const label of p.collapse ?? []) await setOpen(label, false);
      for (const label of p.expand ?? []) await setOpen(label, true);
      for (const label of p.rows ?? []) {
        await until(async () => (await row(label).isVisible().catch(() => false)) || (await rowsShown()), `the ${p.name} view does not show ${label}`);
      }
    }
    const box = ask.sideBarWidth ? await page.locator('.part.sidebar').boundingBox() : null;
    const drag = async (/** @type {number} */ from, /** @type {number} */ to) => {
      const { y, height } = /** @type {NonNullable<typeof box>} */ (box);
      await page.mouse.move(from, y + height / 2);
      await page.mouse.down();
      await page.mouse.move(to, y + height / 2, { steps: 5 });
      await page.mouse.up();
    };
    const widen = box && box.width < ask.sideBarWidth;
    if (widen) await drag(box.x + box.width, box.x + ask.sideBarWidth);
    await page.mouse.move(1200, 700);
    await page.locator('.monaco-hover, .workbench-hover').first().waitFor({ state: 'hidden', timeout: 5000 }).catch(() => undefined);
    await page.screenshot({ path: join(out, ask.shot) });
    if (widen) await drag(box.x + ask.sideBarWidth, box.x + box.width);
  },
};

/** Answers the jobs suite's requests until `finished()`; each becomes one named check. */
export function jobsChecksWhenAsked(/** @type {Page} */ page, /** @type {string} */ out, /** @type {() => boolean} */ finished, /** @type {Checks} */ checks) {
  return answerWhenAsked(page, out, finished, checks, TOPIC, STEPS);
}

export function clearJobsChecks(/** @type {string} */ out) {
  clearAsks(out, TOPIC);
}
