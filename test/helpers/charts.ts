// Reads the charts of a report page as chromium draws them: each chart's claimed groups and series
// (its data attributes) and the bars (with their <title>) and titled limit rules in its SVG.
import type { Page } from 'playwright-core';

export interface DrawnBar {
  title: string;
  left: number;
  width: number;
  height: number;
}

export interface DrawnChart {
  kind: string | null;
  groups: string[];
  series: string[] | null;
  bars: DrawnBar[];
  /** Rules with a title (a limit), by the x of their middle on the page. */
  limits: Array<{ title: string; x: number }>;
}

export async function drawnCharts(page: Page): Promise<DrawnChart[]> {
  return page.$$eval('.chart', (charts) =>
    charts.map((chart) => {
      const json = (name: string) => {
        const value = chart.getAttribute(name);
        return value === null ? null : (JSON.parse(value) as string[]);
      };
      // Only the rects of bar and rect marks: legend swatches and axes are not data.
      const rects = [
        ...chart.querySelectorAll('svg g[aria-label="bar"] rect, svg g[aria-label="rect"] rect'),
      ];
      return {
        kind: chart.getAttribute('data-chart'),
        groups: json('data-groups') ?? [],
        series: json('data-series'),
        bars: rects.map((rect) => {
          const box = rect.getBoundingClientRect();
          const title = rect.querySelector('title')?.textContent ?? '';
          return { title, left: box.left, width: box.width, height: box.height };
        }),
        limits: [...chart.querySelectorAll('svg g[aria-label="rule"] line')]
          .filter((line) => line.querySelector('title'))
          .map((line) => ({
            title: line.querySelector('title')!.textContent ?? '',
            x: line.getBoundingClientRect().left + line.getBoundingClientRect().width / 2,
          })),
      };
    }),
  );
}
