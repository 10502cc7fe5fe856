// manifest.json of a prep run: provenance, resolved options, counts, stage funnel, and the
// figures of each step, assembled from what the steps returned.
import type {
  BalanceFigures,
  LeakageCluster,
  LeakageFigures,
  Manifest,
  StageFigures,
  Warning,
} from '../core/manifest.js';
import { formatCount } from '../core/describe.js';
import { VERSION } from '../core/version.js';
import { distributionFigures } from '../stages/balance.js';
import { tokenFigures } from '../tokenize/figures.js';
import type { PrepConfig } from './prep-config.js';
import type { CommittedOutputs, PrepOutputs } from './prep-outputs.js';
import type { PrepStages } from './prep-stages.js';
import type { EnvelopeSource } from './read.js';
import type { Routed } from './route.js';
import { BALANCED_OUT, SMALL_SCENARIO, TEST, TRAIN, VALIDATION, type Plan } from './plan.js';
import { prepPreflight } from './preflight.js';
import { DEFAULT_MODEL } from '../tokenize/presets.js';

export interface PrepFacts {
  inputPath: string;
  config: PrepConfig;
  source: EnvelopeSource;
  stages: PrepStages;
  stageFigures: StageFigures[];
  scenarioNames: string[];
  /** Input line of survivor i (for the clusters the manifest lists). */
  lineOf: (survivor: number) => number;
  plan: Plan;
  routed: Routed;
  files: CommittedOutputs;
  outputs: PrepOutputs;
  totalMs: number;
}

export function buildManifest(facts: PrepFacts): Manifest {
  const { config, source, stages, files, plan, scenarioNames } = facts;
  const { near, tokens } = config;
  const test = files.test;
  const kept = files.train.lines + files.validation.lines + (test?.lines ?? 0);
  const cleanSummary = stages.clean.cleanSummary();
  const unknownKeys = unknownKeysOf(facts.stageFigures);
  return {
    phikit: { version: VERSION, node: process.version },
    input: {
      path: facts.inputPath,
      name: source.input.name,
      bytes: source.input.bytes,
      sha256: source.input.sha256(),
      format: source.decision.format,
      formatDecision: source.decision.reason,
      container: source.input.container,
      gzip: source.input.gzip,
    },
    options: config.recorded,
    seed: config.seed,
    counts: {
      read: source.counts.read,
      blank: source.counts.blank,
      records: source.counts.read - source.counts.blank,
      kept,
      train: files.train.lines,
      validation: files.validation.lines,
      ...(test ? { test: test.lines } : {}),
      rejected: facts.outputs.rejectedTotal,
      rejectedByReason: facts.outputs.rejectedByReason,
    },
    cleaning: cleanSummary.cleaning,
    cleaningSamples: cleanSummary.cleaningSamples,
    stages: facts.stageFigures,
    scenarios: facts.routed.scenarios,
    ...(stages.near && near.threshold !== false ? { nearDuplicates: stages.near.summary() } : {}),
    balance: balanceFigures(plan, scenarioNames, config),
    leakage: {
      ...leakageFigures(plan, scenarioNames, near.leakThreshold, config.testSplit),
      largest: largestClusters(plan, facts.lineOf),
    },
    ...(stages.decontaminate ? { holdout: stages.decontaminate.summary() } : {}),
    ...(tokens
      ? {
          tokens: tokenFigures(facts.routed.splitTokens, {
            tokenizer: tokens.tokenizer,
            maxTokens: tokens.maxTokens,
            epochs: tokens.epochs,
          }),
        }
      : {}),
    unknownKeys,
    preflight: preflightFigures(facts),
    warnings: [
      ...unknownKeyWarnings(unknownKeys),
      ...outputWarnings(files.train.lines, facts.routed.examplesWithoutSystem, kept),
      ...zeroSplitWarnings(config),
      ...planWarnings(plan, scenarioNames, config),
      ...cleanSummary.warnings,
    ],
    outputs: {
      train: { ...files.train, path: 'train.jsonl' },
      validation: { ...files.validation, path: 'validation.jsonl' },
      ...(test ? { test: { ...test, path: 'test.jsonl' } } : {}),
      rejected: { ...files.rejected, path: 'rejected.jsonl' },
      index: { ...files.index, path: 'index.jsonl' },
    },
    timings: { totalMs: facts.totalMs },
  };
}

/** The validate stage's count of top-level keys phikit does not use. */
function unknownKeysOf(figures: StageFigures[]): Record<string, number> {
  const details = figures.find((stage) => stage.name === 'validate')?.details;
  return (details?.unknownKeys as Record<string, number> | undefined) ?? {};
}

function unknownKeyWarnings(unknownKeys: Record<string, number>): Warning[] {
  const keys = Object.entries(unknownKeys).sort((a, b) => b[1] - a[1]);
  if (keys.length === 0) return [];
  const shown = keys.slice(0, 5).map(([key, count]) => `${JSON.stringify(key)} (${count})`);
  const more = keys.length > shown.length ? `, and ${keys.length - shown.length} more` : '';
  return [
    {
      code: 'unknown_keys',
      message: `top-level keys not written to the outputs: ${shown.join(', ')}${more}; name one with --scenario-field to use it as the scenario, or map turns with --fields`,
      count: keys.length,
    },
  ];
}

/** Azure's upload checks on train.jsonl / validation.jsonl, from the figures prep already has. */
function preflightFigures({ config, files, routed }: PrepFacts): ReturnType<typeof prepPreflight> {
  const totals = (split: 'train' | 'validation') => routed.splitTokens[split].map((counts) => counts.total);
  return prepPreflight({
    model: config.tokens?.model ?? DEFAULT_MODEL,
    train: files.train,
    validation: files.validation,
    bom: config.bom,
    ...(config.tokens
      ? { tokens: { epochs: config.tokens.epochs, train: totals('train'), validation: totals('validation') } }
      : {}),
  });
}

function balanceFigures(plan: Plan, names: string[], config: PrepConfig): BalanceFigures {
  let balancedOut = 0;
  let smallDropped = 0;
  for (const side of plan.side) {
    if (side === BALANCED_OUT) balancedOut++;
    else if (side === SMALL_SCENARIO) smallDropped++;
  }
  return {
    mode: config.recorded.balance,
    minPerScenario: config.minPerScenario ?? null,
    dropSmallScenarios: config.dropSmallScenarios,
    smallScenarios: names.filter((_, s) => plan.small[s]),
    balancedOut,
    smallScenarioDropped: smallDropped,
    before: distributionFigures(names, plan.sizes),
    after: distributionFigures(names, plan.keep),
  };
}

function leakageFigures(
  plan: Plan,
  names: string[],
  threshold: number | false,
  testSplit: boolean,
): LeakageFigures {
  const testShortfall = names
    .map((scenario, s) => ({ scenario, target: plan.testTargets[s]!, test: plan.test[s]! }))
    .filter(({ target, test }) => test < target);
  return {
    threshold,
    clustersOverOneExample: plan.clusters.multi,
    examplesInThoseClusters: plan.clusters.examples,
    largestCluster: plan.clusters.largest,
    clustersStraddlingSplit: plan.clusters.straddling,
    validationShortfall: names
      .map((scenario, s) => ({ scenario, target: plan.targets[s]!, validation: plan.validation[s]! }))
      .filter(({ target, validation }) => validation < target),
    ...(testSplit ? { testShortfall } : {}),
  };
}

function largestClusters(plan: Plan, lineOf: (survivor: number) => number): LeakageCluster[] {
  const splitNames = { [TRAIN]: 'train', [VALIDATION]: 'validation', [TEST]: 'test' } as const;
  return plan.clusters.largestListed.map((cluster) => ({
    size: cluster.size,
    lines: cluster.members.map(lineOf),
    split: splitNames[cluster.side as typeof TRAIN | typeof VALIDATION | typeof TEST],
  }));
}

/** A split whose scenarios got fewer examples than planned, because clusters move only whole. */
function shortfall(
  split: 'validation' | 'test',
  names: string[],
  given: readonly number[],
  targets: readonly number[],
): Warning[] {
  const short = names.filter((_, s) => given[s]! < targets[s]!);
  if (short.length === 0) return [];
  const missing = names.reduce((sum, _, s) => sum + targets[s]! - given[s]!, 0);
  return [
    {
      code: `${split}_shortfall`,
      message: `${split} has ${formatCount(missing)} fewer examples than planned in ${short.length} scenario(s), because their near-duplicate clusters are too large to move whole`,
      count: missing,
    },
  ];
}

function planWarnings(plan: Plan, names: string[], config: PrepConfig): Warning[] {
  const warnings: Warning[] = [];
  const small = names.filter((_, s) => plan.small[s]);
  if (small.length > 0 && !config.dropSmallScenarios) {
    warnings.push({
      code: 'small_scenario',
      message: `${small.length} scenario(s) have fewer than --min-per-scenario ${config.minPerScenario} examples (kept; --drop-small-scenarios drops them): ${small.map((name) => JSON.stringify(name)).join(', ')}`,
      count: small.length,
    });
  }
  const { valRatio, valSize, testRatio, testSize } = config.split;
  warnings.push(
    ...splitSizeWarnings('validation', plan, plan.targets, valSize ?? valRatio, valSize === undefined),
    ...(config.testSplit
      ? splitSizeWarnings('test', plan, plan.testTargets, testSize ?? testRatio ?? 0, testSize === undefined)
      : []),
    ...shortfall('validation', names, plan.validation, plan.targets),
    ...shortfall('test', names, plan.test, plan.testTargets),
  );
  return warnings;
}

/**
 * A split far from the size asked for because of many tiny scenarios (e.g. a per-record id as
 * --scenario-field): each scenario keeps one example in train and, with two or more, gives the
 * split at least one. Clusters too large to move whole are `shortfall`'s.
 */
function splitSizeWarnings(
  split: 'validation' | 'test',
  plan: Plan,
  targets: readonly number[],
  asked: number,
  isRatio: boolean,
): Warning[] {
  const sum = (values: readonly number[]) => values.reduce((total, value) => total + value, 0);
  const kept = sum(plan.keep);
  const wanted = isRatio ? Math.round(kept * asked) : asked;
  const planned = sum(targets);
  // Rounding each scenario's share moves a small split by a few examples: not worth a word.
  if (wanted === 0 || Math.abs(planned - wanted) <= Math.max(2, wanted / 2)) return [];
  const flag = `--${split === 'validation' ? 'val' : 'test'}-${isRatio ? 'ratio' : 'size'} ${asked}`;
  const scenarios = plan.keep.filter((n) => n > 0).length;
  const singles = plan.keep.filter((n) => n === 1).length;
  return [
    {
      code: `${split}_size`,
      message: `${split} has ${formatCount(planned)} example${planned === 1 ? '' : 's'} where ${flag} asks for ${formatCount(wanted)} of ${formatCount(kept)}: the share is rounded per scenario, each scenario keeps one example in train and, with two or more, gives ${split} at least one, and there are ${formatCount(scenarios)} scenarios (${formatCount(singles)} with a single example); fewer, larger scenarios (a coarser --scenario-field) keep the share`,
      count: planned,
    },
  ];
}

/** A zero validation share is honoured (no example at all): say what that means on Azure. */
function zeroSplitWarnings(config: PrepConfig): Warning[] {
  const { valRatio, valSize } = config.split;
  if (valSize !== 0 && !(valSize === undefined && valRatio === 0)) return [];
  const flag = valSize === 0 ? '--val-size 0' : '--val-ratio 0';
  return [
    {
      code: 'no_validation',
      message: `no validation examples (${flag}): upload train.jsonl alone; Azure AI Foundry then splits off its own validation data or reports no validation loss`,
      count: 0,
    },
  ];
}

function outputWarnings(train: number, withoutSystem: number, kept: number): Warning[] {
  const warnings: Warning[] = [];
  if (train < 10) {
    warnings.push({
      code: 'few_examples',
      message: `only ${train} training examples: fine-tuning needs at least 10, and usually 50-100 or more`,
      count: train,
    });
  }
  if (withoutSystem > 0) {
    warnings.push({
      code: 'missing_system',
      message: `${formatCount(withoutSystem)} of ${formatCount(kept)} examples have no system message`,
      count: withoutSystem,
    });
  }
  return warnings;
}
