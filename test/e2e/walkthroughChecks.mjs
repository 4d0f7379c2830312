// Browser-side look at the Getting Started walkthrough for the suite
// test/e2e/suites/walkthrough.test.ts (the hand-off: test/e2e/browserAsks.mjs): once the
// suite opened it, the walkthrough's title, every step title and the selected step's
// markdown media must be on screen; then test-results/e2e-walkthrough.png is taken.
import { join } from 'node:path';
import { answerWhenAsked, clearAsks, until } from './browserAsks.mjs';
import { tidyForScreenshot } from './uiChecks.mjs';

const TOPIC = 'walkthrough';
const norm = (s) => s.replace(/\s+/g, ' ').trim();

/** Which of `headings` a webview frame shows: the markdown media is an iframe in an iframe, never the page itself. */
async function mediaShown(page, headings) {
  for (const frame of page.frames()) {
    if (frame === page.mainFrame()) continue;
    const h1 = norm((await frame.evaluate(() => document.querySelector('h1')?.innerText ?? '').catch(() => '')) ?? '');
    if (headings.includes(h1)) return h1;
  }
  return undefined;
}

const steps = {
  /** ask: { category, steps: [titles], media: [the heading of each step's markdown] }. */
  async screenshot(page, ask, out) {
    const editor = page.locator('.part.editor .gettingStartedContainer');
    await until(async () => (await editor.isVisible()) || 'not shown', 'the walkthrough editor is not shown');
    const category = page.locator('.gettingStartedContainer .gettingStartedSlideDetails .category-title');
    await until(async () => norm((await category.first().textContent().catch(() => '')) ?? '') === ask.category || (await category.allTextContents()), `the walkthrough title is not "${ask.category}"`);
    const titles = page.locator('.gettingStartedContainer .gettingStartedSlideDetails .getting-started-step .step-title');
    await until(async () => {
      const seen = (await titles.allTextContents()).map(norm);
      return ask.steps.every((t) => seen.includes(t)) || seen;
    }, 'the walkthrough does not list every step');
    await until(async () => !!(await mediaShown(page, ask.media)) || 'no step media shown', "the selected step's markdown media is not shown");
    await tidyForScreenshot(page);
    await page.screenshot({ path: join(out, 'e2e-walkthrough.png') });
  },
};

/** Answers the walkthrough suite's asks until `finished()`. */
export function walkthroughChecksWhenAsked(page, out, finished, checks) {
  return answerWhenAsked(page, out, finished, checks, TOPIC, steps);
}

export function clearWalkthroughChecks(out) {
  clearAsks(out, TOPIC);
}
