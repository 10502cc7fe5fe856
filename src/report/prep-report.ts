// report.html of a `phikit prep` run, built from manifest.json, the first rejected lines per
// reason and the texts of the near-duplicate pairs the manifest lists (prep-audit.ts).
// Memory: the manifest plus at most SAMPLES_PER_REASON samples per reason and the listed pairs.
import { createReadStream } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { CleaningSample, Manifest, TokenSplitFigures } from '../core/manifest.js';
import { HTML_KEPT_DESCRIPTIONS, type HtmlKeptReason } from '../clean/html.js';
import { REASON_DESCRIPTIONS, REJECT_REASONS, type RejectReason } from '../core/reasons.js';
import { readLines } from '../io/line-reader.js';
import { checkOutputSet } from '../io/output-check.js';
import { MANIFEST_NAME, OutputSet } from '../io/output-set.js';
import { clustersTable, nearPairsSection, readPairTexts, type PairTexts, type PathOf } from './prep-audit.js';
import { barChart, groupedBarChart, histogramChart, loadChartLibrary } from './charts.js';
import {
  formatBytes,
  formatNumber,
  formatPercent,
  html,
  page,
  TABLE_FILTER_SCRIPT,
  truncated,
  type SafeHtml,
} from './html.js';

export const SAMPLES_PER_REASON = 10;
const REPORT_NAME = 'report.html';

export interface RejectedSample {
  line: number;
  reason: RejectReason;
  message: string;
  raw: string;
}

/**
 * Rebuilds `outDir/report.html` from its manifest.json and rejected.jsonl, after checking that the
 * folder is one whole set; the new report and the manifest listing it replace the old as a set.
 */
export async function writePrepReport(outDir: string): Promise<string> {
  await checkOutputSet(outDir, [REPORT_NAME]);
  const set = await OutputSet.open(outDir, 'report');
  try {
    const manifest = JSON.parse(await readFile(join(outDir, MANIFEST_NAME), 'utf8')) as Manifest;
    const report = await set.writeDocument(
      REPORT_NAME,
      await buildPrepReport(manifest, (name) => join(outDir, name)),
    );
    manifest.outputs = { ...manifest.outputs, report };
    await set.commit(`${JSON.stringify(manifest, null, 2)}\n`);
  } finally {
    await set.close();
  }
  return join(outDir, REPORT_NAME);
}

/**
 * The report of a run whose files are at `pathOf(name)`: prep (from its staging folder) and
 * `phikit report` (from the folder) both build it here, so a rebuild gives the same bytes.
 */
export async function buildPrepReport(manifest: Manifest, pathOf: PathOf): Promise<string> {
  const samples = await firstRejectedSamples(pathOf('rejected.jsonl'));
  return renderPrepReport(manifest, samples, await readPairTexts(manifest, pathOf));
}

/** The first samples of each reason, streaming the file (it can be as large as the input). */
export async function firstRejectedSamples(
  path: string,
  perReason = SAMPLES_PER_REASON,
): Promise<RejectedSample[]> {
  const taken = new Map<string, number>();
  const samples: RejectedSample[] = [];
  try {
    for await (const { text } of readLines(createReadStream(path))) {
      if (text === '') continue;
      const reason = /"reason":"([a-z_]+)"/.exec(text)?.[1];
      if (!reason || (taken.get(reason) ?? 0) >= perReason) continue;
      taken.set(reason, (taken.get(reason) ?? 0) + 1);
      const row = JSON.parse(text) as RejectedSample;
      samples.push({ line: row.line, reason: row.reason, message: row.message, raw: row.raw });
    }
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  return samples;
}

export async function renderPrepReport(
  manifest: Manifest,
  samples: readonly RejectedSample[],
  pairs: readonly PairTexts[] = [],
): Promise<string> {
  await loadChartLibrary();
  const body = html`
    <h1>Dataset report: ${manifest.input.name}</h1>
    <p class="sub">
      phikit ${manifest.phikit.version} prep · ${manifest.input.format} (${manifest.input.formatDecision}) ·
      seed ${manifest.seed}
    </p>
    ${summarySection(manifest)} ${warningsSection(manifest)} ${preflightSection(manifest)}
    ${funnelSection(manifest)}
    ${rejectionsSection(manifest, samples)} ${cleaningSection(manifest)} ${tokensSection(manifest)}
    ${scenariosSection(manifest)} ${extraSections(manifest, pairs)} ${unknownKeysSection(manifest)}
    <footer>
      Input sha256 <code>${manifest.input.sha256}</code>. Outputs: train.jsonl (sha256
      <code>${manifest.outputs.train.sha256.slice(0, 16)}…</code>), validation.jsonl
      (<code>${manifest.outputs.validation.sha256.slice(0, 16)}…</code>),${testOutput(manifest)} rejected.jsonl. Run time
      ${formatNumber(manifest.timings.totalMs)} ms on Node ${manifest.phikit.node}.
    </footer>
  `;
  return page({ title: `phikit prep report: ${manifest.input.name}`, script: TABLE_FILTER_SCRIPT }, body);
}

function testOutput(manifest: Manifest): SafeHtml {
  const test = manifest.outputs.test;
  return test ? html` test.jsonl (<code>${test.sha256.slice(0, 16)}…</code>),` : html``;
}

function card(label: string, value: string | SafeHtml): SafeHtml {
  return html`<div class="card">
    <div class="label">${label}</div>
    <div class="value">${value}</div>
  </div>`;
}

function summarySection(manifest: Manifest): SafeHtml {
  const { counts, input } = manifest;
  const testCard = counts.test === undefined ? '' : html` ${card('test', formatNumber(counts.test))}`;
  // Options left unset (null) are in manifest.json; the report shows the ones that shaped the run.
  const options = Object.entries(manifest.options)
    .filter(([, value]) => value !== null)
    .map(
      ([key, value]) =>
        html`<tr>
        <th>${key}</th>
        <td><code>${JSON.stringify(value)}</code></td>
      </tr>`,
    );
  // A .json array has elements, not lines (and no blank ones).
  const array = input.container === 'json-array';
  const readLabel = array ? 'array elements read' : 'lines read';
  const blankCard = array ? '' : card('blank lines', formatNumber(counts.blank));
  return html`
    <h2 id="summary">Summary</h2>
    <div class="cards">
      ${card(readLabel, formatNumber(counts.read))} ${card('kept', formatNumber(counts.kept))}
      ${card('train', formatNumber(counts.train))} ${card('validation', formatNumber(counts.validation))}${testCard}
      ${card('rejected', `${formatNumber(counts.rejected)} (${formatPercent(counts.rejected, counts.records)})`)}
      ${blankCard}
    </div>
    <table class="kv">
      <tr>
        <th>input</th>
        <td>${input.path} (${formatBytes(input.bytes)}, ${input.container}${input.gzip ? ', gzip' : ''})</td>
      </tr>
      <tr>
        <th>sha256</th>
        <td><code>${input.sha256}</code></td>
      </tr>
      ${options}
    </table>
    <p class="ok">
      Every ${array ? 'array element' : 'non-blank line'} ends in exactly one output: ${formatNumber(counts.records)} records =
      ${formatNumber(counts.train)} train + ${formatNumber(counts.validation)} validation +
      ${counts.test === undefined ? '' : `${formatNumber(counts.test)} test + `}${formatNumber(counts.rejected)} rejected.
    </p>
  `;
}

function warningsSection(manifest: Manifest): SafeHtml {
  const warnings = [...manifest.warnings];
  const special = manifest.counts.rejectedByReason.special_token_in_text;
  if (special > 0) {
    warnings.push({
      code: 'special_tokens',
      message: `${formatNumber(special)} examples contain special-token strings such as <|end|> in their text`,
      count: special,
    });
  }
  const tooLong = manifest.counts.rejectedByReason.too_long;
  if (tooLong > 0) {
    warnings.push({
      code: 'too_long',
      message: `${formatNumber(tooLong)} examples are longer than ${formatNumber(manifest.tokens?.maxTokens ?? 0)} tokens`,
      count: tooLong,
    });
  }
  if (warnings.length === 0)
    return html`<h2 id="warnings">Checks</h2>
      <p class="ok">No warnings.</p>`;
  return html`<h2 id="warnings">Checks</h2>
    ${warnings.map((warning) => html`<div class="warn"><strong>${warning.code}</strong>: ${warning.message}</div>`)}`;
}

/** Azure's upload checks: one row per check, with its rule and source. */
function preflightSection(manifest: Manifest): SafeHtml | '' {
  const preflight = manifest.preflight;
  if (!preflight) return '';
  const cost = preflight.cost;
  return html`<h2 id="preflight">Upload preflight (Azure AI Foundry)</h2>
    <p class="${preflight.status === 'pass' ? 'ok' : 'warn'}">
      Overall: <strong>${preflight.status}</strong> for ${preflight.model}.
      ${cost ? `Billed tokens: ${formatNumber(cost.trainingTokens)} x ${cost.epochs} epoch(s) = ${formatNumber(cost.billedTokens)}.` : ''}
    </p>
    <table id="preflight-checks">
      <thead><tr><th>status</th><th>file</th><th>check</th><th>result</th><th>rule</th><th>source</th></tr></thead>
      <tbody>${preflight.checks.map(
        (check) => html`<tr data-status="${check.status}">
          <td><strong>${check.status}</strong></td><td>${check.file}</td><td>${check.check}</td>
          <td>${check.message}</td><td>${check.rule}</td><td class="more">${check.source}</td>
        </tr>`,
      )}</tbody>
    </table>`;
}

function funnelSection(manifest: Manifest): SafeHtml {
  const rows = manifest.stages.map((stage) => {
    const drops = (Object.entries(stage.rejected) as Array<[RejectReason, number]>).filter(([, n]) => n > 0);
    return html`<tr>
      <td>${stage.name}</td>
      <td class="num">${formatNumber(stage.in)}</td>
      <td class="num">${formatNumber(stage.out)}</td>
      <td>
        ${
          drops.length === 0
            ? '–'
            : drops.map(([reason, n]) => html`<a href="#reason-${reason}">${reason}</a> ${formatNumber(n)} `)
        }
      </td>
      <td class="num">${formatNumber(stage.ms)}</td>
    </tr>`;
  });
  const planRows = planStages(manifest).map(
    (stage) => html`<tr>
      <td>${stage.name}</td>
      <td class="num">${formatNumber(stage.in)}</td>
      <td class="num">${formatNumber(stage.out)}</td>
      <td>${stage.dropped}</td>
      <td class="num">–</td>
    </tr>`,
  );
  const bars = [...manifest.stages, ...planStages(manifest)].map((stage) => ({
    label: stage.name,
    value: stage.out,
  }));
  const chart = barChart(bars, { xLabel: 'examples leaving the stage' });
  return html`
    <h2 id="funnel">Stages</h2>
    ${chart}
    <table>
      <thead>
        <tr>
          <th>stage</th>
          <th class="num">in</th>
          <th class="num">out</th>
          <th>dropped</th>
          <th class="num">ms</th>
        </tr>
      </thead>
      <tbody>
        ${rows} ${planRows}
      </tbody>
    </table>
  `;
}

/**
 * The steps after the per-record stages, from the manifest's counts: balancing, then the split,
 * which drops nothing (its bar is the kept count, train + validation + test).
 */
function planStages(
  manifest: Manifest,
): Array<{ name: string; in: number; out: number; dropped: SafeHtml | string }> {
  const last = manifest.stages[manifest.stages.length - 1]?.out ?? 0;
  const balance = manifest.balance;
  const balancedOut = (balance?.balancedOut ?? 0) + (balance?.smallScenarioDropped ?? 0);
  const drops = (['balanced_out', 'small_scenario'] as const).filter(
    (reason) => manifest.counts.rejectedByReason[reason] > 0,
  );
  const { train, validation, test = 0 } = manifest.counts;
  return [
    {
      name: 'balance',
      in: last,
      out: last - balancedOut,
      dropped:
        drops.length === 0
          ? '–'
          : html`${drops.map((reason) => html`<a href="#reason-${reason}">${reason}</a> ${formatNumber(manifest.counts.rejectedByReason[reason])} `)}`,
    },
    { name: 'kept (split)', in: last - balancedOut, out: train + validation + test, dropped: '–' },
  ];
}

/** Top-level keys of the records that phikit did not use, with how many examples had each. */
function unknownKeysSection(manifest: Manifest): SafeHtml {
  const keys = Object.entries(manifest.unknownKeys ?? {}).sort(
    (a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1),
  );
  if (keys.length === 0)
    return html`<h2 id="unknown-keys">Unknown keys</h2>
      <p class="ok">Every top-level key of the records was used.</p>`;
  return html`<h2 id="unknown-keys">Unknown keys</h2>
    <p>Top-level keys phikit does not use: they are not written to the outputs.</p>
    <table id="unknown-keys-table">
      <thead>
        <tr>
          <th>key</th>
          <th class="num">examples</th>
        </tr>
      </thead>
      <tbody>
        ${keys.map(([key, count]) => html`<tr><td><code>${key}</code></td><td class="num">${formatNumber(count)}</td></tr>`)}
      </tbody>
    </table>`;
}

function rejectionsSection(manifest: Manifest, samples: readonly RejectedSample[]): SafeHtml {
  const { counts } = manifest;
  const reasons = REJECT_REASONS.filter((reason) => counts.rejectedByReason[reason] > 0);
  if (reasons.length === 0)
    return html`<h2 id="rejections">Rejections</h2>
      <p class="ok">No line was rejected.</p>`;
  const rows = reasons.map(
    (reason) =>
      html`<tr id="reason-${reason}">
        <td><code>${reason}</code></td>
        <td class="num">${formatNumber(counts.rejectedByReason[reason])}</td>
        <td class="num">${formatPercent(counts.rejectedByReason[reason], counts.records)}</td>
        <td>${REASON_DESCRIPTIONS[reason]}</td>
      </tr>`,
  );
  const sampleRows = samples.map(
    (sample) =>
      html`<tr data-reason="${sample.reason}">
        <td class="num">${formatNumber(sample.line)}</td>
        <td><code>${sample.reason}</code></td>
        <td>${sample.message}</td>
        <td class="raw">${truncated(sample.raw)}</td>
      </tr>`,
  );
  return html`
    <h2 id="rejections">Rejections</h2>
    ${barChart(
      reasons.map((reason) => ({ label: reason, value: counts.rejectedByReason[reason] })),
      { xLabel: 'rejected lines' },
    )}
    <table>
      <thead>
        <tr>
          <th>reason</th>
          <th class="num">lines</th>
          <th class="num">share of records</th>
          <th>meaning</th>
        </tr>
      </thead>
      <tbody>
        ${rows}
      </tbody>
    </table>
    <h3>First ${SAMPLES_PER_REASON} samples per reason (all of them are in rejected.jsonl)</h3>
    <div class="filters">
      <label
        >Reason
        <select data-filter-for="samples" data-filter-key="reason">
          <option value="">all</option>
          ${reasons.map((reason) => html`<option value="${reason}">${reason}</option>`)}
        </select></label
      >
      <label>Text <input type="search" data-filter-for="samples" placeholder="filter samples" /></label>
      <span id="samples-shown">${formatNumber(samples.length)} shown</span>
    </div>
    <table id="samples">
      <thead>
        <tr>
          <th class="num">line</th>
          <th>reason</th>
          <th>message</th>
          <th>raw line</th>
        </tr>
      </thead>
      <tbody>
        ${sampleRows}
      </tbody>
    </table>
  `;
}

function cleaningSection(manifest: Manifest): SafeHtml {
  const rows = Object.entries(manifest.cleaning).map(
    ([rule, figures]) =>
      html`<tr>
        <td><code>${rule}</code></td>
        <td>${figures.enabled ? 'on' : 'off'}</td>
        <td class="num">${formatNumber(figures.messages)}</td>
        <td class="num">${formatNumber(figures.examples)}</td>
      </tr>`,
  );
  return html`
    <h2 id="cleaning">Cleaning</h2>
    <table>
      <thead>
        <tr>
          <th>rule</th>
          <th>state</th>
          <th class="num">messages changed</th>
          <th class="num">examples changed</th>
        </tr>
      </thead>
      <tbody>
        ${rows}
      </tbody>
    </table>
    ${htmlKeptTable(manifest.cleaning.html?.kept)} ${cleaningSamplesTables(manifest.cleaningSamples)}
  `;
}

/** Markup the html rule kept as content, by reason (none in manifests from before the rule). */
function htmlKeptTable(kept: Record<string, number> | undefined): SafeHtml | '' {
  const reasons = Object.entries(kept ?? {}).filter(([, count]) => count > 0);
  if (reasons.length === 0) return '';
  return html`<h3>HTML kept as content</h3>
    <table>
      <thead>
        <tr>
          <th>reason</th>
          <th>meaning</th>
          <th class="num">messages</th>
        </tr>
      </thead>
      <tbody>
        ${reasons.map(
          ([reason, count]) =>
            html`<tr>
              <td><code>${reason}</code></td>
              <td>${HTML_KEPT_DESCRIPTIONS[reason as HtmlKeptReason] ?? ''}</td>
              <td class="num">${formatNumber(count)}</td>
            </tr>`,
        )}
      </tbody>
    </table>`;
}

/** One table per rule: where it changed text, with the removed and added characters marked. */
function cleaningSamplesTables(samples: readonly CleaningSample[]): SafeHtml[] {
  const rules = [...new Set(samples.map((sample) => sample.rule))];
  return rules.map(
    (rule) =>
      html`<h3>Before and after: <code>${rule}</code></h3>
        <table class="cleaning-samples" data-rule="${rule}">
          <thead>
            <tr>
              <th class="num">line</th>
              <th>message</th>
              <th>before (removed marked)</th>
              <th>after (added marked)</th>
            </tr>
          </thead>
          <tbody>
            ${samples
              .filter((sample) => sample.rule === rule)
              .map(
                (sample) =>
                  html`<tr>
                    <td class="num">${formatNumber(sample.line)}</td>
                    <td>${sample.role} #${sample.message}</td>
                    <td class="raw">${diffSide(sample, 'before')}</td>
                    <td class="raw">${diffSide(sample, 'after')}</td>
                  </tr>`,
              )}
          </tbody>
        </table>`,
  );
}

const REMOVED_STYLE = 'background:#fbd5d5;color:#7f1d1d;text-decoration:line-through';
const ADDED_STYLE = 'background:#d3f2d8;color:#14532d;text-decoration:none';
/** Characters a reader could not see when marked: controls, zero-width, unusual spaces. */
const INVISIBLE =
  /[\u0000-\u0008\u000B-\u001F\u007F-\u00A0\u00AD\u180E\u2000-\u200F\u2028-\u202F\u205F-\u2064\u3000\uFEFF]/g;

/** Changed characters made visible: `[U+200B]` for invisible ones, ↵ before a line break. */
function visible(text: string): string {
  return text
    .replace(INVISIBLE, (char) => `[U+${char.charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')}]`)
    .replace(/\n/g, '↵\n');
}

/** One side of a sample's diff, escaped, with "…" where the window cuts the text. */
function diffSide(sample: CleaningSample, side: 'before' | 'after'): SafeHtml {
  const diff = sample.diff ?? [
    { op: 'removed', text: sample.before },
    { op: 'added', text: sample.after },
  ];
  const shown = side === 'before' ? 'removed' : 'added';
  const parts = diff
    .filter((part) => part.op === 'same' || part.op === shown)
    .map((part) => {
      if (part.op === 'same') return html`${part.text}`;
      return side === 'before'
        ? html`<del style="${REMOVED_STYLE}">${visible(part.text)}</del>`
        : html`<ins style="${ADDED_STYLE}">${visible(part.text)}</ins>`;
    });
  const windowLength = Array.from(side === 'before' ? sample.before : sample.after).length;
  const total = side === 'before' ? sample.beforeLength : sample.afterLength;
  const cutStart = (sample.at ?? 0) > 0;
  const cutEnd = total !== undefined && (sample.at ?? 0) + windowLength < total;
  return html`${cutStart ? html`<span class="more">…</span>` : ''}${parts}${cutEnd ? html`<span class="more">…</span>` : ''}`;
}

function tokenRow(split: string, figures: TokenSplitFigures): SafeHtml {
  const cells = (['p50', 'p90', 'p95', 'p99', 'max'] as const).map(
    (key) => html`<td class="num">${formatNumber(figures.total[key])}</td>`,
  );
  return html`<tr>
    <td>${split}</td>
    <td class="num">${formatNumber(figures.total.n)}</td>
    ${cells}
    <td class="num">${formatNumber(figures.total.sum)}</td>
    <td class="num">${formatNumber(figures.assistant.sum)}</td>
  </tr>`;
}

function tokensSection(manifest: Manifest): SafeHtml {
  const tokens = manifest.tokens;
  if (!tokens) return html``;
  const { train, validation } = tokens.perSplit;
  const limit = { limit: tokens.maxTokens, limitLabel: `--max-tokens ${formatNumber(tokens.maxTokens)}` };
  return html`
    <h2 id="tokens">Token lengths</h2>
    <p>
      Counted with the <code>${tokens.tokenizer}</code> tokenizer on the conversation rendered with its chat
      template. Assistant tokens are the ones training learns from. Billed:
      ${formatNumber(tokens.billedTokens)} tokens (${formatNumber(train.total.sum)} train tokens ×
      ${tokens.epochs} epoch${tokens.epochs === 1 ? '' : 's'}).
    </p>
    <table>
      <thead>
        <tr>
          <th>split</th>
          <th class="num">examples</th>
          <th class="num">p50</th>
          <th class="num">p90</th>
          <th class="num">p95</th>
          <th class="num">p99</th>
          <th class="num">max</th>
          <th class="num">total tokens</th>
          <th class="num">assistant tokens</th>
        </tr>
      </thead>
      <tbody>
        ${tokenRow('train', train)} ${tokenRow('validation', validation)}
      </tbody>
    </table>
    <h3>Train: tokens per example (the last bin ends at the limit)</h3>
    ${histogramChart(train.histogram, { xLabel: 'tokens per example', ...limit })}
  `;
}

function scenariosSection(manifest: Manifest): SafeHtml {
  const entries = Object.entries(manifest.scenarios).sort(
    (a, b) => b[1].before - a[1].before || (a[0] < b[0] ? -1 : 1),
  );
  if (entries.length === 0) return html``;
  // The test columns and series appear only when the run made a test split.
  const withTest = manifest.counts.test !== undefined;
  const testCells = (test: number, after: number) =>
    withTest
      ? html`<td class="num">${formatNumber(test)}</td>
          <td class="num">${formatPercent(test, after)}</td>`
      : html``;
  const rows = entries.map(
    ([name, figures]) =>
      html`<tr>
        <td>${name}</td>
        <td class="num">${formatNumber(figures.before)}</td>
        <td class="num">${formatNumber(figures.after)}</td>
        <td class="num">${formatNumber(figures.train)}</td>
        <td class="num">${formatNumber(figures.validation)}</td>
        <td class="num">${formatPercent(figures.validation, figures.after)}</td>${testCells(figures.test ?? 0, figures.after)}
      </tr>`,
  );
  const series = withTest ? ['train', 'validation', 'test'] : ['train', 'validation'];
  const bars = entries.flatMap(([name, figures]) => [
    { group: name, series: 'train', value: figures.train },
    { group: name, series: 'validation', value: figures.validation },
    ...(withTest ? [{ group: name, series: 'test', value: figures.test ?? 0 }] : []),
  ]);
  const testHeads = withTest
    ? html`<th class="num">test</th>
        <th class="num">test share</th>`
    : html``;
  return html`
    <h2 id="scenarios">Scenarios</h2>
    ${groupedBarChart(bars, { xLabel: 'examples', series })}
    <table>
      <thead>
        <tr>
          <th>scenario</th>
          <th class="num">before balancing</th>
          <th class="num">after</th>
          <th class="num">train</th>
          <th class="num">validation</th>
          <th class="num">validation share</th>${testHeads}
        </tr>
      </thead>
      <tbody>
        ${rows}
      </tbody>
    </table>
  `;
}

function kvTable(rows: Array<[string, string | SafeHtml]>): SafeHtml {
  return html`<table class="kv">
    ${rows.map(([key, value]) => html`<tr><th>${key}</th><td>${value}</td></tr>`)}
  </table>`;
}

function balanceSection(manifest: Manifest): SafeHtml {
  const balance = manifest.balance;
  if (!balance) return html``;
  const small =
    balance.smallScenarios.length === 0
      ? 'none'
      : `${balance.smallScenarios.join(', ')} (${balance.dropSmallScenarios ? 'dropped' : 'kept'})`;
  return html`<h2 id="balance">Balancing</h2>
    ${kvTable([
      ['mode', balance.mode],
      [
        'imbalance ratio (largest / smallest)',
        `${formatNumber(balance.before.imbalanceRatio, 2)} → ${formatNumber(balance.after.imbalanceRatio, 2)}`,
      ],
      [
        'normalized entropy (1 = even)',
        `${formatNumber(balance.before.normalizedEntropy, 3)} → ${formatNumber(balance.after.normalizedEntropy, 3)}`,
      ],
      ['dropped to balance (balanced_out)', formatNumber(balance.balancedOut)],
      [`scenarios below --min-per-scenario ${balance.minPerScenario ?? '(not set)'}`, small],
      ['dropped as small (small_scenario)', formatNumber(balance.smallScenarioDropped)],
    ])}`;
}

function leakageSection(manifest: Manifest): SafeHtml {
  const leakage = manifest.leakage;
  if (!leakage) return html``;
  if (leakage.threshold === false)
    return html`<h2 id="leakage">Leakage between splits</h2>
      <p>Off (<code>--no-leak-split</code>): similar examples may sit on both sides of the split.</p>`;
  const shortfall =
    leakage.validationShortfall.length === 0
      ? 'none'
      : leakage.validationShortfall.map((s) => `${s.scenario}: ${s.validation} of ${s.target}`).join('; ');
  const testShortfall = leakage.testShortfall;
  const testRows: Array<[string, string]> = testShortfall
    ? [
        [
          'scenarios short of their test target',
          testShortfall.length === 0
            ? 'none'
            : testShortfall.map((s) => `${s.scenario}: ${s.test} of ${s.target}`).join('; '),
        ],
      ]
    : [];
  return html`<h2 id="leakage">Leakage between splits</h2>
    <p>
      Examples at estimated Jaccard ≥ ${formatNumber(leakage.threshold, 2)} form clusters; each cluster sits wholly in
      train or wholly in validation${testShortfall ? ' or wholly in test' : ''}.
    </p>
    ${kvTable([
      ['clusters with more than one example', formatNumber(leakage.clustersOverOneExample)],
      ['examples in those clusters', formatNumber(leakage.examplesInThoseClusters)],
      ['largest cluster', formatNumber(leakage.largestCluster)],
      ['clusters straddling the split (checked)', formatNumber(leakage.clustersStraddlingSplit)],
      ['scenarios short of their validation target', shortfall],
      ...testRows,
    ])}
    ${clustersTable(leakage.largest)}`;
}

/** Near-duplicate and holdout figures, shown as they are when a run has them. */
function extraSections(manifest: Manifest, pairs: readonly PairTexts[]): SafeHtml {
  // The pairs are drawn as a table of their own.
  const near =
    manifest.nearDuplicates &&
    Object.fromEntries(Object.entries(manifest.nearDuplicates).filter(([key]) => key !== 'pairs'));
  const sections: Array<[string, Record<string, unknown> | undefined, SafeHtml | '']> = [
    ['Near-duplicates', near, nearPairsSection(manifest, pairs)],
    ['Holdout decontamination', manifest.holdout, ''],
  ];
  return html`${balanceSection(manifest)} ${leakageSection(manifest)} ${sections
    .filter(([, figures]) => figures !== undefined)
    .map(
      ([title, figures, more]) =>
        html`<h2>${title}</h2>
          <table class="kv">
            ${Object.entries(figures!).map(
              ([key, value]) =>
                html`<tr>
                  <th>${key}</th>
                  <td>
                    <code
                      >${typeof value === 'number' ? formatNumber(value, Number.isInteger(value) ? 0 : 3) : JSON.stringify(value)}</code
                    >
                  </td>
                </tr>`,
            )}
          </table>
          ${more}`,
    )}`;
}
