// Building blocks of phikit's self-contained HTML reports: escaping (every piece of dataset
// and model text goes through `html`), number formatting, and the page shell with inline CSS,
// a Content-Security-Policy that allows no network and only the report's own script.
import { createHash } from 'node:crypto';
import { formatFixed } from '../core/describe.js';

/** A fragment that is already safe HTML. Only `html` and `raw` make one. */
export class SafeHtml {
  constructor(readonly value: string) {}
  toString(): string {
    return this.value;
  }
}

const ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => ESCAPES[char]!);
}

type Interpolation = SafeHtml | string | number | boolean | null | undefined | readonly Interpolation[];

function render(value: Interpolation): string {
  if (value === null || value === undefined || value === false) return '';
  if (value instanceof SafeHtml) return value.value;
  if (Array.isArray(value)) return value.map(render).join('');
  return escapeHtml(String(value as string | number | boolean));
}

/** Tagged template: interpolated values are escaped unless they are SafeHtml (or arrays of it). */
export function html(strings: TemplateStringsArray, ...values: Interpolation[]): SafeHtml {
  let out = strings[0]!;
  for (let i = 0; i < values.length; i++) out += render(values[i]!) + strings[i + 1]!;
  return new SafeHtml(out);
}

/** Trusted markup produced by code (an SVG from the chart renderer), never dataset text. */
export function raw(markup: string): SafeHtml {
  return new SafeHtml(markup);
}

export function formatNumber(value: number, fractionDigits = 0): string {
  return formatFixed(value, fractionDigits);
}

export function formatPercent(part: number, whole: number): string {
  return whole === 0 ? '–' : `${((100 * part) / whole).toFixed(1)}%`;
}

export function formatBytes(bytes: number): string {
  const units = ['B', 'KB', 'MB', 'GB', 'TB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1000 && unit < units.length - 1) {
    value /= 1000;
    unit++;
  }
  return `${unit === 0 ? value : value.toFixed(1)} ${units[unit]}`;
}

/** Long text cut for display, saying how long it really is. */
export function truncated(text: string, max = 300): SafeHtml {
  if (text.length <= max) return html`${text}`;
  return html`${text.slice(0, max)}<span class="more">… (${formatNumber(text.length)} characters in all)</span>`;
}

/** Readable when printed and in grayscale: the series differ in lightness as well as hue. */
export const PALETTE = {
  primary: '#2f5fb3',
  secondary: '#e8a33d',
  accent: '#8c3b4a',
  muted: '#9aa3ad',
  limit: '#c0392b',
};

const CSS = `
:root { color-scheme: light; --ink: #1d232b; --muted: #5b6570; --line: #d8dde3; --bg-soft: #f4f6f8; --accent: ${PALETTE.primary}; }
* { box-sizing: border-box; }
body { font: 14px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--ink); margin: 0; background: white; }
main { max-width: 1100px; margin: 0 auto; padding: 24px 28px 64px; }
h1 { font-size: 24px; margin: 0 0 4px; } h2 { font-size: 18px; margin: 36px 0 10px; border-bottom: 2px solid var(--line); padding-bottom: 4px; }
h3 { font-size: 15px; margin: 20px 0 8px; }
.sub { color: var(--muted); margin: 0 0 20px; }
.cards { display: grid; grid-template-columns: repeat(auto-fit, minmax(150px, 1fr)); gap: 10px; margin: 16px 0; }
.card { border: 1px solid var(--line); border-radius: 6px; padding: 10px 12px; background: var(--bg-soft); }
.card .label { color: var(--muted); font-size: 12px; text-transform: uppercase; letter-spacing: .03em; }
.card .value { font-size: 22px; font-weight: 600; font-variant-numeric: tabular-nums; }
table { border-collapse: collapse; width: 100%; margin: 8px 0 16px; font-variant-numeric: tabular-nums; }
th, td { text-align: left; padding: 5px 8px; border-bottom: 1px solid var(--line); vertical-align: top; }
th { background: var(--bg-soft); font-weight: 600; }
td.num, th.num { text-align: right; white-space: nowrap; }
code, .raw { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: 12px; }
.raw { white-space: pre-wrap; word-break: break-all; color: #333; }
.more { color: var(--muted); font-style: italic; }
.warn { border-left: 4px solid ${PALETTE.secondary}; background: #fff8ec; padding: 8px 12px; margin: 6px 0; }
.ok { border-left: 4px solid ${PALETTE.primary}; background: #eef3fb; padding: 8px 12px; margin: 6px 0; }
.chart { margin: 8px 0 16px; } .chart svg { max-width: 100%; height: auto; }
.filters { display: flex; gap: 8px; align-items: center; margin: 8px 0; flex-wrap: wrap; }
.filters input, .filters select { font: inherit; padding: 4px 6px; }
.kv th { width: 220px; }
a { color: var(--accent); }
footer { color: var(--muted); margin-top: 40px; font-size: 12px; }
@media print { main { max-width: none; padding: 0; } .filters { display: none; } h2 { break-after: avoid; } table, .chart { break-inside: avoid; } }
`;

export interface PageOptions {
  title: string;
  /** Small inline script for sorting/filtering; the page must read fully without it. */
  script?: string;
}

export function page(options: PageOptions, body: SafeHtml): string {
  const script = options.script ?? '';
  // The CSP allows the report's own script (by hash) and inline styles, and nothing from the network.
  const scriptHash = createHash('sha256').update(script).digest('base64');
  const csp = `default-src 'none'; style-src 'unsafe-inline'; img-src data:; script-src 'sha256-${scriptHash}'`;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<title>${escapeHtml(options.title)}</title>
<style>${CSS}</style>
</head>
<body>
<main>
${body.value}
</main>
${script ? `<script>${script}</script>` : ''}
</body>
</html>
`;
}

/** Inline JS for every `table[data-filterable]`: a text box and optional select filter rows. */
export const TABLE_FILTER_SCRIPT = `
document.querySelectorAll('[data-filter-for]').forEach(function (control) {
  var table = document.getElementById(control.getAttribute('data-filter-for'));
  var controls = document.querySelectorAll('[data-filter-for="' + table.id + '"]');
  function apply() {
    var rows = table.tBodies[0].rows, shown = 0;
    for (var i = 0; i < rows.length; i++) {
      var row = rows[i], visible = true;
      controls.forEach(function (c) {
        var value = c.value.trim().toLowerCase();
        if (!value) return;
        var key = c.getAttribute('data-filter-key');
        var text = key ? (row.getAttribute('data-' + key) || '') : row.textContent.toLowerCase();
        if (key ? text !== value : text.indexOf(value) < 0) visible = false;
      });
      row.hidden = !visible;
      if (visible) shown++;
    }
    var counter = document.getElementById(table.id + '-shown');
    if (counter) counter.textContent = shown + ' shown';
  }
  control.addEventListener('input', apply);
  control.addEventListener('change', apply);
});
`;
