// Debian's chromium driven by playwright-core. Skips (with a message) where chromium is not
// installed, e.g. a user's machine, but never in CI: there a missing browser fails the run.
// Playwright gives each launch a new empty profile.
import { existsSync } from 'node:fs';
import { chromium, type Browser, type Page } from 'playwright-core';

export const CHROMIUM_PATH = process.env.PHIKIT_CHROMIUM ?? '/usr/bin/chromium';
export const hasChromium = existsSync(CHROMIUM_PATH);
export const skipBrowser = !hasChromium && !process.env.CI;
if (skipBrowser)
  console.warn(`chromium not found at ${CHROMIUM_PATH}: skipping browser tests (apt-get install chromium)`);

export async function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
      '--disable-quic',
    ],
  });
}

export interface PageWatch {
  page: Page;
  consoleErrors: string[];
  /** Every request other than the report file itself. */
  requests: string[];
  dialogs: string[];
}

/** Opens a file and records console errors, network requests and dialogs (alert = script ran). */
export async function openWatched(
  browser: Browser,
  path: string,
  options: { javaScript?: boolean } = {},
): Promise<PageWatch> {
  const context = await browser.newContext({ javaScriptEnabled: options.javaScript ?? true });
  const page = await context.newPage();
  const url = `file://${path}`;
  const watch: PageWatch = { page, consoleErrors: [], requests: [], dialogs: [] };
  page.on('console', (message) => {
    if (message.type() === 'error') watch.consoleErrors.push(message.text());
  });
  page.on('pageerror', (error) => watch.consoleErrors.push(error.message));
  page.on('request', (request) => {
    if (request.url() !== url) watch.requests.push(request.url());
  });
  page.on('dialog', (dialog) => {
    watch.dialogs.push(dialog.message());
    void dialog.dismiss();
  });
  await page.goto(url, { waitUntil: 'load' });
  return watch;
}
