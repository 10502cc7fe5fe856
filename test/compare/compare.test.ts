// eval then compare, end to end: two real endpoints on 127.0.0.1, the CLI, and the report in chromium.
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Comparison } from '../../src/report/comparison.js';
import { launchBrowser, openWatched, skipBrowser } from '../helpers/browser.js';
import { runCli, runCliAsync } from '../helpers/cli.js';
import { evalAnswers, fixture } from '../helpers/fixtures.js';
import { startFakeOpenAi, type FakeServer } from '../helpers/openai-server.js';

const ANSWERS = evalAnswers();

describe('phikit eval + compare', () => {
  const servers: FakeServer[] = [];
  let out: string;
  let comparison: Comparison;

  beforeAll(async () => {
    const good = await startFakeOpenAi({ answer: (q) => ANSWERS[q] ?? '' });
    // Wrong wherever the prompt has a digit (4 math, 1 sentiment); its answers carry markup.
    const weak = await startFakeOpenAi({
      answer: (q) => (/\d/.test(q) ? '<img src=x onerror=alert(1)>5' : (ANSWERS[q] ?? '')),
    });
    servers.push(good, weak);
    const dir = mkdtempSync(join(tmpdir(), 'phikit-compare-'));
    const evalRun = await runCliAsync([
      'eval',
      fixture('eval-examples.jsonl'),
      '-e',
      `base=${weak.url}`,
      '-e',
      `tuned=${good.url}`,
      '-o',
      join(dir, 'run'),
      '--scenario-field',
      'scenario',
      '-q',
    ]);
    expect(evalRun.code).toBe(0);
    out = join(dir, 'cmp');
    const run = runCli(['compare', join(dir, 'run'), '-o', out]);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('tuned - base (n=12): EM +41.7');
    comparison = JSON.parse(readFileSync(join(out, 'comparison.json'), 'utf8')) as Comparison;
  });
  afterAll(async () => {
    for (const server of servers) await server.close();
  });

  it('gives paired differences, McNemar and win/tie/loss', () => {
    const [pair] = comparison.pairs;
    expect(pair).toMatchObject({ baseline: 'base', candidate: 'tuned', n: 12, wins: 5, ties: 7, losses: 0 });
    expect(pair!.em.value).toBeCloseTo(500 / 12, 10);
    expect(pair!.em.low).toBeGreaterThan(0);
    // 5 examples (4 math, 1 with a digit in the prompt) only the tuned model got right: p = 2 / 2^5.
    expect(pair!.mcnemar).toEqual({ onlyBaselineRight: 0, onlyCandidateRight: 5, pValue: 0.0625 });
    expect(pair!.perScenario.math!.f1.value).toBe(100);
    expect(comparison.examples.slice(0, 4).every((e) => e.scenario === 'math')).toBe(true);
  });

  it('gives the same comparison whatever order the answers arrived in (results.jsonl is in arrival order)', () => {
    const runDir = join(out, '..', 'run');
    const reordered = join(out, '..', 'reordered');
    cpSync(runDir, reordered, { recursive: true });
    const lines = readFileSync(join(runDir, 'results.jsonl'), 'utf8').trim().split('\n');
    writeFileSync(join(reordered, 'results.jsonl'), `${lines.reverse().join('\n')}\n`);
    const compared = join(out, '..', 'cmp-reordered');
    expect(runCli(['compare', reordered, '-o', compared]).code).toBe(0);
    const again = JSON.parse(readFileSync(join(compared, 'comparison.json'), 'utf8')) as Comparison;
    expect(again.pairs).toEqual(comparison.pairs);
    expect(again.examples).toEqual(comparison.examples);
  });

  it('refuses a single model', () => {
    const dir = mkdtempSync(join(tmpdir(), 'phikit-compare-'));
    const run = runCli(['compare', dir, '-o', join(dir, 'x')]);
    expect(run.code).toBe(3);
    expect(run.stderr).toContain('no readable results.jsonl');
  });

  describe.skipIf(skipBrowser)('compare.html in chromium', () => {
    let browser: Browser;
    beforeAll(async () => {
      browser = await launchBrowser();
    });
    afterAll(async () => {
      await browser?.close();
    });

    it('loads cleanly, draws the chart, filters disagreements and keeps model text inert', async () => {
      const { page, consoleErrors, requests, dialogs } = await openWatched(
        browser,
        join(out, 'compare.html'),
      );
      const marks = await page.$$eval('.chart', (charts) =>
        charts.map((c) => c.querySelectorAll('svg rect').length),
      );
      expect(marks.length).toBe(1);
      expect(marks[0]).toBeGreaterThan(0);
      const visible = () =>
        page.$$eval(
          '#pairs tbody tr',
          (rows) => rows.filter((r) => !(r as unknown as { hidden: boolean }).hidden).length,
        );
      expect(await visible()).toBe(12);
      await page.selectOption('select[data-filter-key="disagree"]', 'yes');
      expect(await visible()).toBe(5);
      await page.selectOption('select[data-filter-key="scenario"]', 'geography');
      expect(await visible()).toBe(0);
      expect(consoleErrors).toEqual([]);
      expect(requests).toEqual([]);
      expect(dialogs).toEqual([]);
      expect(await page.textContent('#pairs')).toContain('<img src=x onerror=alert(1)>5');
    });
  });
});
