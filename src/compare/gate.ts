// The regression gate for CI: does a candidate score significantly below the baseline? Overall, a
// gated metric regresses when the paired 95% bootstrap interval of candidate − baseline lies wholly
// below −minDelta. Per scenario, each scenario's paired bootstrap p-value (against −minDelta) is
// Holm-adjusted over the scenarios of that pair and metric; adjusted p < 0.05 with the estimate
// below −minDelta is a regression. Scores are 0-100, so minDelta is in points.
import { PhikitError } from '../core/errors.js';
import type { EvalResult } from '../core/eval-types.js';
import {
  GATE_METRICS,
  type GateCheck,
  type GateMetric,
  type GateOptions,
  type GateResult,
} from '../report/comparison.js';

export {
  GATE_METRICS,
  type GateCheck,
  type GateMetric,
  type GateOptions,
  type GateResult,
} from '../report/comparison.js';
import { holmAdjust, pairedBootstrap, type PairedComparison } from '../metrics/stats.js';

/** A bootstrap on fewer paired examples gives intervals too narrow to trust: such a check is not made. */
export const GATE_MIN_PAIRED = 10;
const ALPHA = 0.05;

/** Candidate's paired results against the baseline: [baseline result, candidate result], both scored. */
export interface GatePair {
  baseline: string;
  candidate: string;
  paired: ReadonlyArray<readonly [EvalResult, EvalResult]>;
}

interface ResolvedGate {
  metrics: GateMetric[];
  minDelta: number;
  perScenario: boolean;
  seed: number;
}

export function runGate(pairs: readonly GatePair[], options: GateOptions, seed: number): GateResult {
  const gate = resolveGateOptions(options, seed);
  const checks = pairs.flatMap((pair) =>
    gate.metrics.flatMap((metric) => [
      overallCheck(pair, metric, gate),
      ...(gate.perScenario ? scenarioChecks(pair, metric, gate) : []),
    ]),
  );
  return {
    passed: checks.every((check) => check.verdict !== 'regression'),
    metrics: gate.metrics,
    minDelta: gate.minDelta,
    perScenario: gate.perScenario,
    rule: gateRule(gate),
    checks,
  };
}

function resolveGateOptions(options: GateOptions, seed: number): ResolvedGate {
  const metrics = options.metrics ?? ['f1'];
  const unknown = metrics.filter((m) => !(GATE_METRICS as readonly string[]).includes(m));
  if (metrics.length === 0 || unknown.length > 0) {
    throw new PhikitError(
      'USAGE',
      `gate: unknown metric ${unknown.map((m) => `"${m}"`).join(', ') || '(none given)'}`,
      `choose from ${GATE_METRICS.join(', ')} (comma-separated)`,
      { options: ['metric'] },
    );
  }
  const minDelta = options.minDelta ?? 0;
  if (typeof minDelta !== 'number' || !Number.isFinite(minDelta) || minDelta < 0 || minDelta > 100) {
    throw new PhikitError(
      'USAGE',
      `gate: minDelta must be a number of points from 0 to 100 (got ${String(minDelta)})`,
      'scores are 0-100: minDelta 2 tolerates a drop of up to 2 points',
      { options: ['minDelta'] },
    );
  }
  return { metrics: [...new Set(metrics)], minDelta, perScenario: options.perScenario ?? false, seed };
}

function gateRule(gate: ResolvedGate): string {
  const overall = `regression when the 95% paired bootstrap interval of candidate − baseline lies wholly below -${gate.minDelta} points`;
  const scenarios = gate.perScenario
    ? `; per scenario, when the paired bootstrap p-value against -${gate.minDelta}, Holm-adjusted over scenarios, is below ${ALPHA} and the difference is below -${gate.minDelta}`
    : '';
  return `${overall}${scenarios}; fewer than ${GATE_MIN_PAIRED} paired examples: not tested`;
}

function difference(rows: GatePair['paired'], metric: GateMetric, gate: ResolvedGate): PairedComparison {
  return pairedBootstrap(
    rows.map(([base]) => base.scores![metric]),
    rows.map(([, candidate]) => candidate.scores![metric]),
    { seed: gate.seed, nullValue: -gate.minDelta },
  );
}

function overallCheck(pair: GatePair, metric: GateMetric, gate: ResolvedGate): GateCheck {
  const d = difference(pair.paired, metric, gate);
  const check = {
    baseline: pair.baseline,
    candidate: pair.candidate,
    metric,
    scenario: null,
    adjustedPValue: null,
  };
  if (d.n < GATE_MIN_PAIRED) return untested(check, d);
  const verdict = d.high < -gate.minDelta ? 'regression' : 'no_regression';
  const full = { ...check, ...intervalOf(d), pValue: d.pValue, verdict } as const;
  return { ...full, message: checkMessage(full, gate) };
}

function scenarioChecks(pair: GatePair, metric: GateMetric, gate: ResolvedGate): GateCheck[] {
  const scenarios = [...new Set(pair.paired.map(([base]) => base.scenario))].sort();
  const differences = scenarios.map((scenario) =>
    difference(
      pair.paired.filter(([base]) => base.scenario === scenario),
      metric,
      gate,
    ),
  );
  const tested = differences.map((d) => (d.n < GATE_MIN_PAIRED ? Number.NaN : d.pValue));
  const adjusted = holmAdjust(tested);
  const family = tested.filter((p) => !Number.isNaN(p)).length;
  return scenarios.map((scenario, i) => {
    const d = differences[i]!;
    const check = { baseline: pair.baseline, candidate: pair.candidate, metric, scenario };
    if (Number.isNaN(tested[i]!)) return untested({ ...check, adjustedPValue: null }, d);
    const adjustedPValue = adjusted[i]!;
    const regression = adjustedPValue < ALPHA && d.value < -gate.minDelta;
    const full = {
      ...check,
      ...intervalOf(d),
      pValue: d.pValue,
      adjustedPValue,
      verdict: regression ? 'regression' : 'no_regression',
    } as const;
    return { ...full, message: checkMessage(full, gate, family) };
  });
}

function intervalOf(d: PairedComparison): Pick<GateCheck, 'n' | 'value' | 'low' | 'high'> {
  return { n: d.n, value: d.value, low: d.low, high: d.high };
}

function untested(
  check: Pick<GateCheck, 'baseline' | 'candidate' | 'metric' | 'scenario' | 'adjustedPValue'>,
  d: PairedComparison,
): GateCheck {
  const where = check.scenario === null ? '' : ` in scenario "${check.scenario}"`;
  const examples = d.n === 1 ? 'example' : 'examples';
  return {
    ...check,
    ...intervalOf(d),
    pValue: Number.NaN,
    verdict: 'too_few_examples',
    message: `not tested: ${check.metric}${where} has ${d.n} paired ${examples}, too few to show a difference (need ${GATE_MIN_PAIRED}) (${check.candidate} vs ${check.baseline})`,
  };
}

const signed = (x: number) => `${x >= 0 ? '+' : ''}${x.toFixed(1)}`;
const formatP = (p: number) => (p < 0.001 ? '< 0.001' : p.toFixed(3));

function checkMessage(check: Omit<GateCheck, 'message'>, gate: ResolvedGate, family = 0): string {
  const where = check.scenario === null ? '' : ` in scenario "${check.scenario}"`;
  const interval = `[${signed(check.low)}, ${signed(check.high)}]`;
  const threshold = `-${gate.minDelta.toFixed(1)}`;
  const holm =
    check.adjustedPValue === null
      ? ''
      : `, Holm-adjusted p ${formatP(check.adjustedPValue)} over ${family} scenarios`;
  const pair = ` (${check.candidate} vs ${check.baseline})`;
  if (check.verdict === 'regression') {
    return `regression: ${check.metric}${where} ${signed(check.value)} points ${interval} (n=${check.n} paired examples) below ${threshold}${holm}${pair}`;
  }
  return `no significant regression: ${check.metric}${where} ${signed(check.value)} ${interval} ${position(check, gate)}${holm}${pair}`;
}

/** Where the interval lies against −minDelta, when that is not a regression. */
function position(check: Omit<GateCheck, 'message'>, gate: ResolvedGate): string {
  const threshold = `-${gate.minDelta.toFixed(1)}`;
  if (check.low > -gate.minDelta) return `wholly above ${threshold}`;
  if (check.high >= -gate.minDelta) return `includes ${gate.minDelta === 0 ? '0' : threshold}`;
  return `below ${threshold} but not significant after Holm`;
}
