// Browser-side checks of the pipelines suite (test/e2e/suites/pipelines.test.ts): the
// Problems panel, the completion widget, a click on a "Run stage" code lens and the DAG
// webview, seen in the DOM and screenshot, when the suite asks (the hand-off:
// test/e2e/browserAsks.mjs).
import { join } from 'node:path';
import { answerWhenAsked, appFrame, clearAsks, until } from './browserAsks.mjs';

/** @typedef {import('playwright-core').Page} Page */
/** @typedef {import('./results.mjs').Checks} Checks */

const norm = (/** @type {string} */ s) => s.replace(/\s+/g, ' ').trim();

/** @type {Record<string, import('./browserAsks.mjs').AskStep>} */
const STEPS = {
  /** The Problems panel lists the planted problem with its message and position. */
  async problems(page, ask, out) {
    // Other suites' problems may fill the list: filter it to ours, as a user would.
    const filter = page.locator('.part.panel .viewpane-filter input, .part.panel .markers-panel-action-filter input').first();
    if (await filter.isVisible().catch(() => false)) await filter.fill(ask.filter ?? ask.message);
    const rows = page.locator('.part.panel .markers-panel .monaco-list-row');
    await until(async () => {
      const texts = (await rows.allInnerTexts()).map(norm);
      return texts.some((t) => t.includes(ask.message) && t.includes(ask.position)) || texts;
    }, `no Problems row with "${ask.message}" at ${ask.position}`);
    await page.mouse.move(900, 200);
    await page.screenshot({ path: join(out, ask.shot) });
  },

  /** Ctrl+Space at the cursor the suite placed: the suggest widget offers the params key. */
  async completion(page, ask, out) {
    await page.locator('.monaco-editor.focused, .editor-instance .monaco-editor').first().click({ position: { x: 5, y: 5 }, trial: true }).catch(() => undefined);
    await page.keyboard.press('Control+Space');
    const rows = page.locator('.editor-widget.suggest-widget .monaco-list-row');
    await until(async () => {
      const labels = (await rows.allInnerTexts()).map(norm);
      return labels.some((l) => l.startsWith(ask.label)) || labels;
    }, `the suggest widget does not offer ${ask.label}`);
    await page.screenshot({ path: join(out, ask.shot) });
    await page.keyboard.press('Escape');
  },

  /** Clicks `title` on the code lens right above the line `ask.line` (the stage's key). */
  async codelens(page, ask, out) {
    const lenses = page.locator('.monaco-editor .codelens-decoration');
    const lines = page.locator('.monaco-editor .view-lines .view-line');
    /** @type {import('playwright-core').Locator | undefined} */
    let target;
    await until(async () => {
      const lineBoxes = [];
      // The editor re-renders its lines and lenses as decorations arrive: an element listed a
      // moment ago can be gone, and waiting for it would hang this round. Skip it; the next
      // round lists the lines again.
      for (const l of await lines.all()) {
        const box = await l.boundingBox({ timeout: 1000 }).catch(() => null);
        if (box) lineBoxes.push({ box, text: norm(await l.innerText({ timeout: 1000 }).catch(() => '')) });
      }
      const seen = [];
      for (const l of await lenses.all()) {
        const box = await l.boundingBox({ timeout: 1000 }).catch(() => null);
        const text = norm(await l.innerText({ timeout: 1000 }).catch(() => ''));
        if (!box || !text.includes(ask.title)) continue;
        // The line a lens belongs to is the first one below it.
        const below = lineBoxes.filter((b) => b.box && b.box.y >= box.y + box.height - 2).sort((a, b) => (a.box?.y ?? 0) - (b.box?.y ?? 0))[0]; // boxes are non-null after the filter
        seen.push(`${text} above "${below?.text}"`);
        if (below?.text === ask.line) target = l;
      }
      return !!target || seen;
    }, `no code lens "${ask.title}" above "${ask.line}"`);
    // until() throws unless a lens was found.
    await /** @type {import('playwright-core').Locator} */ (target).locator('a', { hasText: ask.title }).first().click();
    await page.screenshot({ path: join(out, ask.shot) });
  },

  /** The DAG webview drew every stage, coloured by state; a click on one asks the host to reveal it. */
  async dag(page, ask, out) {
    const frame = await appFrame(page, 'dag');
    await until(async () => {
      const nodes = await frame.evaluate(() => [.../** @type {NodeListOf<HTMLElement>} */ (document.querySelectorAll('.dag-node'))].map((n) => `${n.dataset.stage}:${[...n.classList].find((c) => c.startsWith('state-'))}`));
      return ask.nodes.every((/** @type {string} */ n) => nodes.includes(n)) || nodes;
    }, `the DAG does not show ${ask.nodes.join(', ')}`);
    const edges = await frame.evaluate(() => document.querySelectorAll('.dag-edge').length);
    if (edges < ask.minEdges) throw new Error(`only ${edges} edges drawn, expected ${ask.minEdges}`);
    await page.mouse.move(10, 500);
    await page.screenshot({ path: join(out, ask.shot) });
    if (ask.click) await frame.locator(`.dag-node[data-stage="${ask.click}"]`).click();
  },

  /** Answers a command's input boxes in turn; `bad` is typed first and must show `error` (which blocks Enter). */
  async inputs(page, ask, out) {
    const widget = page.locator('.quick-input-widget');
    const box = widget.locator('.quick-input-box input').first();
    for (const input of ask.inputs) {
      await until(async () => {
        const title = norm(await widget.locator('.quick-input-title').innerText().catch(() => ''));
        return ((await widget.isVisible()) && title.includes(input.title)) || title;
      }, `no input box titled "${input.title}"`);
      if (input.bad !== undefined) {
        await box.fill(input.bad);
        await until(async () => {
          const message = norm(await widget.locator('.quick-input-message').innerText().catch(() => ''));
          return message.includes(input.error) || message;
        }, `typing "${input.bad}" does not show "${input.error}"`);
        if (ask.shot) await page.screenshot({ path: join(out, ask.shot) });
      }
      await box.fill(input.value);
      await page.keyboard.press('Enter');
    }
  },

  async shot(page, ask, out) {
    await page.mouse.move(900, 200);
    await page.waitForTimeout(400);
    await page.screenshot({ path: join(out, ask.shot) });
  },
};

/** Answers the pipelines suite's requests until `finished()`; each becomes one named check. */
export function pipelineChecksWhenAsked(/** @type {Page} */ page, /** @type {string} */ out, /** @type {() => boolean} */ finished, /** @type {Checks} */ checks) {
  return answerWhenAsked(page, out, finished, checks, 'pipelines', STEPS);
}

export function clearPipelineChecks(/** @type {string} */ out) {
  clearAsks(out, 'pipelines');
}
