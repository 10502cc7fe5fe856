// The prep report built from real runs: contents, escaping, determinism, and in chromium:
// no console errors, no network, drawn charts, a working filter, inert hostile text.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { prep } from '../../src/pipeline/prep.js';
import { writePrepReport } from '../../src/report/prep-report.js';
import { fixture } from '../helpers/fixtures.js';
import { launchBrowser, openWatched, skipBrowser } from '../helpers/browser.js';
import { runCli } from '../helpers/cli.js';

const HOSTILE = [
  '<script>window.__pwned = 1; alert("script")</script>',
  '<img src=x onerror="window.__pwned = 2; alert(\'img\')">',
  '"><svg onload=alert("svg")>',
];

/** A dataset whose text, scenario names and file name carry markup. */
function hostileDataset(dir: string): string {
  const path = join(dir, '<img src=x onerror=alert(1)>.jsonl');
  const lines = [];
  for (let i = 0; i < 12; i++) {
    lines.push(
      JSON.stringify({
        scenario: HOSTILE[i % 3],
        messages: [
          { role: 'user', content: `${HOSTILE[i % 3]} question ${i}` },
          { role: 'assistant', content: `answer ${i} ${HOSTILE[(i + 1) % 3]}` },
        ],
      }),
    );
  }
  lines.push(`not json ${HOSTILE[0]}`);
  lines.push(JSON.stringify({ messages: [{ role: 'user', content: HOSTILE[1] }] }));
  writeFileSync(path, `${lines.join('\n')}\n`);
  return path;
}

describe('prep report', () => {
  let sampleOut: string;
  let hostileOut: string;

  beforeAll(async () => {
    sampleOut = mkdtempSync(join(tmpdir(), 'phikit-report-'));
    await prep(fixture('sample.jsonl'), { out: sampleOut, scenarioField: 'scenario' });
    const dir = mkdtempSync(join(tmpdir(), 'phikit-report-'));
    hostileOut = join(dir, 'out');
    await prep(hostileDataset(dir), {
      out: hostileOut,
      scenarioField: 'scenario',
      report: true,
      disableClean: ['html'],
      // Every scenario is small: their hostile names show in the balancing section and warnings.
      minPerScenario: 10,
    });
  });

  it('shows the summary, funnel, rejection samples with line numbers, cleaning, tokens and scenarios', () => {
    const report = readFileSync(join(sampleOut, 'report.html'), 'utf8');
    for (const heading of [
      'Summary',
      'Stages',
      'Rejections',
      'Cleaning',
      'Token lengths',
      'Scenarios',
      'Balancing',
      'Leakage between splits',
      'Near-duplicates',
    ]) {
      expect(report).toContain(`>${heading}</h2>`);
    }
    expect(report).toContain(
      'messages[1].role must be one of system, user, assistant, tool, function (got &quot;bot&quot;)',
    );
    expect(report).toMatch(/<td class="num">4<\/td>\s*<td><code>schema<\/code><\/td>/);
    expect(report).toContain('(359 characters in all)');
  });

  it('counts a .json array in elements, not lines', async () => {
    const jsonOut = mkdtempSync(join(tmpdir(), 'phikit-report-'));
    await prep(fixture('array-root.json'), { out: jsonOut, tokens: false });
    const summary = readFileSync(join(jsonOut, 'report.html'), 'utf8').split('<h2 id="warnings"')[0]!;
    expect(summary).toContain('>array elements read</div>');
    expect(summary).toContain('Every array element ends in exactly one output');
    expect(summary).not.toContain('blank lines');
    const lines = readFileSync(join(sampleOut, 'report.html'), 'utf8').split('<h2 id="warnings"')[0]!;
    expect(lines).toContain('>lines read</div>');
    expect(lines).toContain('>blank lines</div>');
    expect(lines).toContain('Every non-blank line ends in exactly one output');
  });

  it('is byte-identical when rebuilt by `phikit report`', () => {
    const before = readFileSync(join(sampleOut, 'report.html'));
    const run = runCli(['report', sampleOut]);
    expect(run.code).toBe(0);
    expect(readFileSync(join(sampleOut, 'report.html'))).toEqual(before);
  });

  it('escapes dataset text, scenario names and the file name', () => {
    const report = readFileSync(join(hostileOut, 'report.html'), 'utf8');
    expect(report).not.toContain('<script>window');
    expect(report).not.toContain('<img src=x');
    expect(report).not.toContain('<svg onload');
    expect(report).toContain('&lt;img src=x onerror=alert(1)&gt;.jsonl');
    // The small-scenario list in the balancing section names them, escaped.
    expect(report).toMatch(/scenarios below --min-per-scenario 10<\/th>\s*<td>&lt;script&gt;/);
    expect(report.match(/<script>/g)).toHaveLength(1);
  });

  it('shows the three-way split per scenario when the run has a test split', async () => {
    const out = mkdtempSync(join(tmpdir(), 'phikit-report-'));
    const { manifest } = await prep(fixture('sample.jsonl'), {
      out,
      scenarioField: 'scenario',
      testRatio: 0.2,
      tokens: false,
    });
    const report = readFileSync(join(out, 'report.html'), 'utf8');
    const { counts } = manifest;
    expect(report).toContain('data-series="[&quot;train&quot;,&quot;validation&quot;,&quot;test&quot;]"');
    const titles = [...report.matchAll(/<title>([^<]*) – (train|validation|test): (\d+)<\/title>/g)];
    const scenarios = Object.entries(manifest.scenarios);
    expect(titles).toHaveLength(scenarios.length * 3);
    for (const [name, figures] of scenarios)
      expect(titles.find((t) => t[1] === name && t[2] === 'test')?.[3]).toBe(String(figures.test));
    expect(report).toContain('<th class="num">test share</th>');
    expect(report).toMatch(
      new RegExp(
        `${counts.train} train \\+ ${counts.validation} validation \\+\\s*${counts.test} test \\+ ${counts.rejected} rejected`,
      ),
    );
    expect(report).toContain(`test.jsonl (<code>${manifest.outputs.test!.sha256.slice(0, 16)}`);
  });

  it('says so when the folder has no manifest', async () => {
    await expect(writePrepReport(mkdtempSync(join(tmpdir(), 'phikit-empty-')))).rejects.toMatchObject({
      code: 'INPUT_NOT_FOUND',
    });
  });

  describe.skipIf(skipBrowser)('in chromium', () => {
    let browser: Browser;
    beforeAll(async () => {
      browser = await launchBrowser();
    });
    afterAll(async () => {
      await browser?.close();
    });

    it('loads with no console error and no network request, and every chart has marks', async () => {
      const { page, consoleErrors, requests } = await openWatched(browser, join(sampleOut, 'report.html'));
      const marksPerChart = await page.$$eval('.chart', (charts) =>
        charts.map((chart) => chart.querySelectorAll('svg rect, svg path[d]').length),
      );
      expect(marksPerChart.length).toBe(4);
      for (const marks of marksPerChart) expect(marks).toBeGreaterThan(0);
      expect(consoleErrors).toEqual([]);
      expect(requests).toEqual([]);
    });

    it('filters the samples table by reason and by text', async () => {
      const { page } = await openWatched(browser, join(sampleOut, 'report.html'));
      const visibleRows = () =>
        page.$$eval(
          '#samples tbody tr',
          (rows) => rows.filter((r) => !(r as unknown as { hidden: boolean }).hidden).length,
        );
      expect(await visibleRows()).toBe(8);
      await page.selectOption('select[data-filter-for="samples"]', 'duplicate');
      expect(await visibleRows()).toBe(2);
      expect(await page.textContent('#samples-shown')).toBe('2 shown');
      await page.fill('input[data-filter-for="samples"]', 'line 16');
      expect(await visibleRows()).toBe(1);
    });

    it('keeps hostile dataset text inert: no script runs, no dialog, no request', async () => {
      const { page, dialogs, requests, consoleErrors } = await openWatched(
        browser,
        join(hostileOut, 'report.html'),
      );
      expect(
        await page.evaluate(() => (globalThis as unknown as { __pwned?: number }).__pwned),
      ).toBeUndefined();
      expect(dialogs).toEqual([]);
      expect(requests).toEqual([]);
      expect(consoleErrors).toEqual([]);
      expect(await page.textContent('body')).toContain('<script>window.__pwned = 1;');
    });

    it('reads fully with JavaScript off', async () => {
      const { page } = await openWatched(browser, join(sampleOut, 'report.html'), { javaScript: false });
      expect(await page.$$eval('#samples tbody tr', (rows) => rows.length)).toBe(8);
      expect(
        await page.$$eval('.chart', (charts) => charts.filter((c) => c.querySelector('svg')).length),
      ).toBe(4);
    });
  });
});
