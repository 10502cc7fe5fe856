// The report's audit of the risky steps, on generated data with planted near-duplicates (English,
// Chinese, hostile markup) and leakage clusters: the pairs side by side with their shared text
// marked, the largest clusters, the stage chart through balancing to the kept count, unknown keys.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseHTML } from 'linkedom';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Manifest } from '../../src/core/manifest.js';
import { seededRandom } from '../../src/metrics/stats.js';
import { prep } from '../../src/pipeline/prep.js';
import { markShared } from '../../src/report/prep-audit.js';
import { schemaValidator } from '../../src/schema/registry.js';
import { launchBrowser, openWatched, skipBrowser } from '../helpers/browser.js';
import { chineseTexts } from '../helpers/chinese.js';
import { runCli } from '../helpers/cli.js';
import { chatLine } from '../helpers/hostile.js';

const HOSTILE = '<script>window.__pwned = 3; alert("pair")</script> <img src=x onerror="alert(4)">';

interface Row {
  scenario: string;
  user: string;
  assistant: string;
  extra?: Record<string, string>;
}

/** Planted lines (1-based) and texts, so the test knows what the report must show. */
interface Planted {
  rows: Row[];
  /** dropped line -> kept line, in input order. */
  pairs: Array<{ kept: number; dropped: number }>;
  /** Lines of each planted cluster (base first). */
  clusters: number[][];
}

function plantedDataset(): Planted {
  const random = seededRandom(7);
  const vocabulary = Array.from({ length: 3000 }, () =>
    Array.from(
      { length: 4 + Math.floor(random() * 5) },
      () => 'abcdefghiklmnoprstuvwy'[Math.floor(random() * 22)],
    ).join(''),
  );
  const words = (n: number) =>
    Array.from({ length: n }, () => vocabulary[Math.floor(random() * vocabulary.length)]!);
  const changed = (text: string, positions: number[]) => {
    const list = text.split(' ');
    for (const at of positions) list[at] = `${list[at]}x`;
    return list.join(' ');
  };
  const zh = chineseTexts(11);
  const rows: Row[] = [];
  // push returns the new length: the row's 1-based line.
  const add = (row: Row) => rows.push(row);
  const english = Array.from({ length: 30 }, (_, k) =>
    add({
      scenario: 'en',
      user: `Question ${k}: ${words(5).join(' ')}?`,
      assistant: words(60).join(' '),
      extra: { source_url: `https://example.com/${k}` },
    }),
  );
  const hostile = add({
    scenario: 'en',
    user: 'Explain this markup',
    assistant: `${words(25).join(' ')} ${HOSTILE} ${words(25).join(' ')}`,
  });
  const chinese = Array.from({ length: 10 }, (_, k) =>
    add({ scenario: 'zh', user: `问题${k}：${zh.text(8, 12)}`, assistant: zh.text(60, 100) }),
  );
  const clusters = [4, 3].map((size) => {
    const base = words(60).join(' ');
    const first = add({ scenario: 'clusters', user: 'Tell me about it', assistant: base });
    // Four words changed apart: Jaccard ~0.68 with the base, under the 0.8 drop, over the 0.6 cluster line.
    const variants = Array.from({ length: size - 1 }, (_, v) =>
      add({
        scenario: 'clusters',
        user: 'Tell me about it',
        assistant: changed(base, [5 + v, 20 + v, 35 + v, 50 + v]),
      }),
    );
    return [first, ...variants];
  });
  const pairs: Planted['pairs'] = [];
  const copy = (line: number, assistant: (text: string) => string) => {
    const source = rows[line - 1]!;
    pairs.push({
      kept: line,
      dropped: add({ ...source, extra: undefined, assistant: assistant(source.assistant) }),
    });
  };
  copy(hostile, (text) => changed(text, [2]));
  for (const [k, line] of chinese.slice(0, 8).entries()) copy(line, (text) => zh.edit(text, k % 3));
  for (const line of english.slice(0, 14)) copy(line, (text) => changed(text, [30]));
  return { rows, pairs, clusters };
}

function writeDataset(dir: string, planted: Planted): string {
  const path = join(dir, 'planted.jsonl');
  const lines = planted.rows.map(({ scenario, user, assistant, extra }) =>
    chatLine(user, assistant, { scenario, ...extra }),
  );
  writeFileSync(path, `${lines.join('\n')}\n`);
  return path;
}

const conversation = (row: Row) => `${row.user}\n${row.assistant}`;

describe('prep report: audit of near-duplicates, clusters, balancing and unknown keys', () => {
  let planted: Planted;
  let out: string;
  let manifest: Manifest;
  let report: string;
  let document: ReturnType<typeof parseHTML>['document'];

  beforeAll(async () => {
    planted = plantedDataset();
    const dir = mkdtempSync(join(tmpdir(), 'phikit-audit-'));
    out = join(dir, 'out');
    ({ manifest } = await prep(writeDataset(dir, planted), {
      out,
      scenarioField: 'scenario',
      tokens: false,
      disableClean: ['html'],
      balance: 'cap:25',
    }));
    report = readFileSync(join(out, 'report.html'), 'utf8');
    ({ document } = parseHTML(report));
  });

  it('records the first 20 flagged pairs, in input order, and the schema accepts them', () => {
    expect(manifest.counts.rejectedByReason.near_duplicate).toBe(planted.pairs.length);
    expect(manifest.nearDuplicates!.pairs!.map(({ kept, dropped }) => ({ kept, dropped }))).toEqual(
      planted.pairs.slice(0, 20),
    );
    for (const pair of manifest.nearDuplicates!.pairs!) expect(pair.similarity).toBeGreaterThanOrEqual(0.8);
    expect(schemaValidator('manifest.schema.json')(manifest)).toBe(true);
  });

  it('shows each pair side by side: both texts, line numbers, similarity, shared text marked', () => {
    const rows = [...document.querySelectorAll('#near-pairs tbody tr')];
    expect(rows).toHaveLength(20);
    expect(document.body.textContent).toContain(`First 20 of ${planted.pairs.length} flagged pairs`);
    rows.forEach((row, i) => {
      const pair = manifest.nearDuplicates!.pairs![i]!;
      const cells = [...row.querySelectorAll('td')].map((cell) => cell.textContent);
      expect(cells[0]).toBe(pair.similarity.toFixed(2));
      expect([cells[1], cells[3]]).toEqual([String(pair.kept), String(pair.dropped)]);
      const kept = conversation(planted.rows[pair.kept - 1]!);
      const dropped = conversation(planted.rows[pair.dropped - 1]!);
      expect([cells[2], cells[4]]).toEqual([kept, dropped]);
      // Every marked stretch is text both sides have.
      const marks = [...row.querySelectorAll('mark')].map((mark) => mark.textContent!);
      expect(marks.length).toBeGreaterThan(0);
      const inBoth = (mark: string) => kept.includes(mark) && dropped.includes(mark);
      expect(marks.filter((mark) => !inBoth(mark))).toEqual([]);
    });
  });

  it('marks shared Chinese text by characters and leaves the edited character unmarked', () => {
    const chinesePair = manifest.nearDuplicates!.pairs![1]!;
    const row = document.querySelector(`#near-pairs tr[data-dropped="${chinesePair.dropped}"]`)!;
    const dropped = row.querySelector('.dropped-text')!;
    const marked = [...dropped.querySelectorAll('mark')].map((mark) => mark.textContent).join('');
    expect(marked.match(/\p{sc=Han}/gu)!.length).toBeGreaterThan(40);
    expect(marked.length).toBeLessThan(dropped.textContent!.length);
  });

  it('keeps hostile pair text escaped', () => {
    expect(report).not.toContain('<script>window.__pwned');
    expect(report).not.toContain('<img src=x');
    const hostileRow = document.querySelector(`#near-pairs tr[data-dropped="${planted.pairs[0]!.dropped}"]`)!;
    expect(hostileRow.querySelector('.kept-text')!.textContent).toContain(HOSTILE);
    expect(report.match(/<script>/g)).toHaveLength(1);
  });

  it('lists the largest leakage clusters with their split and input lines', () => {
    const largest = manifest.leakage!.largest!;
    expect(largest.slice(0, 2).map(({ size, lines }) => ({ size, lines }))).toEqual(
      planted.clusters.map((lines) => ({ size: lines.length, lines })),
    );
    const rows = [...document.querySelectorAll('#leakage-clusters tbody tr')].map((row) =>
      [...row.querySelectorAll('td')].map((cell) => cell.textContent!.trim()),
    );
    expect(rows).toEqual(largest.map(({ size, split, lines }) => [String(size), split, lines.join(', ')]));
  });

  it('draws the stage chart through balancing to the kept count', () => {
    const { counts, balance } = manifest;
    const lastStage = manifest.stages.at(-1)!.out;
    expect(balance!.balancedOut).toBeGreaterThan(0);
    const titles = [...report.matchAll(/<title>([^<:]+): ([\d,]+)<\/title>/g)].map((m) => [m[1], m[2]]);
    const stageTitles = titles.slice(0, manifest.stages.length + 2);
    expect(stageTitles.slice(-3)).toEqual([
      [manifest.stages.at(-1)!.name, String(lastStage)],
      ['balance', String(lastStage - balance!.balancedOut)],
      ['kept (split)', String(counts.train + counts.validation)],
    ]);
    expect(counts.train + counts.validation).toBe(counts.kept);
  });

  it('shows the unknown top-level keys with their counts', () => {
    const rows = [...document.querySelectorAll('#unknown-keys-table tbody tr')].map((row) => row.textContent);
    expect(rows).toEqual([`source_url${manifest.unknownKeys.source_url}`]);
    expect(manifest.unknownKeys.source_url).toBe(30);
  });

  it('is byte-identical when rebuilt by `phikit report`', () => {
    const before = readFileSync(join(out, 'report.html'));
    const run = runCli(['report', out]);
    expect(run.code).toBe(0);
    expect(readFileSync(join(out, 'report.html'))).toEqual(before);
  });

  describe.skipIf(skipBrowser)('in chromium', () => {
    let browser: Browser;
    beforeAll(async () => {
      browser = await launchBrowser();
    });
    afterAll(async () => {
      await browser?.close();
    });

    it('shows the pairs with highlighted shared text, and hostile text stays inert', async () => {
      const { page, dialogs, requests, consoleErrors } = await openWatched(browser, join(out, 'report.html'));
      expect(
        await page.evaluate(() => (globalThis as unknown as { __pwned?: number }).__pwned),
      ).toBeUndefined();
      expect(dialogs).toEqual([]);
      expect(requests).toEqual([]);
      expect(consoleErrors).toEqual([]);
      const marks = page.locator('#near-pairs mark');
      expect(await marks.count()).toBeGreaterThan(40);
      // A marked stretch is painted differently from the text around it.
      const [markBackground, cellBackground] = await page.$eval('#near-pairs mark', (mark) => {
        const style = (element: unknown) =>
          (
            globalThis as unknown as { getComputedStyle(e: unknown): { backgroundColor: string } }
          ).getComputedStyle(element).backgroundColor;
        return [style(mark), style(mark.parentElement)];
      });
      expect(markBackground).not.toBe(cellBackground);
      expect(await page.locator('#near-pairs tbody tr').first().textContent()).toContain(HOSTILE);
    });
  });
});

describe('markShared', () => {
  it('marks the words of shared shingles and escapes everything', () => {
    const marked = markShared('the quick brown <b>fox</b> jumps', 'a quick brown <b>fox</b> sleeps', 3);
    // "fox</b> jumps" differs, "b fox b" is shared: the mark ends after the closing tag's b.
    expect(marked.value).toBe('the <mark>quick brown &lt;b&gt;fox&lt;/b</mark>&gt; jumps');
  });

  it('marks shared Chinese character trigrams', () => {
    expect(markShared('我们今天去学校。', '他们今天去学校了', 3).value).toBe('我<mark>们今天去学校</mark>。');
  });

  it('marks nothing when the texts share no shingle', () => {
    expect(markShared('alpha beta gamma', 'delta epsilon zeta', 3).value).toBe('alpha beta gamma');
  });
});
