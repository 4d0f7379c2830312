// Debian's Chromium driven by playwright-core, with the flags this kind of machine needs
// (no sandbox as root, no GPU, nothing fetched from the network).
import { chromium } from 'playwright-core';

export const CHROMIUM = process.env.MLOPS_CHROMIUM ?? '/usr/bin/chromium';
const ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-quic',
];

/**
 * @param {{ onConsole?: (line: string) => void }} [opts] `onConsole` gets the page's console lines, errors and failed requests
 * @returns {Promise<{ browser: import('playwright-core').Browser, page: import('playwright-core').Page }>}
 */
export async function launchBrowser({ onConsole } = {}) {
  // Signals are the caller's to handle: it stops code-server too, then closes the browser.
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ARGS,
    headless: true,
    handleSIGINT: false,
    handleSIGTERM: false,
    handleSIGHUP: false,
  });
  // The clipboard permissions let vscode.env.clipboard (the browser's clipboard in code-server) answer instead of hanging.
  const context = await browser.newContext({ viewport: { width: 1440, height: 1000 }, permissions: ['clipboard-read', 'clipboard-write'] });
  const page = await context.newPage();
  if (onConsole) {
    page.on('console', (m) => onConsole(`[${m.type()}] ${m.text()}`));
    page.on('pageerror', (e) => onConsole(`[pageerror] ${e.message}`));
    page.on('response', (r) => r.status() >= 400 && onConsole(`[http ${r.status()}] ${r.url()}`));
  }
  return { browser, page };
}

/**
 * Opens the workbench at `url` and waits until VS Code has rendered it.
 * @param {import('playwright-core').Page} page
 * @param {string} url
 */
export async function openWorkbench(page, url, timeoutMs = 90000) {
  await page.goto(url, { waitUntil: 'domcontentloaded', timeout: timeoutMs });
  await page.locator('.monaco-workbench').waitFor({ state: 'visible', timeout: timeoutMs });
  // The activity bar is the last part to fill in with contributed containers.
  await page.locator('.part.activitybar .action-item').first().waitFor({ state: 'visible', timeout: timeoutMs });
}
