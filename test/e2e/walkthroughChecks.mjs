// Browser-side look at the Getting Started walkthrough for the suite
// test/e2e/suites/walkthrough.test.ts (the hand-off: test/e2e/browserAsks.mjs): once the
// suite opened it, the walkthrough's title, every step title and the selected step's
// markdown media must be on screen; once the suite caused some steps' completion events,
// those steps must be ticked; then test-results/e2e-walkthrough.png is taken.
import { join } from 'node:path';
import { answerWhenAsked, clearAsks, until } from './browserAsks.mjs';
import { pane, tidyForScreenshot } from './uiChecks.mjs';

/** @typedef {import('playwright-core').Page} Page */
/** @typedef {import('./results.mjs').Checks} Checks */
/** @typedef {{ x: number, y: number, width: number, height: number }} Box */

const TOPIC = 'walkthrough';
const norm = (/** @type {string} */ s) => s.replace(/\s+/g, ' ').trim();

/** Which of `headings` a webview frame shows: the markdown media is an iframe in an iframe, never the page itself. */
async function mediaShown(/** @type {Page} */ page, /** @type {string[]} */ headings) {
  for (const frame of page.frames()) {
    if (frame === page.mainFrame()) continue;
    const h1 = norm((await frame.evaluate(() => document.querySelector('h1')?.innerText ?? '').catch(() => '')) ?? '');
    if (headings.includes(h1)) return h1;
  }
  return undefined;
}

/** The step buttons whose title is one of `titles` and that are ticked (aria-checked). */
async function ticked(/** @type {Page} */ page, /** @type {string[]} */ titles) {
  const buttons = page.locator('.gettingStartedContainer .gettingStartedSlideDetails button.getting-started-step');
  /** @type {string[]} */
  const seen = [];
  for (const b of await buttons.all()) {
    const title = norm((await b.locator('.step-title').first().textContent().catch(() => '')) ?? '');
    if (titles.includes(title) && (await b.getAttribute('aria-checked')) === 'true') seen.push(title);
  }
  return seen;
}

const steps = {
  /** ask: { category, steps: [titles], media: [the heading of each step's markdown] }. */
  async shown(/** @type {Page} */ page, /** @type {{ category: string, steps: string[], media: string[] }} */ ask) {
    const editor = page.locator('.part.editor .gettingStartedContainer');
    await until(async () => (await editor.isVisible()) || 'not shown', 'the walkthrough editor is not shown');
    const category = page.locator('.gettingStartedContainer .gettingStartedSlideDetails .category-title');
    await until(async () => norm((await category.first().textContent().catch(() => '')) ?? '') === ask.category || (await category.allTextContents()), `the walkthrough title is not "${ask.category}"`);
    const titles = page.locator('.gettingStartedContainer .gettingStartedSlideDetails .getting-started-step .step-title');
    await until(async () => {
      const seen = (await titles.allTextContents()).map(norm);
      return ask.steps.every((/** @type {string} */ t) => seen.includes(t)) || seen;
    }, 'the walkthrough does not list every step');
    await until(async () => !!(await mediaShown(page, ask.media)) || 'no step media shown', "the selected step's markdown media is not shown");
  },
  /** ask: { stage }: clicks the stage's inline "Run Stage" action in the Pipelines view, as a user does. */
  async runStageInView(/** @type {Page} */ page, /** @type {{ stage: string }} */ ask) {
    const row = pane(page, 'Pipelines').locator('.monaco-list-row').filter({ has: page.locator('.label-name', { hasText: new RegExp(`^${ask.stage}$`) }) }).first();
    await row.waitFor({ state: 'visible', timeout: 30000 });
    await row.hover();
    const action = row.locator('.action-label[aria-label^="Run Stage"]').first();
    await until(async () => (await action.isVisible()) || 'hidden', `the "${ask.stage}" row shows no Run Stage action`);
    await action.click();
  },
  /** ask: { done: [titles of the steps whose completion event the suite caused], media }; then the screenshot. */
  async completed(/** @type {Page} */ page, /** @type {{ done: string[], media: string[] }} */ ask, /** @type {string} */ out) {
    await until(async () => {
      const seen = await ticked(page, ask.done);
      return ask.done.every((/** @type {string} */ t) => seen.includes(t)) || seen;
    }, `the steps ${JSON.stringify(ask.done)} are not all ticked`);
    await tidyForScreenshot(page);
    await until(async () => !!(await mediaShown(page, ask.media)) || 'no step media shown', "the selected step's markdown media is not shown");
    await page.screenshot({ path: join(out, 'e2e-walkthrough.png') });
    // The walkthrough alone, for the README (kept small): from its title down to its last
    // step, as wide as the media beside it (whose own box runs the editor's full height).
    const details = page.locator('.gettingStartedSlideDetails');
    const boxesOf = async (/** @type {string} */ sel) =>
      /** @type {Box[]} */ ((await Promise.all((await details.locator(sel).all()).map((p) => p.boundingBox()))).filter((b) => b && b.width && b.height));
    const rows = await boxesOf('.category-title, .getting-started-step');
    const wide = [...rows, ...(await boxesOf('.getting-started-media'))];
    if (rows.length) {
      const pad = 24;
      const x = Math.max(0, Math.min(...wide.map((b) => b.x)) - pad);
      const y = Math.max(0, Math.min(...rows.map((b) => b.y)) - pad);
      const right = Math.max(...wide.map((b) => b.x + b.width)) + pad;
      const bottom = Math.max(...rows.map((b) => b.y + b.height)) + 8;
      await page.screenshot({ path: join(out, 'e2e-walkthrough-steps.png'), clip: { x, y, width: right - x, height: bottom - y } });
    }
  },
};

/** Answers the walkthrough suite's asks until `finished()`. */
/**
 * @param {Page} page
 * @param {string} out
 * @param {() => boolean} finished
 * @param {Checks} checks
 */
export function walkthroughChecksWhenAsked(page, out, finished, checks) {
  return answerWhenAsked(page, out, finished, checks, TOPIC, steps);
}

export function clearWalkthroughChecks(/** @type {string} */ out) {
  clearAsks(out, TOPIC);
}
