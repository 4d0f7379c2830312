// Browser-side checks of the metric-chart and comparison webviews, run when the panels
// suite (test/e2e/suites/panels.test.ts) asks: it writes `e2e-panels-<n>.ready` (JSON:
// the step and what to expect) once a panel is open, and waits for `e2e-panels-<n>.done`
// ({ ok, error }). Webviews are iframes inside iframes in code-server: the frame is found
// by the app name our panel shell puts on #root.
import { existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const WAIT_MS = 30000;

async function appFrame(page, app, timeoutMs = WAIT_MS) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    for (const frame of page.frames()) {
      const name = await frame.evaluate(() => document.querySelector('#root')?.getAttribute('data-app') ?? null).catch(() => null);
      if (name === app) return frame;
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`no ${app} webview frame within ${timeoutMs / 1000} s`);
}

async function until(fn, what, timeoutMs = WAIT_MS) {
  const deadline = Date.now() + timeoutMs;
  let last;
  while (Date.now() < deadline) {
    last = await fn().catch((e) => `error: ${e.message}`);
    if (last === true) return;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`${what} (last seen: ${JSON.stringify(last)})`);
}

/** Per chart: how many pixels its canvas painted (uPlot's canvas is transparent where nothing is drawn). */
const paintedPixels = (frame) =>
  frame.evaluate(() =>
    [...document.querySelectorAll('.chart-card[data-metric]')].map((card) => {
      const c = card.querySelector('canvas');
      if (!c || !c.width) return { metric: card.dataset.metric, painted: 0 };
      const data = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
      let painted = 0;
      for (let i = 3; i < data.length; i += 4) if (data[i] > 0) painted++;
      return { metric: card.dataset.metric, painted };
    }),
  );

const STEPS = {
  /** The suite waits for this before it changes the workspace: the runner's own checks are done by then. */
  async hello() {},

  /** The charts drew and the legend names the runs; then a screenshot in the current theme. */
  async metrics(page, ask, out) {
    const frame = await appFrame(page, 'metrics');
    await until(
      async () => {
        const legend = await frame.evaluate(() => [...document.querySelectorAll('.legend-item')].map((b) => b.textContent.trim()));
        return ask.runs.every((r) => legend.some((l) => l.startsWith(r))) || legend;
      },
      `the legend does not list ${ask.runs.join(', ')}`,
    );
    await until(
      async () => {
        const charts = await paintedPixels(frame);
        const ok = ask.metrics.every((m) => charts.some((c) => c.metric === m && c.painted > 2000));
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

  /** A point logged to the running run shows up at the end of its line. */
  async 'metrics-append'(page, ask) {
    const frame = await appFrame(page, 'metrics');
    await until(
      () => frame.evaluate(({ run, metric, atStep }) => window.mlopsMetrics?.lastStep(metric, run) === atStep || window.mlopsMetrics?.lastStep(metric, run), ask),
      `step ${ask.atStep} of ${ask.metric} did not appear for run ${ask.run}`,
    );
  },

  /** The table lists the params, and the diff-only switch leaves the ones that differ. */
  async compare(page, ask, out) {
    const frame = await appFrame(page, 'compare');
    const params = () => frame.evaluate(() => window.mlopsCompare?.paramLabels() ?? null);
    await until(async () => JSON.stringify(await params()) === JSON.stringify(ask.before) || (await params()), `the table's params are not ${ask.before.join(', ')}`);
    await frame.locator('#diff-only').click();
    await until(async () => JSON.stringify(await params()) === JSON.stringify(ask.after) || (await params()), `with diff-only the params are not ${ask.after.join(', ')}`);
    const heads = await frame.evaluate(() => [...document.querySelectorAll('.cell.head[data-run]')].map((h) => h.textContent.trim()));
    for (const r of ask.runs) if (!heads.some((h) => h.startsWith(r))) throw new Error(`no column for ${r}: ${JSON.stringify(heads)}`);
    await page.mouse.move(10, 500);
    await page.waitForTimeout(300);
    if (ask.shot) await page.screenshot({ path: join(out, ask.shot) });
  },

  async shot(page, ask, out) {
    const frame = await appFrame(page, ask.app);
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
            const c = document.querySelector(sel);
            if (!c || !c.width) return 0;
            const data = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
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
export async function panelChecksWhenAsked(page, out, finished, checks) {
  let n = 1;
  while (!finished()) {
    const ready = join(out, `e2e-panels-${n}.ready`);
    if (!existsSync(ready)) {
      await new Promise((r) => setTimeout(r, 250));
      continue;
    }
    const ask = JSON.parse(readFileSync(ready, 'utf8'));
    let error;
    await checks.run(`[panels] ${ask.title}`, async () => {
      const step = STEPS[ask.step];
      if (!step) throw new Error(`unknown panel check ${ask.step}`);
      try {
        await step(page, ask, out);
      } catch (err) {
        error = err?.message ?? String(err);
        throw err;
      }
    });
    writeFileSync(join(out, `e2e-panels-${n}.done`), JSON.stringify({ ok: !error, error }));
    n++;
  }
}

/** Removes a previous run's request and answer files, before the suites start. */
export function clearPanelChecks(out) {
  if (!existsSync(out)) return;
  for (const f of readdirSync(out)) if (/^e2e-panels-\d+\.(ready|done)$/.test(f)) rmSync(join(out, f), { force: true });
}
