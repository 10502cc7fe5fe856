// Regenerates the example reports in reports/ from the bundled fixtures (never edited by hand):
// `npm run reports`. Takes a screenshot with Debian's chromium when it is installed.
import { copyFileSync, mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { prep } from '../src/pipeline/prep.js';

const CHROMIUM = process.env.PHIKIT_CHROMIUM ?? '/usr/bin/chromium';

async function main(): Promise<void> {
  mkdirSync('reports', { recursive: true });
  const out = mkdtempSync(join(tmpdir(), 'phikit-example-'));
  await prep('fixtures/sample.jsonl', { out, scenarioField: 'scenario', seed: 42 });
  copyFileSync(join(out, 'report.html'), 'reports/prep-report.html');
  console.log('wrote reports/prep-report.html');
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
  });
  const page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
  await page.goto(`file://${join(process.cwd(), 'reports/prep-report.html')}`);
  await page.screenshot({ path: 'reports/prep-report.png', fullPage: false });
  await browser.close();
  console.log('wrote reports/prep-report.png');
}

await main();
