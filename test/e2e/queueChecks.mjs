// Browser-side steps of the DVC queue suite (test/e2e/suites/experimentsQueue.test.ts; the
// hand-off: test/e2e/browserAsks.mjs): what a user does in the workbench — "Queue
// Experiment…" from the command palette with its form answered (a param picked, a grid of
// values typed, the confirmation), the notification's "Start Queue Workers…" with one
// worker, "Filter Runs…" with MLflow's syntax, and the screenshots. The suite checks the
// Runs view itself.
import { join } from 'node:path';
import { answerWhenAsked, appFrame, clearAsks, until } from './browserAsks.mjs';
import { openMlopsContainer, pane } from './uiChecks.mjs';

/** @typedef {import('playwright-core').Page} Page */
/** @typedef {import('./results.mjs').Checks} Checks */

const TOPIC = 'queue';
const norm = (/** @type {string} */ s) => s.replace(/\s+/g, ' ').trim();
const widget = (/** @type {Page} */ page) => page.locator('.quick-input-widget');
const input = (/** @type {Page} */ page) => page.locator('.quick-input-widget .quick-input-box input');
const rowLabels = (/** @type {Page} */ page) => page.locator('.quick-input-widget .quick-input-list .monaco-list-row .label-name');
const title = async (/** @type {Page} */ page) => norm((await page.locator('.quick-input-widget .quick-input-title').textContent().catch(() => '')) ?? '');
const toasts = (/** @type {Page} */ page) => page.locator('.notifications-toasts .notification-toast').allInnerTexts().then((t) => t.map(norm));

/** Waits for the quick input whose title holds `part`, with its input focused. */
async function atTitle(/** @type {Page} */ page, /** @type {string} */ part, timeoutMs = 60000) {
  await until(async () => ((await widget(page).isVisible()) && (await title(page)).includes(part)) || (await title(page)) || 'hidden', `no quick input titled "…${part}…"`, timeoutMs);
  await until(async () => (await input(page).evaluate((el) => el === document.activeElement)) || 'not focused', `the input of "${part}" has no focus`);
}

/** Replaces what the box holds with `text`, as typed. */
async function typeAnswer(/** @type {Page} */ page, /** @type {string} */ text) {
  await page.keyboard.press('Control+A');
  await page.keyboard.press('Backspace');
  if (text) await page.keyboard.type(text, { delay: 5 });
  await until(async () => (await input(page).inputValue()) === text || (await input(page).inputValue()), `the input does not hold ${JSON.stringify(text)}`);
}

/** Runs `command` (its palette title, "MLOps: …") from F1, clicking its row. */
async function runFromPalette(/** @type {Page} */ page, /** @type {string} */ command) {
  await page.keyboard.press('Escape');
  await page.locator('.part.editor').click().catch(() => undefined);
  await page.keyboard.press('F1');
  await until(async () => ((await widget(page).isVisible()) && (await input(page).inputValue()).startsWith('>')) || 'no palette', 'F1 did not open the command palette');
  await page.keyboard.type(command.replace(/^MLOps: /, ''), { delay: 5 });
  const row = page.locator('.quick-input-widget .quick-input-list .monaco-list-row').filter({ has: page.locator('.label-name', { hasText: new RegExp(`^${command.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`) }) });
  await until(async () => (await row.count()) === 1 || (await rowLabels(page).allTextContents()).map(norm), `the palette does not list "${command}"`);
  await row.first().click();
}

/** Clicks the button `label` of the toast whose text matches `re`, waiting for it. */
async function clickToastButton(/** @type {Page} */ page, /** @type {RegExp} */ re, /** @type {string} */ label, timeoutMs = 120000) {
  const toast = page.locator('.notifications-toasts .notification-toast').filter({ hasText: re });
  await until(async () => (await toast.count()) > 0 || (await toasts(page)), `no notification matching ${re}`, timeoutMs);
  await toast.first().getByRole('button', { name: label }).click();
}

/** @type {Record<string, import('./browserAsks.mjs').AskStep>} */
const STEPS = {
  async hello() {},

  /**
   * Queue Experiment…: step 1 picks `ask.param`, step 2 types the grid `ask.values`, step 3
   * leaves the name to DVC; the confirmation "Queue N Experiments"; then the notification's
   * "Start Queue Workers…" with one worker.
   */
  async 'queue-grid'(page, ask, out) {
    await runFromPalette(page, 'MLOps: Queue Experiment…');
    await atTitle(page, '(1/3)');
    await page.keyboard.type(ask.param, { delay: 5 });
    const row = page.locator('.quick-input-widget .quick-input-list .monaco-list-row').filter({ has: page.locator('.label-name', { hasText: new RegExp(`^${ask.param.replace(/\./g, '\\.')}$`) }) });
    await until(async () => (await row.count()) === 1 || (await rowLabels(page).allTextContents()).map(norm), `step 1 does not offer ${ask.param}`);
    // The row's checkbox (a custom toggle in VS Code's list); a click on the row toggles it too.
    const box = row.first().locator('.monaco-checkbox, input[type=checkbox]');
    if (await box.count()) await box.first().click();
    else await row.first().locator('.label-name').click();
    await page.locator('.quick-input-widget .quick-input-action').getByRole('button', { name: /OK/i }).click();
    await atTitle(page, '(2/3)');
    await typeAnswer(page, ask.values);
    if (ask.formShot) await page.screenshot({ path: join(out, ask.formShot) });
    await page.keyboard.press('Enter');
    await atTitle(page, '(3/3)');
    await page.keyboard.press('Enter');
    const go = page.locator('.monaco-dialog-box').getByRole('button', { name: `Queue ${ask.size} Experiments` });
    await until(async () => (await go.count()) > 0 || 'no dialog', `no "Queue ${ask.size} Experiments" confirmation`);
    await go.click();
    await clickToastButton(page, new RegExp(`queued ${ask.size} experiments`), 'Start Queue Workers…');
    await atTitle(page, 'Start Queue Workers');
    await typeAnswer(page, '1');
    await page.keyboard.press('Enter');
    await until(async () => (await toasts(page)).some((t) => /queue workers started/.test(t)) || (await toasts(page)), 'no "queue workers started" notification', 120000);
  },

  /** Filter Runs…: the MLflow search typed into its box, Enter. */
  async filter(page, ask) {
    await runFromPalette(page, 'MLOps: Filter Runs…');
    await atTitle(page, 'MLflow search syntax');
    await typeAnswer(page, ask.text);
    await until(async () => !(await page.locator('.quick-input-widget .quick-input-message.error, .quick-input-widget .inputValidation-error').count()) || 'invalid', `the filter ${ask.text} is refused`);
    await page.keyboard.press('Enter');
    await until(async () => !(await widget(page).isVisible()) || 'still open', 'the filter box stayed open');
  },

  /** The Runs view, expanded as the suite left it, and the page. */
  async shot(page, ask, out) {
    await openMlopsContainer(page);
    await pane(page, 'Runs').scrollIntoViewIfNeeded().catch(() => undefined);
    await page.mouse.move(5, 5);
    await page.waitForTimeout(400);
    await page.screenshot({ path: join(out, ask.shot) });
  },
};

/** The nested-runs and group-means suite (test/e2e/suites/experimentsNested.test.ts): its own topic. */
const NESTED = 'nested';

/** Painted (non-transparent) pixels of the loss chart's canvas. */
async function paintedLoss(/** @type {import('playwright-core').Frame} */ frame) {
  return frame.evaluate(() => {
    const c = /** @type {HTMLCanvasElement | null} */ (document.querySelector('.chart-card[data-metric="loss"] canvas'));
    if (!c) return 0;
    const d = c.getContext('2d')?.getImageData(0, 0, c.width, c.height).data;
    let n = 0;
    if (d) for (let i = 3; i < d.length; i += 4) if (d[i]) n++;
    return n;
  });
}

/** @type {Record<string, import('./browserAsks.mjs').AskStep>} */
const NESTED_STEPS = {
  async hello() {},

  /** Clicks the disclosure triangle of the row named `ask.name`. */
  async twisty(page, ask) {
    const frame = await appFrame(page, 'experiments');
    const row = frame.locator('.row').filter({ hasText: new RegExp(`^.${ask.name}`) });
    await until(async () => (await row.locator('.twisty').count()) > 0 || 'no triangle', `no triangle on ${ask.name}`);
    await row.locator('.twisty').first().click();
  },

  async 'table-shot'(page, ask, out) {
    await appFrame(page, 'experiments');
    await page.mouse.move(5, 5);
    await page.waitForTimeout(400);
    await page.locator('.part.editor').screenshot({ path: join(out, ask.shot) });
  },

  /** Picks `ask.field` in "Average by": with the runs (a shot), then Show runs off (another). */
  async average(page, ask, out) {
    const frame = await appFrame(page, 'metrics');
    await frame.locator('#group-by').selectOption(ask.field);
    await until(async () => (await frame.locator('#show-runs').isVisible()) || 'hidden', 'no "Show runs" toggle once grouped');
    await until(async () => (await paintedLoss(frame)) > 2000 || (await paintedLoss(frame)), 'the loss chart did not paint');
    await page.mouse.move(5, 5);
    await page.waitForTimeout(400);
    await page.locator('.part.editor').screenshot({ path: join(out, ask.runsShot) });
    const before = await paintedLoss(frame);
    await frame.locator('#show-runs').click();
    // Fewer lines drawn: the runs' own went, the means and bands stayed.
    await until(async () => {
      const now = await paintedLoss(frame);
      return (now > 1000 && now < before) || { before, now };
    }, 'hiding the runs did not change the chart');
    await page.waitForTimeout(300);
    await page.locator('.part.editor').screenshot({ path: join(out, ask.shot) });
  },
};

/** Answers the nested suite's requests until `finished()`. */
export function nestedChecksWhenAsked(/** @type {Page} */ page, /** @type {string} */ out, /** @type {() => boolean} */ finished, /** @type {Checks} */ checks) {
  return answerWhenAsked(page, out, finished, checks, NESTED, NESTED_STEPS);
}

/** Answers the queue suite's requests until `finished()`; each becomes one named check. */
export function queueChecksWhenAsked(/** @type {Page} */ page, /** @type {string} */ out, /** @type {() => boolean} */ finished, /** @type {Checks} */ checks) {
  return answerWhenAsked(page, out, finished, checks, TOPIC, STEPS);
}

/** Removes a previous run's request and answer files, before the suites start. */
export function clearQueueChecks(/** @type {string} */ out) {
  clearAsks(out, TOPIC);
  clearAsks(out, NESTED);
}
