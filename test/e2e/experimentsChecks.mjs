// Browser-side steps of the experiments table, run when its suite
// (test/e2e/suites/experimentsTable.test.ts) asks (the hand-off: test/e2e/browserAsks.mjs):
// what a user does in the page (types a search, presses keys) and the screenshot. What the
// table then holds, the suite asks the panel itself (a probe).
import { join } from 'node:path';
import { answerWhenAsked, appFrame, clearAsks, until } from './browserAsks.mjs';

/** @typedef {import('playwright-core').Page} Page */
/** @typedef {import('./results.mjs').Checks} Checks */

const TOPIC = 'experiments';

/** @type {Record<string, import('./browserAsks.mjs').AskStep>} */
const STEPS = {
  async hello() {},

  /** Types into the search box as a user would, key by key (the webview debounces). */
  async search(page, ask) {
    const frame = await appFrame(page, 'experiments');
    const input = frame.locator('.search-input');
    await input.click();
    await input.fill('');
    await input.pressSequentially(ask.text, { delay: 5 });
  },

  /** Keys pressed on the table (it takes the focus first, as a click on it would). */
  async keys(page, ask) {
    const frame = await appFrame(page, 'experiments');
    await frame.locator('.grid').focus();
    for (const k of ask.keys) await page.keyboard.press(k);
  },

  /** Picks a column in the Group by select. */
  async group(page, ask) {
    const frame = await appFrame(page, 'experiments');
    await frame.locator('.group-select').selectOption(ask.value);
  },

  async shot(page, ask, out) {
    const frame = await appFrame(page, 'experiments');
    if (ask.themeClass) {
      await until(async () => (await frame.evaluate(() => document.body.className)).includes(ask.themeClass) || (await frame.evaluate(() => document.body.className)), `the webview is not in ${ask.themeClass}`);
    }
    await page.mouse.move(5, 5);
    await page.waitForTimeout(400);
    await page.screenshot({ path: join(out, ask.shot) });
    // The editor area alone as well: what the README shows.
    if (ask.editorShot) await page.locator('.part.editor').screenshot({ path: join(out, ask.editorShot) });
  },
};

/** Answers the experiments table suite's requests until `finished()`; each becomes one named check. */
export function experimentsChecksWhenAsked(/** @type {Page} */ page, /** @type {string} */ out, /** @type {() => boolean} */ finished, /** @type {Checks} */ checks) {
  return answerWhenAsked(page, out, finished, checks, TOPIC, STEPS);
}

/** Removes a previous run's request and answer files, before the suites start. */
export function clearExperimentsChecks(/** @type {string} */ out) {
  clearAsks(out, TOPIC);
}
