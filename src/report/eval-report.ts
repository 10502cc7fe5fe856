// report.html of `phikit eval`: metrics with intervals per endpoint and scenario, and every
// answer side by side with its reference (filterable). Model output is escaped like dataset text.
// Each `--scorer` adds a column to the metrics and answers tables; a label scorer adds its
// per-label figures and confusion matrix.
import type { EvalResult } from '../core/eval-types.js';
import type { ClassificationSummary } from '../metrics/classification.js';
import type { EvalMetrics, GroupMetrics } from '../metrics/summary.js';
import type { JudgeGroup, JudgeSummary } from '../metrics/judge-summary.js';
import type { Interval } from '../metrics/stats.js';
import { groupedBarChart, loadChartLibrary } from './charts.js';
import { formatNumber, html, page, TABLE_FILTER_SCRIPT, truncated, type SafeHtml } from './html.js';

export function formatInterval(interval: Interval, digits = 1): SafeHtml {
  if (interval.n === 0 || Number.isNaN(interval.value)) return html`–`;
  return html`${interval.value.toFixed(digits)} <span class="more">[${interval.low.toFixed(digits)}, ${interval.high.toFixed(digits)}]</span>`;
}

function perplexityCell(group: GroupMetrics): SafeHtml {
  const p = group.perplexity;
  const notScored =
    p.notScored > 0
      ? `, ${formatNumber(p.notScored)} reference${p.notScored === 1 ? '' : 's'} not scored (see perplexityNotScored)`
      : '';
  if (p.value === null)
    return html`<span class="more">none (${p.kind === 'none' ? 'no logprobs from this endpoint' : 'no data'}${notScored})</span>`;
  return html`${p.value.toFixed(2)} <span class="more">[${p.low!.toFixed(2)}, ${p.high!.toFixed(2)}]</span><br /><span class="more">${p.kind}, ${formatNumber(p.tokens)} tokens${p.bitsPerByte !== null ? `, ${p.bitsPerByte.toFixed(3)} bits/byte` : ''}${notScored}</span>`;
}

/** The final assistant message, then the example's further accepted answers, each on its own line. */
function referencesCell(result: EvalResult): SafeHtml {
  const more = result.references ?? [];
  if (more.length === 0) return html`${truncated(result.reference, 400)}`;
  return html`${truncated(result.reference, 400)}<ul class="references" data-references="${more.length}">${more.map(
    (reference) => html`<li>${truncated(reference, 400)}</li>`,
  )}</ul>`;
}

export function metricsRow(
  label: SafeHtml | string,
  group: GroupMetrics,
  scorerNames: readonly string[] = [],
): SafeHtml {
  return html`<tr>
    <td>${label}</td>
    <td class="num">${formatNumber(group.answered)} / ${formatNumber(group.n)}</td>
    <td class="num">${formatInterval(group.em)}</td>
    <td class="num">${formatInterval(group.f1)}</td>
    <td class="num">${formatInterval(group.accuracy)}</td>
    ${scorerNames.map((name) => html`<td class="num scorer">${scorerInterval(group, name)}</td>`)}
    <td class="num">${perplexityCell(group)}</td>
    <td class="num">${formatNumber(group.errors)}</td>
  </tr>`;
}

function scorerInterval(group: GroupMetrics, name: string): SafeHtml {
  const interval = group.scorers?.[name];
  return interval ? formatInterval(interval) : html`–`;
}

/** The metrics table head, with a column per scorer. */
export function metricsHead(scorerNames: readonly string[]): SafeHtml {
  return html`<thead>
  <tr>
    <th></th>
    <th class="num">answered / n</th>
    <th class="num">exact match [95% CI]</th>
    <th class="num">F1 [95% CI]</th>
    <th class="num">accuracy [95% CI]</th>
    ${scorerNames.map((name) => html`<th class="num scorer">${name} [95% CI]</th>`)}
    <th class="num">perplexity [95% CI]</th>
    <th class="num">errors</th>
  </tr>
</thead>`;
}

const percent = (value: number) => (100 * value).toFixed(1);

/** Per-label precision/recall/F1 and the confusion matrix (rows: reference label, columns: predicted). */
function classificationSection(name: string, summary: ClassificationSummary): SafeHtml {
  const columns = Object.keys(Object.values(summary.confusion)[0] ?? {});
  return html`<div class="classification" data-scorer="${name}">
    <h4>${name}: accuracy ${formatInterval(summary.accuracy)}, macro-F1 ${formatInterval(summary.macroF1)} <span class="more">n ${formatNumber(summary.n)}</span></h4>
    <table class="per-label">
      <thead><tr><th>label</th><th class="num">precision</th><th class="num">recall</th><th class="num">F1</th><th class="num">support</th><th class="num">predicted</th></tr></thead>
      <tbody>${summary.labels.map((label) => {
        const f = summary.perLabel[label]!;
        return html`<tr><td>${label}</td><td class="num">${percent(f.precision)}</td><td class="num">${percent(f.recall)}</td><td class="num">${percent(f.f1)}</td><td class="num">${formatNumber(f.support)}</td><td class="num">${formatNumber(f.predicted)}</td></tr>`;
      })}</tbody>
    </table>
    <table class="confusion">
      <thead><tr><th>reference ↓ / predicted →</th>${columns.map((column) => html`<th class="num">${column}</th>`)}</tr></thead>
      <tbody>${Object.entries(summary.confusion).map(
        ([gold, row]) =>
          html`<tr><th>${gold}</th>${columns.map((column) => html`<td class="num">${formatNumber(row[column] ?? 0)}</td>`)}</tr>`,
      )}</tbody>
    </table>
  </div>`;
}

/** The metrics table head without scorers (compare's report). */
export const METRICS_HEAD = metricsHead([]);

export async function renderEvalReport(
  metrics: EvalMetrics,
  results: readonly EvalResult[],
  context: { examplesPath: string; endpointNotes?: Record<string, string[]>; judge?: JudgeSummary },
): Promise<string> {
  await loadChartLibrary();
  const scorerNames = Object.keys(metrics.scorers ?? {});
  const head = metricsHead(scorerNames);
  const endpointSections = metrics.endpoints.map(
    (endpoint) => html`<h3>${endpoint.endpoint} <span class="more">${endpoint.model}</span></h3>
      ${(context.endpointNotes?.[endpoint.endpoint] ?? []).map((note) => html`<div class="warn endpoint-note">${note}</div>`)}
      <table>
        ${head}
        <tbody>
          ${metricsRow(html`<strong>all</strong>`, endpoint.overall, scorerNames)}
          ${Object.entries(endpoint.scenarios).map(([scenario, group]) => metricsRow(scenario, group, scorerNames))}
        </tbody>
      </table>
      ${Object.entries(endpoint.overall.classification ?? {}).map(([name, summary]) => classificationSection(name, summary))}
      <p class="more">
        Latency p50 ${formatNumber(endpoint.latencyMs.p50)} ms, p95 ${formatNumber(endpoint.latencyMs.p95)} ms.
        ${
          Object.keys(endpoint.errorsByKind).length > 0
            ? html`Errors after all retries: ${Object.entries(endpoint.errorsByKind)
                .map(([kind, n]) => `${kind} ${n}`)
                .join(', ')}.`
            : ''
        }
      </p>`,
  );
  const bars = metrics.endpoints.flatMap((endpoint) =>
    Object.entries(endpoint.scenarios).map(([scenario, group]) => ({
      group: scenario,
      series: endpoint.endpoint,
      value: Number.isNaN(group.f1.value) ? 0 : Math.round(group.f1.value * 10) / 10,
    })),
  );
  const scenarios = [...new Set(results.map((r) => r.scenario))].sort();
  const rows = results.map(
    (
      r,
    ) => html`<tr data-scenario="${r.scenario}" data-endpoint="${r.endpoint}" data-error="${r.error ? 'yes' : 'no'}">
      <td class="num">${r.line}</td>
      <td>${r.scenario}</td>
      <td>${r.endpoint}</td>
      <td class="num">${r.scores ? formatNumber(r.scores.em) : '–'}</td>
      <td class="num">${r.scores ? r.scores.f1.toFixed(1) : '–'}</td>
      ${scorerNames.map((name) => html`<td class="num scorer">${r.scorers?.[name] ? r.scorers[name].score.toFixed(1) : '–'}</td>`)}
      <td class="raw">${r.error ? html`<strong>${r.error.kind}</strong>: ${r.error.message}` : truncated(r.prediction ?? '', 400)}</td>
      <td class="raw">${referencesCell(r)}</td>
    </tr>`,
  );
  const body = html`
    <h1>Evaluation report</h1>
    <p class="sub">Examples: ${context.examplesPath} · seed ${metrics.seed} · ${formatNumber(results.length)} answers from ${metrics.endpoints.length} endpoint${metrics.endpoints.length === 1 ? '' : 's'}</p>
    <h2 id="metrics">Metrics</h2>
    ${endpointSections}
    ${context.judge ? judgeSection(context.judge) : ''}
    <h2 id="scenarios">F1 per scenario</h2>
    ${groupedBarChart(bars, { xLabel: 'F1 (0-100)', series: metrics.endpoints.map((e) => e.endpoint) })}
    <h2 id="examples">Answers</h2>
    <div class="filters">
      <label>Scenario <select data-filter-for="answers" data-filter-key="scenario"><option value="">all</option>${scenarios.map((s) => html`<option value="${s}">${s}</option>`)}</select></label>
      <label>Endpoint <select data-filter-for="answers" data-filter-key="endpoint"><option value="">all</option>${metrics.endpoints.map((e) => html`<option value="${e.endpoint}">${e.endpoint}</option>`)}</select></label>
      <label>Errors <select data-filter-for="answers" data-filter-key="error"><option value="">all</option><option value="yes">errors only</option></select></label>
      <label>Text <input type="search" data-filter-for="answers" placeholder="filter answers" /></label>
      <span id="answers-shown">${formatNumber(results.length)} shown</span>
    </div>
    <table id="answers">
      <thead><tr><th class="num">line</th><th>scenario</th><th>endpoint</th><th class="num">EM</th><th class="num">F1</th>${scorerNames.map((name) => html`<th class="num scorer">${name}</th>`)}<th>prediction</th><th>reference</th></tr></thead>
      <tbody>${rows}</tbody>
    </table>
    <h2 id="definitions">Definitions</h2>
    <table class="kv">${Object.entries({ ...metrics.definitions, ...metrics.scorers }).map(([key, text]) => html`<tr><th>${key}</th><td>${text}</td></tr>`)}</table>
  `;
  return page({ title: 'phikit evaluation report', script: TABLE_FILTER_SCRIPT }, body);
}

// The LLM judge (eval --judge): per endpoint and scenario the judge score (0-100) with its interval,
// unparseable and failed judge answers, and Spearman's rho against F1.
function judgeRow(label: SafeHtml | string, endpoint: string, group: JudgeGroup): SafeHtml {
  const rho = group.spearmanF1.rho;
  return html`<tr data-judge-endpoint="${endpoint}">
    <td>${label}</td>
    <td class="num">${formatNumber(group.scored)} / ${formatNumber(group.n)}</td>
    <td class="num">${formatInterval(group.score)}</td>
    <td class="num">${rho === null ? '–' : rho.toFixed(2)} <span class="more">n=${formatNumber(group.spearmanF1.n)}</span></td>
    <td class="num">${formatNumber(group.unparseable)}</td>
    <td class="num">${formatNumber(group.errors)}</td>
  </tr>`;
}

function judgeSection(judge: JudgeSummary): SafeHtml {
  return html`<section id="judge">
    <h2>LLM judge</h2>
    <p class="sub">Judge ${judge.judge} (${judge.model}) · rubric ${judge.rubric} · ${formatNumber(judge.asked)} asked, ${formatNumber(judge.fromCache)} from judgments.jsonl · ${formatNumber(judge.unparseable)} unparseable, ${formatNumber(judge.errors)} failed</p>
    <p class="more">Score: ${judge.scale}. Spearman ρ: rank correlation of the judge score with F1 over the examples both scored; low or negative values mean the judge and F1 disagree.</p>
    <table>
      <thead><tr><th></th><th class="num">scored / judged</th><th class="num">judge score [95% CI]</th><th class="num">Spearman ρ with F1</th><th class="num">unparseable</th><th class="num">judge errors</th></tr></thead>
      <tbody>
        ${judge.endpoints.map(
          (
            endpoint,
          ) => html`${judgeRow(html`<strong>${endpoint.endpoint}</strong>`, endpoint.endpoint, endpoint.overall)}
            ${Object.entries(endpoint.scenarios).map(([scenario, group]) => judgeRow(scenario, endpoint.endpoint, group))}`,
        )}
      </tbody>
    </table>
  </section>`;
}
