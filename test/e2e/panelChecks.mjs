// Browser-side checks of the metric-chart and comparison webviews, run when the panels
// suite (test/e2e/suites/panels.test.ts) asks (the hand-off: test/e2e/browserAsks.mjs).
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { answerWhenAsked, appFrame, clearAsks, until, WAIT_MS } from './browserAsks.mjs';

/** @typedef {import('playwright-core').Page} Page */
/** @typedef {import('./results.mjs').Checks} Checks */

/** Per chart: how many pixels its canvas painted (uPlot's canvas is transparent where nothing is drawn). */
const paintedPixels = (/** @type {import('playwright-core').Frame} */ frame) =>
  frame.evaluate(() =>
    [.../** @type {NodeListOf<HTMLElement>} */ (document.querySelectorAll('.chart-card[data-metric]'))].map((card) => {
      const c = card.querySelector('canvas');
      if (!c || !c.width) return { metric: card.dataset.metric, painted: 0 };
      const data = /** @type {CanvasRenderingContext2D} */ (c.getContext('2d')).getImageData(0, 0, c.width, c.height).data;
      let painted = 0;
      for (let i = 3; i < data.length; i += 4) if (data[i] > 0) painted++;
      return { metric: card.dataset.metric, painted };
    }),
  );

/** @type {Record<string, import('./browserAsks.mjs').AskStep>} */
const STEPS = {
  /** The suite waits for this before it changes the workspace: the runner's own checks are done by then. */
  async hello() {},

  /** The charts drew and the legend names the runs; then a screenshot in the current theme. */
  async metrics(page, ask, out) {
    const frame = await appFrame(page, 'metrics');
    await until(
      async () => {
        const legend = await frame.evaluate(() => [...document.querySelectorAll('.legend-item')].map((b) => b.textContent.trim()));
        // The panel's notice tells why a run is missing.
        return ask.runs.every((/** @type {string} */ r) => legend.some((l) => l.startsWith(r))) || { legend, notice: await frame.evaluate(() => document.getElementById('notice')?.textContent ?? '') };
      },
      `the legend does not list ${ask.runs.join(', ')}`,
      ask.waitMs,
    );
    // Runs charted together are told apart: each its own colour while the palette (10) lasts,
    // even runs that were coloured apart before (each alone took the first colour).
    const swatches = await frame.evaluate(() => [...document.querySelectorAll('#legend .legend-item .swatch')].map((s) => getComputedStyle(s).backgroundColor));
    if (swatches.length <= 10 && new Set(swatches).size !== swatches.length) throw new Error(`two runs in the legend share a colour: ${swatches.join(', ')}`);
    await until(
      async () => {
        const charts = await paintedPixels(frame);
        const ok = ask.metrics.every((/** @type {string} */ m) => charts.some((c) => c.metric === m && c.painted > 2000));
        return ok || charts;
      },
      `not every chart of ${ask.metrics.join(', ')} painted its canvas`,
    );
    if (ask.themeClass) {
      await until(async () => (await frame.evaluate(() => document.body.className)).includes(ask.themeClass) || (await frame.evaluate(() => document.body.className)), `the webview is not in ${ask.themeClass}`);
    }
    await page.mouse.move(10, 500);
    await page.waitForTimeout(300);
    if (ask.shot) await page.screenshot({ path: join(out, ask.shot) });
  },

  /**
   * The table has a column per run; then the user ticks "Only params that differ". What
   * the (virtualised) table holds before and after, the suite asks the panel itself (a probe).
   */
  async 'compare-diff-only'(page, ask) {
    const frame = await appFrame(page, 'compare');
    const heads = () => frame.evaluate(() => [...document.querySelectorAll('.cell.head[data-run]')].map((h) => h.textContent.trim()));
    await until(async () => {
      const hs = await heads();
      return ask.runs.every((/** @type {string} */ r) => hs.some((h) => h.startsWith(r))) || hs;
    }, `the table has no column for each of ${ask.runs.join(', ')}`);
    await frame.locator('#diff-only').click();
    await page.mouse.move(10, 500);
  },

  async shot(page, ask, out) {
    const frame = await appFrame(page, ask.app);
    await frame.evaluate(() => window.scrollTo(0, 0));
    if (ask.themeClass) {
      await until(async () => (await frame.evaluate(() => document.body.className)).includes(ask.themeClass) || (await frame.evaluate(() => document.body.className)), `the webview is not in ${ask.themeClass}`);
    }
    await page.waitForTimeout(500);
    await page.screenshot({ path: join(out, ask.shot) });
  },

  /** The comparison's charts (parallel coordinates, scatter, the overlaid metric) painted; a screenshot of them. */
  async 'compare-charts'(page, ask, out) {
    const frame = await appFrame(page, 'compare');
    await frame.evaluate(() => document.querySelector('.compare-charts')?.scrollIntoView());
    await until(
      async () => {
        const painted = await frame.evaluate(() =>
          ['#parallel', '#scatter', '#overlay canvas'].map((sel) => {
            const c = /** @type {HTMLCanvasElement | null} */ (document.querySelector(sel));
            if (!c || !c.width) return 0;
            const data = /** @type {CanvasRenderingContext2D} */ (c.getContext('2d')).getImageData(0, 0, c.width, c.height).data;
            let n = 0;
            for (let i = 3; i < data.length; i += 4) if (data[i] > 0) n++;
            return n;
          }),
        );
        return painted.every((n) => n > 1000) || painted;
      },
      'the parallel coordinates, scatter and overlaid charts did not all paint',
    );
    await page.waitForTimeout(300);
    if (ask.shot) await page.screenshot({ path: join(out, ask.shot) });
  },
};

/** Answers the panels suite's requests until `finished()`; each becomes one named check. */
export function panelChecksWhenAsked(/** @type {Page} */ page, /** @type {string} */ out, /** @type {() => boolean} */ finished, /** @type {Checks} */ checks) {
  return answerWhenAsked(page, out, finished, checks, 'panels', STEPS);
}

/** Removes a previous run's request and answer files, before the suites start. */
export function clearPanelChecks(/** @type {string} */ out) {
  clearAsks(out, 'panels');
  rmSync(join(out, RELOAD_FILE), { force: true });
}

// Written by test/e2e/suites/windowReload.test.ts: the runs and metrics of the panel it left open.
const RELOAD_FILE = 'e2e-panels-reload.json';
// After a reload code-server starts a new extension host, activates us and restores the panel.
const RELOAD_MS = 120000;

/**
 * After every suite: the metrics panel the reload suite left open drew; a page reload (a
 * window reload in code-server: new extension host, the serializer restores the panel from
 * its webview state) brings it back with the same runs and drawn charts.
 */
export async function metricsPanelAfterReload(/** @type {Page} */ page, /** @type {string} */ out, /** @type {Checks} */ checks) {
  const file = join(out, RELOAD_FILE);
  if (!existsSync(file)) return;
  const ask = JSON.parse(readFileSync(file, 'utf8'));
  // The suite left the panel behind another editor: its tab brings it forward.
  const showPanel = async (/** @type {number} */ timeout) => {
    const tab = page.locator('.tabs-container .tab', { hasText: 'Metrics (' }).first();
    await tab.waitFor({ state: 'visible', timeout });
    // A QuickPick a failed check left open would take the click.
    await page.keyboard.press('Escape');
    await tab.click();
    await appFrame(page, 'metrics', timeout);
  };
  await checks.run(`[panels] the metrics panel on ${ask.runs.join(', ')} drew before the window reload`, async () => {
    await showPanel(WAIT_MS);
    await STEPS.metrics(page, ask, out);
  });
  await checks.run('[panels] after a window reload the metrics panel comes back with its runs and drawn charts', async () => {
    // "Developer: Reload Window", as a user reloads: the workbench saves its editors' state
    // (the webview's too) before it reloads; a bare browser reload may cut that short.
    await page.keyboard.press('Escape');
    await page.locator('.part.editor').click().catch(() => undefined);
    await page.keyboard.press('F1');
    const input = page.locator('.quick-input-widget .quick-input-box input');
    await until(async () => (await input.inputValue()).startsWith('>') || 'no palette', 'F1 did not open the command palette');
    await page.keyboard.type('Developer: Reload Window', { delay: 5 });
    const row = page.locator('.quick-input-widget .quick-input-list .monaco-list-row', { has: page.locator('.label-name', { hasText: /^Developer: Reload Window$/ }) });
    await row.first().waitFor({ state: 'visible', timeout: WAIT_MS });
    await Promise.all([page.waitForEvent('framenavigated', { predicate: (f) => f === page.mainFrame(), timeout: RELOAD_MS }), row.first().click()]);
    await page.locator('.monaco-workbench').waitFor({ state: 'visible', timeout: RELOAD_MS });
    await showPanel(RELOAD_MS);
    // A new extension host activates, lists every store and reads the histories before the
    // panel can draw: on a loaded machine that outlasts the usual wait.
    await STEPS.metrics(page, { ...ask, shot: 'e2e-metrics-after-reload.png', waitMs: RELOAD_MS }, out);
  });
}
