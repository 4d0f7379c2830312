// Browser-side walk of "MLOps: Launch Workspace" for the suite
// test/e2e/suites/workspaceLaunchPick.test.ts (the hand-off: test/e2e/browserAsks.mjs):
// the command palette, then each QuickPick / InputBox step with the keyboard, the Back
// button clicked once, a refused answer, and Escape. The suite checks the engine after.
import { join } from 'node:path';
import { answerWhenAsked, clearAsks, until } from './browserAsks.mjs';

/** @typedef {import('playwright-core').Page} Page */
/** @typedef {import('./results.mjs').Checks} Checks */

const TOPIC = 'launch';
const COMMAND = 'MLOps: Launch Workspace';
const norm = (/** @type {string} */ s) => s.replace(/\s+/g, ' ').trim();

const widget = (/** @type {Page} */ page) => page.locator('.quick-input-widget');
const input = (/** @type {Page} */ page) => page.locator('.quick-input-widget .quick-input-box input');
const rowLabels = (/** @type {Page} */ page, which = '') => page.locator(`.quick-input-widget .quick-input-list .monaco-list-row${which} .label-name`);

async function title(/** @type {Page} */ page) {
  return norm((await page.locator('.quick-input-widget .quick-input-title').textContent()) ?? '');
}

/**
 * Waits for step `n` of `total` (the title ends with "(n/total)") and for its input to be
 * focused. Nine steps without a GPU; ten with one (the idle auto-stop step is the third).
 */
async function atStep(/** @type {Page} */ page, /** @type {number} */ n, total = 9) {
  await until(async () => (await widget(page).isVisible()) && (await title(page)).endsWith(`(${n}/${total})`) || `${await title(page)}`, `the QuickPick did not reach step ${n}/${total}`);
  await until(async () => (await input(page).evaluate((el) => el === document.activeElement)) || 'not focused', `the input of step ${n}/${total} has no focus`);
}

/** Types `text` (replacing what the box holds) and waits until the box shows it. */
async function typeAnswer(/** @type {Page} */ page, /** @type {string} */ text) {
  await page.keyboard.press('Control+A');
  await page.keyboard.press('Backspace');
  if (text) await page.keyboard.type(text, { delay: 5 });
  await until(async () => (await input(page).inputValue()) === text || (await input(page).inputValue()), `the input does not hold ${JSON.stringify(text)}`);
}

/** Runs the command from the palette (F1): types its title and clicks its row. */
async function runFromPalette(/** @type {Page} */ page) {
  // The keyboard to the workbench, not a webview or a widget a suite left open.
  await page.keyboard.press('Escape');
  await page.locator('.part.editor').click().catch(() => undefined);
  await page.keyboard.press('F1');
  await until(async () => (await widget(page).isVisible()) && (await input(page).inputValue()).startsWith('>') || 'no palette', 'F1 did not open the command palette');
  await page.keyboard.type(COMMAND.replace(/^MLOps: /, ''), { delay: 5 });
  const row = page.locator('.quick-input-widget .quick-input-list .monaco-list-row').filter({ has: page.locator('.label-name', { hasText: new RegExp(`^${COMMAND}$`) }) });
  await until(async () => (await row.count()) === 1 || (await rowLabels(page).allTextContents()).map(norm), `the palette does not list "${COMMAND}"`);
  await row.first().click();
}

/** From the palette to step 1 (the image): picks `host` when the flow asks which host. */
async function toImageStep(/** @type {Page} */ page, /** @type {string} */ host) {
  await runFromPalette(page);
  await until(async () => /— host$|\(1\/9\)$/.test(await title(page)) || (await title(page)), 'the launch flow did not open');
  if ((await title(page)).endsWith('— host')) {
    const row = page.locator('.quick-input-widget .quick-input-list .monaco-list-row').filter({ has: page.locator('.label-name', { hasText: new RegExp(`^${host}$`) }) });
    await until(async () => (await row.count()) === 1 || (await rowLabels(page).allTextContents()).map(norm), `the host step does not offer ${host}`);
    await row.click();
  }
  // Listing the host's images and GPUs comes first (a progress notification).
  await atStep(page, 1);
  // The title names the host as its messages do ("this machine", "gpu1 (SSH)").
  if (!(await title(page)).toLowerCase().startsWith(`mlops: launch workspace on ${host.toLowerCase()}`)) throw new Error(`the flow is for another host: ${await title(page)}`);
}

/** Types the image name: the list filters to it; Enter picks it. */
async function pickImage(/** @type {Page} */ page, /** @type {string} */ image) {
  await typeAnswer(page, image);
  await until(async () => norm((await rowLabels(page, '.focused').first().textContent().catch(() => '')) ?? '') === image || (await rowLabels(page).allTextContents()).map(norm), `${image} is not the focused image`);
}

/** Enter on step `n` moves on to step n+1 (for the last step: the flow closes). */
async function accept(/** @type {Page} */ page, /** @type {number} */ n) {
  await page.keyboard.press('Enter');
  if (n < 9) await atStep(page, n + 1);
}

async function answer(/** @type {Page} */ page, /** @type {number} */ n, /** @type {string} */ text) {
  await typeAnswer(page, text);
  await accept(page, n);
}

const focusedLabel = async (/** @type {Page} */ page) => norm((await rowLabels(page, '.focused').first().textContent().catch(() => '')) ?? '');

/** Arrow keys down the list until `label` is the focused row. */
async function focusRow(/** @type {Page} */ page, /** @type {string} */ label) {
  for (let i = 0; i < 8 && (await focusedLabel(page)) !== label; i++) await page.keyboard.press('ArrowDown');
  await until(async () => (await focusedLabel(page)) === label || (await focusedLabel(page)), `"${label}" is not the focused row`);
}

const back = (/** @type {Page} */ page) => page.locator('.quick-input-widget .quick-input-left-action-bar .codicon-quick-input-back').click();

/**
 * From the GPU step: a number of GPUs brings the idle auto-stop step (3/10) with its
 * choices; 30 min, then Back from the CPU step finds it still chosen; Back to the GPUs and
 * "No GPU" skips it (the CPU step is 3/9). Nothing is launched with a GPU (none here).
 */
async function idleStepThenNoGpu(/** @type {Page} */ page) {
  await focusRow(page, 'A number of free GPUs…');
  await page.keyboard.press('Enter');
  await until(async () => /How many GPUs/.test((await page.locator('.quick-input-widget .quick-input-header, .quick-input-widget .quick-input-message').allInnerTexts()).join(' ')) || 'no count prompt', 'the GPU count was not asked');
  await until(async () => (await input(page).evaluate((el) => el === document.activeElement)) && (await input(page).inputValue()) === '1' || 'not ready', 'the GPU count box has no focus or no 1');
  await page.keyboard.press('Enter'); // 1 GPU
  await atStep(page, 3, 10);
  // Visible labels only: a row's detail line is an icon label too, and a row reused from an
  // earlier QuickPick (another suite's) keeps its old detail text, hidden.
  const choices = (await rowLabels(page).evaluateAll((els) => els.filter((e) => e.checkVisibility()).map((e) => e.textContent ?? ''))).map(norm);
  if (JSON.stringify(choices) !== JSON.stringify(['Never', '30 min', '60 min', 'Custom…'])) throw new Error(`the idle step offers ${JSON.stringify(choices)}`);
  if ((await focusedLabel(page)) !== 'Never') throw new Error(`the idle step starts on ${await focusedLabel(page)}`);
  await focusRow(page, '30 min');
  await page.keyboard.press('Enter');
  await atStep(page, 4, 10);
  await back(page);
  await atStep(page, 3, 10);
  await until(async () => (await focusedLabel(page)) === '30 min' || (await focusedLabel(page)), 'after Back the idle step lost its answer (30 min)');
  await back(page);
  await atStep(page, 2, 10);
  await focusRow(page, 'No GPU');
  await page.keyboard.press('Enter');
  await atStep(page, 3, 9);
}

/** The notification toasts' texts. */
const toasts = (/** @type {Page} */ page) => page.locator('.notifications-toasts .notification-toast').allInnerTexts().then((t) => t.map(norm));

/** @type {Record<string, import('./browserAsks.mjs').AskStep>} */
const STEPS = {
  /** Escape at step 7 closes the flow; no launch progress shows. */
  async 'launch-escape'(page, ask) {
    await toImageStep(page, ask.host);
    await pickImage(page, ask.image);
    await accept(page, 1);
    await accept(page, 2); // No GPU
    for (const n of [3, 4, 5]) await accept(page, n);
    await answer(page, 6, ask.env);
    await page.keyboard.press('Escape');
    await until(async () => !(await widget(page).isVisible()) || 'still shown', 'Escape did not close the QuickPick');
    // A launch would show its progress at once; give it the time a start would take.
    const deadline = Date.now() + 3000;
    while (Date.now() < deadline) {
      const launching = (await toasts(page)).filter((t) => /launching a workspace/i.test(t));
      if (launching.length) throw new Error(`a launch started after Escape: ${JSON.stringify(launching)}`);
      await page.waitForTimeout(250);
    }
  },

  /**
   * The whole walk: host, image (then Back from the GPU step and the image is still the
   * chosen one), a GPU count and the idle step (Back twice), No GPU, no CPU limit, a refused memory limit, env, the default ports,
   * the command, no profile name; then the Workspaces view lists the new workspace.
   */
  async 'launch-walk'(page, ask, out) {
    await toImageStep(page, ask.host);
    await pickImage(page, ask.image);
    if (ask.shot) await page.screenshot({ path: join(out, ask.shot) });
    await accept(page, 1);
    const gpuChoices = (await rowLabels(page).allTextContents()).map(norm);
    if (!gpuChoices.includes('No GPU')) throw new Error(`step 2 offers ${JSON.stringify(gpuChoices)}`);
    // Back is the arrow at the left of the title bar.
    await page.locator('.quick-input-widget .quick-input-left-action-bar .codicon-quick-input-back').click();
    await atStep(page, 1);
    await until(async () => norm((await rowLabels(page, '.focused').first().textContent().catch(() => '')) ?? '') === ask.image || (await rowLabels(page, '.focused').allTextContents()), `after Back the chosen image ${ask.image} is not the focused one`);
    await accept(page, 1);
    await until(async () => norm((await rowLabels(page, '.focused').first().textContent().catch(() => '')) ?? '') === 'No GPU' || (await rowLabels(page, '.focused').allTextContents()), '"No GPU" is not the first choice');
    await idleStepThenNoGpu(page); // leaves the flow at step 3/9 (CPU) with No GPU
    await accept(page, 3); // no CPU limit
    // Docker refuses less than 6 MB: the step says so and Enter does not move on.
    await typeAnswer(page, '1k');
    const message = page.locator('.quick-input-widget .quick-input-message');
    await until(async () => /at least 6 MB/i.test((await message.textContent()) ?? '') || (await message.textContent()), 'no validation message for a 1k memory limit');
    await page.keyboard.press('Enter');
    await page.waitForTimeout(500);
    if (!(await title(page)).endsWith('(4/9)')) throw new Error(`Enter on a refused answer moved on to ${await title(page)}`);
    await answer(page, 4, '');
    await accept(page, 5); // Docker's default shared memory
    await answer(page, 6, ask.env);
    if (!/8888/.test(await input(page).inputValue())) throw new Error(`the ports step does not offer the defaults: ${await input(page).inputValue()}`);
    await accept(page, 7);
    await answer(page, 8, ask.command);
    await accept(page, 9); // no name: no profile saved; Enter launches
    await until(async () => !(await widget(page).isVisible()) || 'still shown', 'the QuickPick stayed open after the last step');

    let name = '';
    await until(async () => {
      const all = await toasts(page);
      const failed = all.find((t) => /launch failed/i.test(t));
      if (failed) throw new Error(failed);
      name = all.map((t) => /workspace (\S+) runs on/.exec(t)?.[1]).find(Boolean) ?? '';
      return !!name || all;
    }, 'no "workspace … runs on" notification', 90000);

    // Room for the Workspaces view: the other views folded while it is checked.
    const folded = [];
    for (const view of ['Runs', 'Data', 'Pipelines']) {
      const header = page.locator(`.part.sidebar .pane-header[aria-label="${view} Section"]`);
      if ((await header.getAttribute('aria-expanded').catch(() => null)) === 'true') {
        await header.click();
        folded.push(header);
      }
    }
    try {
      const pane = page.locator('.part.sidebar .pane').filter({ has: page.locator('.pane-header[aria-label="Workspaces Section"]') });
      const row = pane.locator('.monaco-list-row').filter({ has: page.locator('.label-name', { hasText: new RegExp(`^${name.replace(/[.]/g, '\\.')}$`) }) });
      await until(async () => (await row.count()) === 1 || (await pane.locator('.monaco-list-row .label-name').allTextContents()).map(norm), `the Workspaces view does not list ${name}`);
      await page.mouse.move(900, 700);
      if (ask.listedShot) await page.screenshot({ path: join(out, ask.listedShot) });
    } finally {
      for (const header of folded) await header.click();
    }
  },
};

/** Answers the launch suite's requests until `finished()`; each becomes one named check. */
export function launchChecksWhenAsked(/** @type {Page} */ page, /** @type {string} */ out, /** @type {() => boolean} */ finished, /** @type {Checks} */ checks) {
  return answerWhenAsked(page, out, finished, checks, TOPIC, STEPS);
}

export function clearLaunchChecks(/** @type {string} */ out) {
  clearAsks(out, TOPIC);
}
