// report.html of `phikit eval`: metrics with intervals per endpoint and scenario, and every
// answer side by side with its reference (filterable). Model output is escaped like dataset text.
import type { EvalResult } from '../core/eval-types.js';
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

export function metricsRow(label: SafeHtml | string, group: GroupMetrics): SafeHtml {
  return html`<tr>
    <td>${label}</td>
    <td class="num">${formatNumber(group.answered)} / ${formatNumber(group.n)}</td>
    <td class="num">${formatInterval(group.em)}</td>
    <td class="num">${formatInterval(group.f1)}</td>
    <td class="num">${formatInterval(group.accuracy)}</td>
    <td class="num">${perplexityCell(group)}</td>
    <td class="num">${formatNumber(group.errors)}</td>
  </tr>`;
}

export const METRICS_HEAD = html`<thead>
  <tr>
    <th></th>
    <th class="num">answered / n</th>
    <th class="num">exact match [95% CI]</th>
    <th class="num">F1 [95% CI]</th>
    <th class="num">accuracy [95% CI]</th>
    <th class="num">perplexity [95% CI]</th>
    <th class="num">errors</th>
  </tr>
</thead>`;

export async function renderEvalReport(
  metrics: EvalMetrics,
  results: readonly EvalResult[],
  context: { examplesPath: string; endpointNotes?: Record<string, string[]>; judge?: JudgeSummary },
): Promise<string> {
  await loadChartLibrary();
  const endpointSections = metrics.endpoints.map(
    (endpoint) => html`<h3>${endpoint.endpoint} <span class="more">${endpoint.model}</span></h3>
      ${(context.endpointNotes?.[endpoint.endpoint] ?? []).map((note) => html`<div class="warn endpoint-note">${note}</div>`)}
      <table>
        ${METRICS_HEAD}
        <tbody>
          ${metricsRow(html`<strong>all</strong>`, endpoint.overall)}
          ${Object.entries(endpoint.scenarios).map(([scenario, group]) => metricsRow(scenario, group))}
        </tbody>
      </table>
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
      <thead><tr><th class="num">line</th><th>scenario</th><th>endpoint</th><th class="num">EM</th><th class="num">F1</th><th>prediction</th><th>reference</th></tr></thead>
      <tbody>${rows}</tbody>
    </table>
    <h2 id="definitions">Definitions</h2>
    <table class="kv">${Object.entries(metrics.definitions).map(([key, text]) => html`<tr><th>${key}</th><td>${text}</td></tr>`)}</table>
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
