// Browser-side steps of the Models suite (test/e2e/suites/models.test.ts; the hand-off:
// test/e2e/browserAsks.mjs): answer the QuickPick / InputBox a Models command opened, with
// the keyboard, and in the Try Model panel click Send and wait for the predictions, then the
// screenshot of the Models view with the served endpoint beside the panel.
import { join } from 'node:path';
import { answerWhenAsked, appFrame, clearAsks, until } from './browserAsks.mjs';
import { tidyForScreenshot } from './uiChecks.mjs';

/** @typedef {import('playwright-core').Page} Page */
/** @typedef {import('./results.mjs').Checks} Checks */

const TOPIC = 'models';
const norm = (/** @type {string} */ s) => s.replace(/\s+/g, ' ').trim();

/** @type {Record<string, import('./browserAsks.mjs').AskStep>} */
const STEPS = {
  // ask: { titleIncludes, text } — the open quick input whose title holds it gets `text` and Enter.
  async answer(page, ask) {
    const widget = page.locator('.quick-input-widget');
    const input = page.locator('.quick-input-widget .quick-input-box input');
    const title = async () => norm((await page.locator('.quick-input-widget .quick-input-title').textContent().catch(() => '')) ?? '');
    await until(async () => ((await widget.isVisible()) && (await title()).includes(ask.titleIncludes)) || (await title()), `no quick input titled "${ask.titleIncludes}"`);
    await until(async () => (await input.evaluate((el) => el === document.activeElement)) || 'not focused', 'the quick input has no focus');
    await page.keyboard.press('Control+A');
    await page.keyboard.press('Backspace');
    await page.keyboard.type(ask.text, { delay: 5 });
    await until(async () => (await input.inputValue()) === ask.text || (await input.inputValue()), `the input does not hold ${JSON.stringify(ask.text)}`);
    if (ask.rowIncludes) {
      const row = page.locator('.quick-input-widget .quick-input-list .monaco-list-row', { hasText: ask.rowIncludes }).first();
      await until(async () => (await row.isVisible()) || 'no row', `no row with "${ask.rowIncludes}"`);
    }
    await page.keyboard.press('Enter');
    const rows = async () => norm((await page.locator('.quick-input-widget .quick-input-list').textContent().catch(() => '')) ?? '');
    await until(
      async () => !(await widget.isVisible()) || ((await title()) !== '' && !(await title()).includes(ask.titleIncludes)) || `title "${await title()}", rows "${(await rows()).slice(0, 300)}", message "${norm((await page.locator('.quick-input-widget .quick-input-message').textContent().catch(() => '')) ?? '')}"`,
      'the quick input did not close',
    );
  },
  // ask: { expect, shot } — Send in the Try Model panel; its result card shows `expect`.
  async trySend(page, ask, out) {
    const frame = await appFrame(page, 'tryModel');
    await frame.locator('.try-send').click();
    await until(async () => norm((await frame.locator('.try-results').textContent()) ?? '').includes(ask.expect) || norm((await frame.locator('.try-results').textContent()) ?? ''), `the Try Model panel does not show ${ask.expect}`, 60000);
    await tidyForScreenshot(page);
    await page.mouse.move(900, 700);
    await page.screenshot({ path: join(ask.repo ?? out, ask.shot) });
  },
};

/** Answers the Models suite's requests until `finished()`; each becomes one named check. */
export function modelsChecksWhenAsked(/** @type {Page} */ page, /** @type {string} */ out, /** @type {() => boolean} */ finished, /** @type {Checks} */ checks) {
  return answerWhenAsked(page, out, finished, checks, TOPIC, STEPS);
}

export function clearModelsChecks(/** @type {string} */ out) {
  clearAsks(out, TOPIC);
}
