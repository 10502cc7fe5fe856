// Every chart in every report draws what it claims, read in chromium: each chart names its groups
// (and series) in data attributes; per group × series there is exactly one bar whose <title> gives
// its value from the run's own JSON, with a positive size when the value is positive and lengths
// in proportion to the values.
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compare } from '../../src/compare/compare.js';
import type { Comparison } from '../../src/report/comparison.js';
import type { Manifest } from '../../src/core/manifest.js';
import { REJECT_REASONS } from '../../src/core/reasons.js';
import { evaluate } from '../../src/eval/run.js';
import type { EvalMetrics } from '../../src/metrics/summary.js';
import { prep } from '../../src/pipeline/prep.js';
import { launchBrowser, openWatched, skipBrowser } from '../helpers/browser.js';
import { drawnCharts, type DrawnBar, type DrawnChart } from '../helpers/charts.js';
import { evalAnswers, fixture } from '../helpers/fixtures.js';
import { startFakeOpenAi, type FakeServer } from '../helpers/openai-server.js';

const ANSWERS = evalAnswers();

/** A bar the data says should be drawn: its full title and its value. */
interface ExpectedBar {
  title: string;
  value: number;
}

const number = (value: number) => value.toLocaleString('en-US');

/** The bars drawn are exactly the expected ones, sized in proportion to their values. */
function expectBars(chart: DrawnChart, expected: readonly ExpectedBar[], orientation: 'x' | 'y'): void {
  expect(chart.bars.map((bar) => bar.title).sort()).toEqual(expected.map((bar) => bar.title).sort());
  const valueOf = new Map(expected.map((bar) => [bar.title, bar.value]));
  const length = (bar: DrawnBar) => (orientation === 'x' ? bar.width : bar.height);
  const thickness = (bar: DrawnBar) => (orientation === 'x' ? bar.height : bar.width);
  const largest = Math.max(...expected.map((bar) => bar.value));
  const scale = Math.max(...chart.bars.map(length)) / largest;
  for (const bar of chart.bars) {
    const value = valueOf.get(bar.title)!;
    expect(thickness(bar), bar.title).toBeGreaterThan(0);
    if (value > 0) expect(length(bar), bar.title).toBeGreaterThan(0);
    expect(Math.abs(length(bar) - value * scale), bar.title).toBeLessThan(1);
  }
}

/** Bars of a grouped chart: every claimed group × series, valued from the run's data. */
function groupedBars(chart: DrawnChart, value: (group: string, series: string) => number): ExpectedBar[] {
  return chart.groups.flatMap((group) =>
    (chart.series ?? []).map((series) => {
      const v = value(group, series);
      return { title: `${group} – ${series}: ${number(v)}`, value: v };
    }),
  );
}

const f1Of = (metrics: EvalMetrics) => (scenario: string, endpoint: string) => {
  const f1 = metrics.endpoints.find((e) => e.endpoint === endpoint)!.scenarios[scenario]!.f1.value;
  return Number.isNaN(f1) ? 0 : Math.round(f1 * 10) / 10;
};

describe.skipIf(skipBrowser)('charts draw their data, in chromium', () => {
  const servers: FakeServer[] = [];
  let browser: Browser;
  let prepOut: string;
  let evalOut: string;
  let compareOut: string;

  beforeAll(async () => {
    const dir = mkdtempSync(join(tmpdir(), 'phikit-charts-'));
    prepOut = join(dir, 'prep');
    await prep(fixture('sample.jsonl'), { out: prepOut, scenarioField: 'scenario' });
    const good = await startFakeOpenAi({ answer: (q) => ANSWERS[q] ?? '' });
    // Math all wrong (F1 0), other answers in a sentence (F1 between 0 and 100).
    const weak = await startFakeOpenAi({
      answer: (q) => (q.startsWith('What is') && /\d/.test(q) ? '5' : `The answer is ${ANSWERS[q]}.`),
    });
    servers.push(good, weak);
    evalOut = join(dir, 'run');
    await evaluate(fixture('eval-examples.jsonl'), {
      out: evalOut,
      endpoints: [
        { name: 'weak', url: weak.url },
        { name: 'good', url: good.url },
      ],
      scenarioField: 'scenario',
      retryBaseDelayMs: 1,
    });
    compareOut = join(dir, 'cmp');
    await compare([evalOut], { out: compareOut });
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    for (const server of servers) await server.close();
  });

  it('prep report: stages, rejections, token histogram and train vs validation per scenario', async () => {
    const manifest = JSON.parse(readFileSync(join(prepOut, 'manifest.json'), 'utf8')) as Manifest;
    const { page } = await openWatched(browser, join(prepOut, 'report.html'));
    const charts = await drawnCharts(page);
    expect(charts.map((chart) => chart.kind)).toEqual(['bar', 'bar', 'histogram', 'grouped-bar']);
    const [stages, rejections, histogram, scenarios] = charts as [
      DrawnChart,
      DrawnChart,
      DrawnChart,
      DrawnChart,
    ];

    // The chart continues past the per-record stages: after balancing, then what the split kept.
    const { counts: written, balance } = manifest;
    const afterBalance = manifest.stages.at(-1)!.out - balance!.balancedOut - balance!.smallScenarioDropped;
    const stageBars = [
      ...manifest.stages.map((stage) => ({ name: stage.name, out: stage.out })),
      { name: 'balance', out: afterBalance },
      { name: 'kept (split)', out: written.train + written.validation + (written.test ?? 0) },
    ];
    expect(stageBars.at(-1)!.out).toBe(written.kept);
    expect(stages.groups).toEqual(stageBars.map((stage) => stage.name));
    expectBars(
      stages,
      stageBars.map((stage) => ({ title: `${stage.name}: ${number(stage.out)}`, value: stage.out })),
      'x',
    );

    const reasons = REJECT_REASONS.filter((reason) => manifest.counts.rejectedByReason[reason] > 0);
    expect(rejections.groups).toEqual(reasons);
    expectBars(
      rejections,
      reasons.map((reason) => {
        const lines = manifest.counts.rejectedByReason[reason];
        return { title: `${reason}: ${number(lines)}`, value: lines };
      }),
      'x',
    );

    const { edges, counts } = manifest.tokens!.perSplit.train.histogram;
    const bins = counts.map((count, i) => ({ bin: `${number(edges[i]!)}–${number(edges[i + 1]!)}`, count }));
    expect(histogram.groups).toEqual(bins.map((bin) => bin.bin));
    expectBars(
      histogram,
      bins.map(({ bin, count }) => ({ title: `${bin} tokens: ${number(count)} examples`, value: count })),
      'y',
    );
    // The last bin ends at the limit: the rule sits on its right edge.
    const lastBin = histogram.bars.find((bar) =>
      bar.title.startsWith(`${bins[bins.length - 1]!.bin} tokens:`),
    )!;
    expect(histogram.limits.map((limit) => limit.title)).toEqual(['--max-tokens 4,096']);
    expect(Math.abs(histogram.limits[0]!.x - (lastBin.left + lastBin.width))).toBeLessThan(1.5);

    // The sample has 4 scenarios, each with train and validation examples: 8 bars, none empty.
    expect([...scenarios.groups].sort()).toEqual(Object.keys(manifest.scenarios).sort());
    expect(scenarios.groups).toHaveLength(4);
    expect(scenarios.series).toEqual(['train', 'validation']);
    const figures = (scenario: string, split: string) =>
      manifest.scenarios[scenario]![split as 'train' | 'validation'];
    expectBars(scenarios, groupedBars(scenarios, figures), 'x');
    expect(scenarios.bars.filter((bar) => bar.width > 0 && bar.height > 0)).toHaveLength(8);
  });

  it('eval report: F1 per scenario, one bar per endpoint and scenario', async () => {
    const metrics = JSON.parse(readFileSync(join(evalOut, 'metrics.json'), 'utf8')) as EvalMetrics;
    const { page } = await openWatched(browser, join(evalOut, 'report.html'));
    const charts = await drawnCharts(page);
    expect(charts.map((chart) => chart.kind)).toEqual(['grouped-bar']);
    const [chart] = charts as [DrawnChart];
    expect(chart.groups).toEqual(['geography', 'math', 'sentiment']);
    expect(chart.series).toEqual(['weak', 'good']);
    const bars = groupedBars(chart, f1Of(metrics));
    expectBars(chart, bars, 'x');
    // weak gets math wrong (F1 0): 5 of the 6 bars have a length.
    expect(bars.filter((bar) => bar.value === 0).map((bar) => bar.title)).toEqual(['math – weak: 0']);
    expect(chart.bars.filter((bar) => bar.width > 0 && bar.height > 0)).toHaveLength(5);
  });

  it('compare.html: F1 per scenario, one bar per model and scenario', async () => {
    const comparison = JSON.parse(readFileSync(join(compareOut, 'comparison.json'), 'utf8')) as Comparison;
    const { page } = await openWatched(browser, join(compareOut, 'compare.html'));
    const charts = await drawnCharts(page);
    expect(charts.map((chart) => chart.kind)).toEqual(['grouped-bar']);
    const [chart] = charts as [DrawnChart];
    expect(chart.groups).toEqual(['geography', 'math', 'sentiment']);
    expect(chart.series).toEqual(comparison.models);
    expectBars(chart, groupedBars(chart, f1Of(comparison.metrics)), 'x');
    expect(chart.bars.filter((bar) => bar.width > 0 && bar.height > 0)).toHaveLength(5);
  });
});
