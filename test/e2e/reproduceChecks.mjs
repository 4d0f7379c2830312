// Browser-side half of the Reproduce suite (test/e2e/suites/runsReproduce.test.ts; the hand-off:
// test/e2e/browserAsks.mjs): the run picked in Reproduce Run's QuickPick with the keyboard,
// the reproducibility report read where it opens (the Markdown preview panel) and
// screenshot, the Provenance section of Compare Runs read, and Clean Up Reproductions…
// walked: its many-pick list accepted, then its modal question answered.
import { join } from 'node:path';
import { answerWhenAsked, appFrame, clearAsks, until } from './browserAsks.mjs';
import { tidyForScreenshot } from './uiChecks.mjs';

/** @typedef {import('playwright-core').Page} Page */
/** @typedef {import('playwright-core').Frame} Frame */
/** @typedef {import('./results.mjs').Checks} Checks */

const TOPIC = 'reproduce';
// The report comes after the worktree, the data checkout and the training run.
const REPORT_MS = 60000;
const norm = (/** @type {string} */ s) => s.replace(/\s+/g, ' ').trim();

const widget = (/** @type {Page} */ page) => page.locator('.quick-input-widget');
const input = (/** @type {Page} */ page) => page.locator('.quick-input-widget .quick-input-box input');
const rows = (/** @type {Page} */ page) => page.locator('.quick-input-widget .quick-input-list .monaco-list-row');

/** Waits for the QuickPick whose placeholder holds `hint` with a row holding `row`. */
async function quickPick(/** @type {Page} */ page, /** @type {string} */ hint, /** @type {string} */ row) {
  const match = rows(page).filter({ hasText: row });
  await until(async () => {
    const placeholder = (await input(page).getAttribute('placeholder').catch(() => '')) ?? '';
    return ((await widget(page).isVisible()) && placeholder.includes(hint) && (await match.count()) > 0) || `${placeholder}: ${JSON.stringify((await rows(page).allInnerTexts()).map(norm))}`;
  }, `no QuickPick "${hint}" with a row "${row}"`);
  await until(async () => (await input(page).evaluate((el) => el === document.activeElement)) || 'not focused', 'the QuickPick has no focus');
}

/** The frame whose page text holds `text` (a Markdown preview is a webview without our #root). */
async function frameWithText(/** @type {Page} */ page, /** @type {string} */ text, timeoutMs = REPORT_MS) {
  /** @type {Frame | undefined} */
  let found;
  await until(
    async () => {
      for (const frame of page.frames()) {
        const body = await frame.evaluate(() => document.body?.innerText ?? '').catch(() => '');
        if (body.includes(text)) return !!(found = frame);
      }
      return false;
    },
    `no panel shows "${text}"`,
    timeoutMs,
  );
  return /** @type {Frame} */ (found);
}

/** @type {Record<string, import('./browserAsks.mjs').AskStep>} */
const STEPS = {
  // ask: { placeholder, text, rowIncludes }: the run typed into the filter, its row chosen with Enter.
  async pick(page, ask) {
    await quickPick(page, ask.placeholder, ask.rowIncludes);
    await page.keyboard.type(ask.text, { delay: 5 });
    await until(async () => (await rows(page).count()) === 1 || (await rows(page).allInnerTexts()).map(norm), `the filter "${ask.text}" does not leave one row`);
    await page.keyboard.press('Enter');
    await until(async () => !(await widget(page).isVisible()) || 'still open', 'the QuickPick did not close');
  },

  // ask: { expect: string[], shot, repo }: the report panel shows every expected text; then its screenshot.
  async report(page, ask, out) {
    const frame = await frameWithText(page, 'Reproducibility report');
    await until(async () => {
      const text = norm(await frame.evaluate(() => document.body.innerText));
      const missing = ask.expect.filter((/** @type {string} */ e) => !text.includes(e));
      return !missing.length || `missing ${JSON.stringify(missing)} in ${text.slice(0, 300)}`;
    }, 'the report panel does not show what the report says');
    await tidyForScreenshot(page);
    await page.screenshot({ path: join(ask.repo ?? out, ask.shot) });
  },

  // ask: { expect: string[] }: Compare Runs' Provenance section is shown and holds every expected text.
  async provenance(page, ask) {
    const frame = await appFrame(page, 'compare');
    await until(async () => {
      const section = frame.locator('#provenance');
      if (!(await section.isVisible())) return 'the Provenance section is hidden';
      const text = norm(await section.innerText());
      const missing = ask.expect.filter((/** @type {string} */ e) => !text.includes(e));
      return !missing.length || `missing ${JSON.stringify(missing)} in ${text.slice(0, 300)}`;
    }, 'Compare Runs shows no Provenance section with the two runs');
  },

  // ask: { placeholder, rowIncludes, dialog, button }: the picked list accepted (Enter), the modal answered with `button`.
  async cleanup(page, ask) {
    await quickPick(page, ask.placeholder, ask.rowIncludes);
    await page.keyboard.press('Enter');
    const dialog = page.locator('.monaco-dialog-box');
    await until(async () => (await dialog.isVisible().catch(() => false)) || 'no dialog', `no question "${ask.dialog}" before anything is removed`);
    const text = norm(await dialog.innerText());
    if (!text.includes(ask.dialog)) throw new Error(`an unexpected dialog: ${text}`);
    await dialog.locator('.monaco-button', { hasText: new RegExp(`^${ask.button}$`) }).first().click();
    await until(async () => !(await dialog.isVisible().catch(() => false)) || 'still shown', 'the dialog stayed');
  },
};

/** Answers the Reproduce suite's requests until `finished()`; each becomes one named check. */
export function reproduceChecksWhenAsked(/** @type {Page} */ page, /** @type {string} */ out, /** @type {() => boolean} */ finished, /** @type {Checks} */ checks) {
  return answerWhenAsked(page, out, finished, checks, TOPIC, STEPS);
}

export function clearReproduceChecks(/** @type {string} */ out) {
  clearAsks(out, TOPIC);
}
