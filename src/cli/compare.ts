// `phikit compare RUN_DIR... --out DIR`: paired comparison of evaluated models, and with
// --fail-on-regression a CI gate whose verdict becomes the exit code.
import { InvalidArgumentError, type Command } from 'commander';
import { compare } from '../compare/compare.js';
import {
  GATE_METRICS,
  type Comparison,
  type GateMetric,
  type GateResult,
  type PairwiseJudgeSummary,
} from '../report/comparison.js';
import { parseEndpointSpec } from '../eval/endpoint.js';
import type { EndpointSpec } from '../core/endpoint.js';
import { PhikitError } from '../core/errors.js';
import { EVAL_DEFAULTS, EVAL_LIMITS } from '../eval/limits.js';
import { damagedWarning, parseInRange, readApiKey } from './eval.js';
import { EXIT } from './exit-codes.js';

interface CompareFlags {
  out: string;
  seed: number;
  json?: boolean;
  failOnRegression?: boolean;
  metric?: GateMetric[];
  minDelta?: number;
  perScenario?: boolean;
  judge?: EndpointSpec;
  judgeModel?: string;
  judgeApiKeyEnv?: string;
}

const MIN_DELTA_POINTS = { min: 0, max: 100, integer: false, unit: 'points' };

export function register(program: Command): void {
  program
    .command('compare')
    .description(
      'compare models evaluated on the same examples: paired differences with CIs, McNemar, disagreements',
    )
    .argument('<runs...>', 'output folders of `phikit eval` (one with several endpoints is enough)')
    .requiredOption('-o, --out <dir>', 'where comparison.json and compare.html go')
    .option('--seed <n>', 'seed for the paired bootstrap', parseInRange(EVAL_LIMITS.seed), EVAL_DEFAULTS.seed)
    .option('--json', 'print comparison.json without the examples')
    .option(
      '--fail-on-regression',
      'exit 1 when a candidate is significantly below the first run (95% paired bootstrap)',
    )
    .option(
      '--metric <list>',
      `metrics the gate checks, comma-separated: ${GATE_METRICS.join(', ')} (default f1)`,
      parseMetrics,
    )
    .option(
      '--min-delta <points>',
      'drop tolerated by the gate, in points of 0-100 (default 0)',
      parseInRange(MIN_DELTA_POINTS),
    )
    .option('--per-scenario', 'the gate also tests each scenario (Holm-corrected over scenarios)')
    .option(
      '--judge <name=url>',
      'LLM judge: which answer is better, asked in both orders (win only when both agree)',
      parseEndpointSpec,
    )
    .option('--judge-model <name>', "the judge's model (Azure OpenAI: deployment)")
    .option('--judge-api-key-env <VAR>', "environment variable that holds the judge's API key")
    .action(async (runs: string[], flags: CompareFlags) => {
      const gated = flags.failOnRegression === true;
      refuseGateFlagsWithoutGate(flags);
      const comparison = await compare(runs, {
        out: flags.out,
        seed: flags.seed,
        failOnRegression: gated,
        gate: gated
          ? { metrics: flags.metric, minDelta: flags.minDelta, perScenario: flags.perScenario }
          : undefined,
        judge: flags.judge
          ? {
              endpoint: { ...flags.judge, model: flags.judgeModel },
              apiKey: flags.judgeApiKeyEnv ? readApiKey(flags.judgeApiKeyEnv) : undefined,
            }
          : undefined,
      });
      if (comparison.damagedLines.length > 0) process.stderr.write(damagedWarning(comparison.damagedLines));
      process.stdout.write(flags.json ? jsonSummary(comparison) : textSummary(comparison, flags.out));
      process.exitCode = comparison.gate?.passed === false ? EXIT.problemsFound : EXIT.ok;
    });
}

/** A gate setting without the gate would pass silently in CI: say so instead. */
function refuseGateFlagsWithoutGate(flags: CompareFlags): void {
  const given = [
    flags.metric !== undefined && '--metric',
    flags.minDelta !== undefined && '--min-delta',
    flags.perScenario === true && '--per-scenario',
  ].filter((flag): flag is string => flag !== false);
  if (flags.failOnRegression !== true && given.length > 0) {
    throw new PhikitError(
      'USAGE',
      `${given.join(', ')} only apply to the regression gate`,
      'add --fail-on-regression',
    );
  }
}

function parseMetrics(value: string): GateMetric[] {
  const metrics = value.split(',').map((m) => m.trim());
  const unknown = metrics.filter((m) => !(GATE_METRICS as readonly string[]).includes(m));
  if (unknown.length > 0 || metrics.length === 0) {
    throw new InvalidArgumentError(
      `expected metrics from ${GATE_METRICS.join(', ')}, got "${unknown.join(',')}"`,
    );
  }
  return metrics as GateMetric[];
}

function jsonSummary(comparison: Comparison): string {
  const { models, pairs, gate } = comparison;
  return `${JSON.stringify({ models, pairs, ...(gate ? { gate } : {}) }, null, 2)}\n`;
}

function textSummary(comparison: Comparison, out: string): string {
  const lines = [`phikit compare: ${comparison.models.join(' vs ')}`];
  const ci = (d: { value: number; low: number; high: number; pValue: number }) =>
    `${d.value >= 0 ? '+' : ''}${d.value.toFixed(1)} [${d.low.toFixed(1)}, ${d.high.toFixed(1)}] p=${d.pValue.toFixed(3)}`;
  for (const pair of comparison.pairs) {
    lines.push(
      `  ${pair.candidate} - ${pair.baseline} (n=${pair.n}): EM ${ci(pair.em)}, F1 ${ci(pair.f1)}; McNemar p=${pair.mcnemar.pValue.toFixed(4)}; F1 wins/ties/losses ${pair.wins}/${pair.ties}/${pair.losses}`,
    );
  }
  lines.push(`  wrote comparison.json, compare.html in ${out}`);
  if (comparison.judge) lines.push(...judgeLines(comparison.judge));
  if (comparison.gate) lines.push(...gateLines(comparison.gate));
  return `${lines.join('\n')}\n`;
}

/** The verdict, every overall check, and the scenario checks that failed or were not made. */
function gateLines(gate: GateResult): string[] {
  const regressions = gate.checks.filter((c) => c.verdict === 'regression').length;
  const scenarioPasses = gate.checks.filter(
    (c) => c.scenario !== null && c.verdict === 'no_regression',
  ).length;
  const shown = gate.checks.filter((c) => c.scenario === null || c.verdict !== 'no_regression');
  const untested = gate.checks.every((c) => c.verdict === 'too_few_examples');
  return [
    untested
      ? 'gate: passed, but nothing was tested: too few paired examples to show a difference'
      : gate.passed
        ? 'gate: passed (no significant regression)'
        : `gate: FAILED (${regressions} significant regression${regressions === 1 ? '' : 's'})`,
    ...shown.map((check) => `  ${check.message}`),
    ...(gate.perScenario ? [`  ${scenarioPasses} scenario checks without a significant regression`] : []),
  ];
}

function judgeLines(judge: PairwiseJudgeSummary): string[] {
  return [
    `  judge ${judge.judge}: ${judge.asked} asked, ${judge.fromCache} from judgments.jsonl (each example in both orders)`,
    ...judge.pairs.map(
      (p) =>
        `  ${p.candidate} vs ${p.baseline} (judge, n=${p.n}): wins/ties/losses ${p.wins}/${p.ties}/${p.losses}, sign test p=${p.signTestPValue.toFixed(4)}; ${p.unparseable} unparseable, ${p.errors} failed`,
    ),
  ];
}
