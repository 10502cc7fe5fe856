// compare.html: the regression gate's verdict (when run), models side by side: metrics with CIs,
// paired differences with p-values, F1 per scenario, and every example's answers with filters.
import type { Comparison, GateResult, PairwiseJudgeSummary } from './comparison.js';
import type { PairedComparison } from '../metrics/stats.js';
import { groupedBarChart, loadChartLibrary } from './charts.js';
import { METRICS_HEAD, metricsRow } from './eval-report.js';
import { formatNumber, html, page, TABLE_FILTER_SCRIPT, truncated, type SafeHtml } from './html.js';

function difference(d: PairedComparison): SafeHtml {
  if (d.n === 0) return html`–`;
  const sign = d.value > 0 ? '+' : '';
  return html`${sign}${d.value.toFixed(1)} <span class="more">[${d.low.toFixed(1)}, ${d.high.toFixed(1)}], p ${d.pValue < 0.001 ? '< 0.001' : d.pValue.toFixed(3)}</span>`;
}

/** The gate's verdict first, then its regressions and the other checks, one line each. */
function gateSection(gate: GateResult | undefined): SafeHtml {
  if (!gate) return html``;
  const regressions = gate.checks.filter((c) => c.verdict === 'regression');
  const others = gate.checks.filter((c) => c.verdict !== 'regression');
  const untested = gate.checks.every((c) => c.verdict === 'too_few_examples');
  const verdict = untested ? 'not tested (too few paired examples)' : gate.passed ? 'passed' : 'failed';
  return html`<section id="gate" class="${gate.passed && !untested ? 'ok' : 'warn'}">
      <h2>Regression gate: ${verdict}</h2>
      <p>${untested ? 'Nothing could be shown either way' : gate.passed ? 'No significant regression' : `${regressions.length} significant regression${regressions.length === 1 ? '' : 's'}`} on ${gate.metrics.join(', ')}; minimum delta ${gate.minDelta.toFixed(1)} points${gate.perScenario ? '; per scenario, Holm-corrected' : ''}.</p>
      <ul>${[...regressions, ...others].map((c) => html`<li>${c.verdict === 'regression' ? html`<strong>${c.message}</strong>` : c.message}</li>`)}</ul>
      <p class="more">Rule: ${gate.rule}.</p>
    </section>`;
}

/** compare --judge: the judge's wins, ties and losses per pair, with the sign test. */
function judgeSection(judge: PairwiseJudgeSummary | undefined): SafeHtml {
  if (!judge) return html``;
  return html`<section id="judge">
      <h2>LLM judge (pairwise)</h2>
      <p class="sub">Judge ${judge.judge} (${judge.model}) · ${formatNumber(judge.asked)} asked, ${formatNumber(judge.fromCache)} from judgments.jsonl</p>
      <table>
        <thead><tr><th>pair</th><th class="num">n</th><th class="num">wins / ties / losses</th><th class="num">sign test p</th><th class="num">unparseable</th><th class="num">judge errors</th></tr></thead>
        <tbody>${judge.pairs.map(
          (p) => html`<tr data-judge-pair="${p.candidate}">
            <td>${p.candidate} vs ${p.baseline}</td>
            <td class="num">${formatNumber(p.n)}</td>
            <td class="num">${p.wins} / ${p.ties} / ${p.losses}</td>
            <td class="num">${p.signTestPValue < 0.001 ? '< 0.001' : p.signTestPValue.toFixed(3)}</td>
            <td class="num">${formatNumber(p.unparseable)}</td>
            <td class="num">${formatNumber(p.errors)}</td>
          </tr>`,
        )}</tbody>
      </table>
      <p class="more">Rule: ${judge.rule}.</p>
    </section>`;
}

export async function renderCompareReport(comparison: Comparison): Promise<string> {
  await loadChartLibrary();
  const { metrics, pairs, examples, models } = comparison;
  const overall = metrics.endpoints.map((endpoint) =>
    metricsRow(html`<strong>${endpoint.endpoint}</strong>`, endpoint.overall),
  );
  const pairRows = pairs.map(
    (pair) => html`<tr>
      <td>${pair.candidate} vs ${pair.baseline}</td>
      <td class="num">${formatNumber(pair.n)}</td>
      <td class="num">${difference(pair.em)}</td>
      <td class="num">${difference(pair.f1)}</td>
      <td class="num">${difference(pair.accuracy)}</td>
      <td class="num">${pair.mcnemar.onlyCandidateRight} vs ${pair.mcnemar.onlyBaselineRight}, p ${pair.mcnemar.pValue < 0.001 ? '< 0.001' : pair.mcnemar.pValue.toFixed(3)}</td>
      <td class="num">${pair.wins} / ${pair.ties} / ${pair.losses}</td>
    </tr>`,
  );
  const bars = metrics.endpoints.flatMap((endpoint) =>
    Object.entries(endpoint.scenarios).map(([scenario, group]) => ({
      group: scenario,
      series: endpoint.endpoint,
      value: Number.isNaN(group.f1.value) ? 0 : Math.round(group.f1.value * 10) / 10,
    })),
  );
  const scenarios = [...new Set(examples.map((e) => e.scenario))].sort();
  const rows = examples.map((example) => {
    const hasError = Object.values(example.answers).some((a) => a.error !== null);
    return html`<tr data-scenario="${example.scenario}" data-disagree="${example.spread > 0 ? 'yes' : 'no'}" data-error="${hasError ? 'yes' : 'no'}">
      <td class="num">${example.line}</td>
      <td>${example.scenario}</td>
      <td class="raw">${truncated(example.reference, 300)}</td>
      ${models.map((model) => {
        const answer = example.answers[model]!;
        return html`<td class="raw">${answer.error ? html`<strong>error</strong> ${answer.error}` : truncated(answer.prediction ?? '', 300)}<br /><span class="more">F1 ${answer.f1 === null ? '–' : answer.f1.toFixed(1)}</span></td>`;
      })}
    </tr>`;
  });
  const body = html`
    <h1>Model comparison</h1>
    <p class="sub">${models.join(' · ')} · paired on ${formatNumber(examples.length)} examples · seed ${metrics.seed}</p>
    ${gateSection(comparison.gate)}
    ${judgeSection(comparison.judge)}
    <h2 id="metrics">Metrics</h2>
    <table>${METRICS_HEAD}<tbody>${overall}</tbody></table>
    <h2 id="differences">Paired differences (candidate − baseline, points)</h2>
    <table>
      <thead><tr><th>pair</th><th class="num">n</th><th class="num">exact match</th><th class="num">F1</th><th class="num">accuracy</th><th class="num">McNemar (EM right only by candidate vs baseline)</th><th class="num">F1 wins / ties / losses</th></tr></thead>
      <tbody>${pairRows}</tbody>
    </table>
    <p class="more">Differences: mean of paired per-example differences, 95% paired bootstrap interval (1,000 resamples), two-sided bootstrap p-value. McNemar: exact binomial test on the examples only one model got exactly right.</p>
    <h2 id="scenarios">F1 per scenario</h2>
    ${groupedBarChart(bars, { xLabel: 'F1 (0-100)', series: models })}
    <h2 id="examples">Answers side by side (largest disagreement first)</h2>
    <div class="filters">
      <label>Scenario <select data-filter-for="pairs" data-filter-key="scenario"><option value="">all</option>${scenarios.map((s) => html`<option value="${s}">${s}</option>`)}</select></label>
      <label>Show <select data-filter-for="pairs" data-filter-key="disagree"><option value="">all</option><option value="yes">disagreements only</option></select></label>
      <label>Errors <select data-filter-for="pairs" data-filter-key="error"><option value="">all</option><option value="yes">errors only</option></select></label>
      <label>Text <input type="search" data-filter-for="pairs" placeholder="filter" /></label>
      <span id="pairs-shown">${formatNumber(examples.length)} shown</span>
    </div>
    <table id="pairs">
      <thead><tr><th class="num">line</th><th>scenario</th><th>reference</th>${models.map((m) => html`<th>${m}</th>`)}</tr></thead>
      <tbody>${rows}</tbody>
    </table>
  `;
  return page({ title: `phikit comparison: ${models.join(' vs ')}`, script: TABLE_FILTER_SCRIPT }, body);
}
