// What a user sees of the MLOps container in the real workbench, checked in the DOM.
// Texts come from the manifest (viewsWelcome, view names; package.json with its
// package.nls.json texts), not copies of it.

const TIMEOUT = 60000;

/** @typedef {import('playwright-core').Page} Page */

/**
 * The views of the `mlops` container and their welcome texts, from the manifest.
 * @param {any} pkg package.json, parsed
 * @returns {{ id: string, name: string, welcome?: { paragraphs: string[], buttons: string[] } }[]}
 */
export function mlopsViews(pkg) {
  const views = pkg.contributes.views.mlops;
  return views.map((/** @type {{ id: string, name: string }} */ v) => {
    // The E2E always opens a folder, so entries only for an empty window do not apply.
    const welcome = pkg.contributes.viewsWelcome.find((/** @type {{ view: string, when?: string }} */ w) => w.view === v.id && !/workbenchState == empty/.test(w.when ?? ''));
    return { id: v.id, name: v.name, welcome: welcome ? parseWelcome(welcome.contents) : undefined };
  });
}

/**
 * How VS Code renders welcome contents: a line that is only a link becomes a button,
 * any other line a paragraph whose links show their labels.
 */
function parseWelcome(/** @type {string} */ contents) {
  const paragraphs = [];
  const buttons = [];
  for (const line of contents.split('\n').map((l) => l.trim()).filter(Boolean)) {
    const button = /^\[([^\]]+)\]\([^)]+\)$/.exec(line);
    if (button) buttons.push(button[1]);
    else paragraphs.push(line.replace(/\[([^\]]+)\]\([^)]+\)/g, '$1'));
  }
  return { paragraphs, buttons };
}

const norm = (/** @type {string} */ s) => s.replace(/\s+/g, ' ').trim();

/** The pane (header + body) of the view named `name` in the side bar. */
export function pane(/** @type {Page} */ page, /** @type {string} */ name) {
  return page.locator('.part.sidebar .pane').filter({ has: page.locator(`.pane-header[aria-label="${name} Section"]`) });
}

/** Opens the MLOps container from its activity bar entry (a second click would close it). */
export async function openMlopsContainer(/** @type {Page} */ page) {
  const entry = page.locator('.part.activitybar li.action-item').filter({ has: page.locator('[aria-label^="MLOps"]') });
  await entry.first().waitFor({ state: 'visible', timeout: TIMEOUT });
  if ((await entry.first().getAttribute('aria-selected')) !== 'true') await entry.first().click();
  await page.locator('.part.sidebar .composite.title', { hasText: /mlops/i }).first().waitFor({ timeout: TIMEOUT });
}

export async function expectViewHeader(/** @type {Page} */ page, /** @type {string} */ name) {
  await pane(page, name).locator('.pane-header').waitFor({ state: 'visible', timeout: TIMEOUT });
}

/** The view's welcome paragraphs and buttons are rendered, word for word. */
export async function expectWelcome(/** @type {Page} */ page, /** @type {ReturnType<typeof mlopsViews>[number]} */ view) {
  const content = pane(page, view.name).locator('.welcome-view-content');
  await content.waitFor({ state: 'visible', timeout: TIMEOUT });
  const shown = {
    paragraphs: (await content.locator('p').allTextContents()).map(norm),
    buttons: (await content.locator('.monaco-button').allTextContents()).map(norm),
  };
  // Every view of ours has a welcome text (package.json viewsWelcome).
  const welcome = /** @type {NonNullable<typeof view.welcome>} */ (view.welcome);
  const missing = [
    ...welcome.paragraphs.map(norm).filter((p) => !shown.paragraphs.includes(p)),
    ...welcome.buttons.filter((b) => !shown.buttons.includes(b)).map((b) => `[button] ${b}`),
  ];
  if (missing.length) {
    throw new Error(`${view.name} welcome: not shown: ${JSON.stringify(missing)}; shown: ${JSON.stringify(shown)}`);
  }
}

/**
 * Scrolls a view's list from its top, a pane's height at a time, until `row` is rendered.
 * @param {Page} page
 * @param {import('playwright-core').Locator} viewPane
 * @param {import('playwright-core').Locator} row
 */
async function scrolledIntoView(page, viewPane, row) {
  const box = await viewPane.locator('.monaco-list').first().boundingBox().catch(() => null);
  if (!box || box.height < 10) return false;
  await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
  await page.mouse.wheel(0, -1e6);
  for (let i = 0; i < 50; i++) {
    if (await row.waitFor({ state: 'visible', timeout: 300 }).then(() => true, () => false)) return true;
    await page.mouse.wheel(0, Math.max(22, box.height * 0.8));
  }
  return false;
}

/** The view shows tree rows with these labels. */
export async function expectTreeLabels(/** @type {Page} */ page, /** @type {string} */ viewName, /** @type {string[]} */ labels) {
  const rows = pane(page, viewName).locator('.monaco-list-row .label-name');
  /** @type {string[]} */
  const missing = [];
  try {
    await rows.first().waitFor({ state: 'visible', timeout: TIMEOUT });
    for (const label of labels) {
      const row = rows.filter({ hasText: new RegExp(`^${label}$`) }).first();
      if (await row.waitFor({ state: 'visible', timeout: 10000 }).then(() => true, () => false)) continue;
      // The list renders only the rows its pane has room for (six views share the side bar):
      // scroll the pane from the top before calling a row missing.
      if (!(await scrolledIntoView(page, pane(page, viewName), row))) missing.push(label);
    }
  } catch (err) {
    throw new Error(`${viewName}: no tree rows (${String(err?.message ?? err).split('\n')[0]})`);
  }
  if (missing.length) {
    throw new Error(`${viewName}: no row labelled ${JSON.stringify(missing)}; rows shown: ${JSON.stringify((await rows.allTextContents()).map(norm))}`);
  }
}

/** The notification toasts on screen, with their severity (an error from us would show here). */
export async function visibleNotifications(/** @type {Page} */ page) {
  return page.locator('.notifications-toasts .notification-toast').evaluateAll((/** @type {HTMLElement[]} */ toasts) =>
    toasts.map((t) => ({
      severity: t.querySelector('.codicon-error') ? 'error' : t.querySelector('.codicon-warning') ? 'warning' : 'info',
      text: t.innerText.replace(/\s+/g, ' ').trim(),
    })),
  );
}

/**
 * Hides the bottom panel (the harness's `MLOps: Show Log` opens it) and any hover, and
 * lets the views finish loading (`MLOps: Refresh Pipelines` shows progress).
 */
export async function tidyForScreenshot(/** @type {Page} */ page) {
  const busy = page.locator('.part.sidebar .monaco-progress-container.active, .part.activitybar .progress-badge');
  await busy.first().waitFor({ state: 'hidden', timeout: 15000 }).catch(() => undefined);
  const hide = page.locator('.part.panel .action-label[aria-label^="Hide Panel"]');
  if (await hide.first().isVisible().catch(() => false)) await hide.first().click();
  await page.mouse.move(900, 300);
  await page.locator('.monaco-hover, .workbench-hover').first().waitFor({ state: 'hidden', timeout: 5000 }).catch(() => undefined);
}

/**
 * Takes the screenshot a harness suite asks for: the suite writes `files.ready` once the
 * view shows what to capture and waits for `files.done`. Resolves true once taken, false
 * when `finished()` says the suites ended without asking.
 * @param {import('playwright-core').Page} page
 * @param {{ ready: string, done: string, png: string }} files
 * @param {() => boolean} finished
 * @param {{ collapse?: string[], sideBarWidth?: number }} [opts] views to fold while it is taken; the side bar's width then
 */
export async function screenshotWhenAsked(page, files, finished, { collapse = [], sideBarWidth = 0 } = {}) {
  const { existsSync, writeFileSync } = await import('node:fs');
  while (!finished()) {
    if (existsSync(files.ready)) {
      await tidyForScreenshot(page);
      // Room for the view in question: other panes folded, the side bar wider; both undone after.
      const folded = [];
      for (const name of collapse) {
        const header = page.locator(`.part.sidebar .pane-header[aria-label="${name} Section"]`);
        if ((await header.getAttribute('aria-expanded').catch(() => null)) === 'true') {
          await header.click();
          folded.push(header);
        }
      }
      const box = sideBarWidth ? await page.locator('.part.sidebar').boundingBox() : null;
      const drag = async (/** @type {number} */ from, /** @type {number} */ to) => {
        // Called only where the box was measured.
        const { y, height } = /** @type {NonNullable<typeof box>} */ (box);
        await page.mouse.move(from, y + height / 2);
        await page.mouse.down();
        await page.mouse.move(to, y + height / 2, { steps: 5 });
        await page.mouse.up();
      };
      if (box && box.width < sideBarWidth) await drag(box.x + box.width, box.x + sideBarWidth);
      await page.mouse.move(900, 700);
      await page.screenshot({ path: files.png });
      if (box && box.width < sideBarWidth) await drag(box.x + sideBarWidth, box.x + box.width);
      for (const header of folded) await header.click();
      writeFileSync(files.done, '');
      return true;
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  return false;
}
