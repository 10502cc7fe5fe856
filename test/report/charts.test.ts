// The chart markup itself, without a browser (the chromium test measures what is drawn):
// one titled rect per group × series, and long group names cut on the axis only.
import { parseHTML } from 'linkedom';
import { beforeAll, describe, expect, it } from 'vitest';
import { groupedBarChart, loadChartLibrary } from '../../src/report/charts.js';

function parse(markup: string) {
  const { document } = parseHTML(`<!doctype html><html><body>${markup}</body></html>`);
  const chart = document.querySelector('.chart')!;
  return {
    groups: JSON.parse(chart.getAttribute('data-groups')!) as string[],
    barTitles: [...chart.querySelectorAll('g[aria-label="bar"] rect title')].map((t) => t.textContent),
    axisLabels: [...chart.querySelectorAll('g[aria-label="fy-axis tick label"] text')].map(
      (t) => t.textContent,
    ),
  };
}

describe('groupedBarChart', () => {
  beforeAll(loadChartLibrary);
  it('draws one titled bar per group and series, zero included', () => {
    const bars = [
      { group: '账单 💳', series: 'train', value: 1234 },
      { group: '账单 💳', series: 'validation', value: 0 },
      { group: 'x', series: 'train', value: 2.5 },
      { group: 'x', series: 'validation', value: 1 },
    ];
    const chart = parse(groupedBarChart(bars, { xLabel: 'examples', series: ['train', 'validation'] }).value);
    expect(chart.groups).toEqual(['账单 💳', 'x']);
    expect(chart.barTitles).toEqual([
      '账单 💳 – train: 1,234',
      '账单 💳 – validation: 0',
      'x – train: 2.5',
      'x – validation: 1',
    ]);
    expect(chart.axisLabels).toEqual(['账单 💳', 'x']);
  });

  it('cuts a long group name on the axis and keeps it whole in the bar titles and the claim', () => {
    const long = `Answer billing questions politely and briefly, citing the invoice #a1b2`;
    const chart = parse(
      groupedBarChart([{ group: long, series: 'train', value: 3 }], { xLabel: 'examples', series: ['train'] })
        .value,
    );
    expect(chart.groups).toEqual([long]);
    expect(chart.barTitles).toEqual([`${long} – train: 3`]);
    expect(chart.axisLabels).toEqual([`${long.slice(0, 35)}…`]);
  });
});
