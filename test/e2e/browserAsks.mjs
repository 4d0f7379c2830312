// The runner's half of the hand-off with a suite in the extension host (the suite's half
// is test/e2e/askRunner.ts): the suite writes `e2e-<topic>-<n>.ready` (JSON: the step and
// what to expect) and waits for `e2e-<topic>-<n>.done` ({ ok, error }). Each answer is one
// named check of the run. Also the waits every browser step uses.
import { existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export const WAIT_MS = 30000;

/**
 * Resolves once `fn()` gives true; its last other answer goes into the error.
 * @param {() => Promise<unknown>} fn
 * @param {string} what
 */
export async function until(fn, what, timeoutMs = WAIT_MS) {
  const deadline = Date.now() + timeoutMs;
  let last;
  while (Date.now() < deadline) {
    last = await fn().catch((e) => `error: ${e.message}`);
    if (last === true) return;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`${what} (last seen: ${JSON.stringify(last)})`);
}

/**
 * The frame of the webview app `app`: webviews are iframes inside iframes in code-server,
 * found by the app name our panel shell puts on #root.
 * @param {import('playwright-core').Page} page
 * @param {string} app
 * @returns {Promise<import('playwright-core').Frame>}
 */
export async function appFrame(page, app, timeoutMs = WAIT_MS) {
  /** @type {import('playwright-core').Frame | undefined} */
  let found;
  await until(
    async () => {
      for (const frame of page.frames()) {
        const name = await frame.evaluate(() => document.querySelector('#root')?.getAttribute('data-app') ?? null).catch(() => null);
        if (name === app) return !!(found = frame);
      }
      return false;
    },
    `no ${app} webview frame within ${timeoutMs / 1000} s`,
    timeoutMs,
  );
  // until() throws unless a frame was found.
  return /** @type {import('playwright-core').Frame} */ (found);
}

/**
 * @typedef {(page: import('playwright-core').Page, ask: any, out: string) => Promise<unknown>} AskStep
 *   `ask`: the suite's JSON request (its step name, title and what to expect)
 */

/**
 * Answers `topic`'s requests with `steps[ask.step](page, ask, out)` until `finished()`.
 * @param {import('playwright-core').Page} page
 * @param {string} out
 * @param {() => boolean} finished
 * @param {import('./results.mjs').Checks} checks
 * @param {string} topic
 * @param {Record<string, AskStep>} steps
 */
export async function answerWhenAsked(page, out, finished, checks, topic, steps) {
  let n = 1;
  while (!finished()) {
    const ready = join(out, `e2e-${topic}-${n}.ready`);
    if (!existsSync(ready)) {
      await new Promise((r) => setTimeout(r, 250));
      continue;
    }
    const ask = JSON.parse(readFileSync(ready, 'utf8'));
    let error;
    await checks.run(`[${topic}] ${ask.title}`, async () => {
      const step = steps[ask.step];
      if (!step) throw new Error(`unknown ${topic} check ${ask.step}`);
      try {
        await step(page, ask, out);
      } catch (err) {
        error = err?.message ?? String(err);
        throw err;
      }
    });
    writeFileSync(join(out, `e2e-${topic}-${n}.done`), JSON.stringify({ ok: !error, error }));
    n++;
  }
}

/**
 * Removes a previous run's request and answer files of `topic`, before the suites start.
 * @param {string} out
 * @param {string} topic
 */
export function clearAsks(out, topic) {
  if (!existsSync(out)) return;
  const mine = new RegExp(`^e2e-${topic}-\\d+\\.(ready|done)$`);
  for (const f of readdirSync(out)) if (mine.test(f)) rmSync(join(out, f), { force: true });
}
