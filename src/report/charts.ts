// Charts rendered to inline SVG when the report is built (Observable Plot on a linkedom
// document): no script or network at view time, native <title> tooltips on hover.
// Plot and linkedom load on first use, bundled into one file at build time (chart-vendor.ts): a
// report renderer awaits `loadChartLibrary()` before it draws.
import type * as PlotModule from '@observablehq/plot';
import { formatCount } from '../core/describe.js';
import { PhikitError } from '../core/errors.js';
import { html, PALETTE, raw, type SafeHtml } from './html.js';

type PlotDocument = NonNullable<PlotModule.PlotOptions['document']>;

let loaded: { Plot: typeof PlotModule; parseHTML: (html: string) => { document: unknown } } | undefined;

export async function loadChartLibrary(): Promise<void> {
  if (loaded) return;
  const { Plot, parseHTML } = await import('../report/chart-vendor.js');
  loaded = { Plot, parseHTML };
}

function library(): NonNullable<typeof loaded> {
  if (!loaded) throw new PhikitError('INTERNAL', 'charts drawn before loadChartLibrary() was awaited');
  return loaded;
}

function document(): PlotDocument {
  return library().parseHTML('<!doctype html><html><body></body></html>').document as PlotDocument;
}

/** What a chart says it draws: one bar per group (per series when grouped), read back by tests. */
interface ChartClaim {
  kind: 'bar' | 'grouped-bar' | 'histogram';
  groups: readonly string[];
  series?: readonly string[];
}

function render(options: PlotModule.PlotOptions, claim: ChartClaim): SafeHtml {
  const svg = library().Plot.plot({ document: document(), ...options }) as unknown as { outerHTML: string };
  // Plot names its CSS class from a random id; a fixed one keeps reports byte-identical.
  const markup = raw(svg.outerHTML.replace(/plot-[0-9a-f]{6}/g, 'phikit-plot'));
  const series = claim.series ? html` data-series="${JSON.stringify(claim.series)}"` : '';
  return html`<div class="chart" data-chart="${claim.kind}" data-groups="${JSON.stringify(claim.groups)}"${series}>${markup}</div>`;
}

/** Room right of the longest bar for its value label. */
const VALUE_LABEL_MARGIN = 56;

export interface Bar {
  label: string;
  value: number;
}

/** Horizontal bars, one per label, in the order given. */
export function barChart(bars: readonly Bar[], options: { xLabel: string; width?: number }): SafeHtml {
  const { Plot } = library();
  const labels = bars.map((bar) => bar.label);
  const longest = Math.max(0, ...labels.map((label) => label.length));
  return render(
    {
      width: options.width ?? 720,
      height: 40 + 26 * Math.max(bars.length, 1),
      marginLeft: Math.min(260, 12 + 7 * longest),
      marginRight: VALUE_LABEL_MARGIN,
      x: { label: options.xLabel, grid: true },
      y: { label: null, domain: labels },
      marks: [
        Plot.barX(bars, {
          x: 'value',
          y: 'label',
          fill: PALETTE.primary,
          title: (bar: Bar) => `${bar.label}: ${formatCount(bar.value)}`,
        }),
        Plot.text(bars, {
          x: 'value',
          y: 'label',
          text: (bar: Bar) => formatCount(bar.value),
          dx: 4,
          textAnchor: 'start',
        }),
        Plot.ruleX([0]),
      ],
    },
    { kind: 'bar', groups: labels },
  );
}

/** A group name short enough for the axis; the bar titles keep it whole. */
function axisLabel(group: string): string {
  const chars = [...group];
  return chars.length > 36 ? `${chars.slice(0, 35).join('')}…` : group;
}

export interface GroupedBar {
  group: string;
  series: string;
  value: number;
}

/**
 * Bars per group, one per series side by side (e.g. train vs validation per scenario): a facet
 * row per group (`fy`), and inside it a band per series (`y`), so each group × series pair has
 * its own band. Every bar is labelled with its value and titled with group, series and value.
 */
export function groupedBarChart(
  bars: readonly GroupedBar[],
  options: { xLabel: string; series: readonly string[]; width?: number },
): SafeHtml {
  const { Plot } = library();
  const groups = [...new Set(bars.map((bar) => bar.group))];
  const longest = Math.max(0, ...groups.map((group) => axisLabel(group).length));
  const colors = [PALETTE.primary, PALETTE.secondary, PALETTE.accent, PALETTE.muted];
  const bandsPerGroup = Math.max(options.series.length, 1);
  return render(
    {
      width: options.width ?? 720,
      height: 50 + (18 * bandsPerGroup + 10) * Math.max(groups.length, 1),
      marginLeft: Math.min(260, 12 + 7 * longest),
      marginRight: VALUE_LABEL_MARGIN,
      x: { label: options.xLabel, grid: true },
      y: { domain: [...options.series], axis: null, padding: 0.1 },
      fy: { domain: groups, label: null, axis: 'left', padding: 0.25, tickFormat: axisLabel },
      color: { domain: [...options.series], range: colors.slice(0, options.series.length), legend: true },
      marks: [
        Plot.barX(bars, {
          x: 'value',
          y: 'series',
          fy: 'group',
          fill: 'series',
          title: (bar: GroupedBar) => `${bar.group} – ${bar.series}: ${formatCount(bar.value)}`,
        }),
        Plot.text(bars, {
          x: 'value',
          y: 'series',
          fy: 'group',
          text: (bar: GroupedBar) => formatCount(bar.value),
          dx: 4,
          textAnchor: 'start',
        }),
        Plot.ruleX([0]),
      ],
    },
    { kind: 'grouped-bar', groups, series: options.series },
  );
}

export interface HistogramData {
  edges: readonly number[];
  counts: readonly number[];
}

/**
 * Bins as given (edges may be uneven), drawn evenly side by side: bin i spans [i, i + 1] on a
 * linear x, so a limit that ends the last bin sits exactly on its right edge (x = bins).
 */
export function histogramChart(
  data: HistogramData,
  options: { xLabel: string; limit?: number; limitLabel?: string; width?: number },
): SafeHtml {
  const { Plot } = library();
  const bins = data.counts.map((count, i) => ({
    bin: `${formatCount(data.edges[i]!)}–${formatCount(data.edges[i + 1]!)}`,
    count,
  }));
  const marks: PlotModule.Markish[] = [
    Plot.rectY(bins, {
      x1: (_bin: unknown, i: number) => i,
      x2: (_bin: unknown, i: number) => i + 1,
      y1: 0,
      y2: 'count',
      // The gap between bars is on the left, so each bar ends exactly at its upper edge.
      insetLeft: 3,
      fill: PALETTE.primary,
      title: (bin: { bin: string; count: number }) => `${bin.bin} tokens: ${formatCount(bin.count)} examples`,
    }),
    Plot.ruleY([0]),
  ];
  if (options.limit !== undefined) {
    const limitLabel = options.limitLabel ?? `limit ${formatCount(options.limit)}`;
    marks.push(
      Plot.ruleX([bins.length], {
        stroke: PALETTE.limit,
        strokeWidth: 2,
        strokeDasharray: '5,3',
        // A function: a string here would name a field of the datum.
        title: () => limitLabel,
      }),
    );
  }
  return render(
    {
      width: options.width ?? 720,
      height: 260,
      marginBottom: 50,
      x: {
        label: options.xLabel,
        labelAnchor: 'center',
        labelArrow: 'none',
        domain: [0, bins.length],
        ticks: bins.map((_bin, i) => i + 0.5),
        tickFormat: (i: number) => bins[Math.floor(i)]?.bin ?? '',
        tickRotate: -25,
      },
      y: { label: 'examples', grid: true },
      marks,
    },
    { kind: 'histogram', groups: bins.map((bin) => bin.bin) },
  );
}
