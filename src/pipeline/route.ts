// Prep's second pass: reads the spilled survivors in input order and sends each where the
// plan put it: train.jsonl, validation.jsonl, test.jsonl, or rejected.jsonl when balancing
// dropped it. Every row written gets a line in index.jsonl, in the same (input) order.
import type { TokenCounts } from '../core/envelope.js';
import type { ScenarioFigures } from '../core/manifest.js';
import type { RejectReason } from '../core/reasons.js';
import { formatBalance } from '../stages/balance.js';
import type { PrepConfig } from './prep-config.js';
import type { PrepOutputs } from './prep-outputs.js';
import { BALANCED_OUT, SMALL_SCENARIO, TEST, VALIDATION, type Plan } from './plan.js';
import type { SurvivorSignatures } from './survivors.js';

type Split = 'train' | 'validation' | 'test';

export interface Routed {
  scenarios: Record<string, ScenarioFigures>;
  /** Token counts per split, when the token check ran. */
  splitTokens: { train: TokenCounts[]; validation: TokenCounts[] };
  /** Written examples (train, validation and test) without a system message. */
  examplesWithoutSystem: number;
}

export async function routeSurvivors(
  survivors: SurvivorSignatures,
  plan: Plan,
  outputs: PrepOutputs,
  config: PrepConfig,
): Promise<Routed> {
  const names = survivors.scenarioNames;
  const scenarios: Record<string, ScenarioFigures> = {};
  for (const [s, name] of names.entries()) {
    scenarios[name] = { before: plan.sizes[s]!, after: plan.keep[s]!, train: 0, validation: 0 };
    if (config.testSplit) scenarios[name].test = 0;
  }
  const splitTokens: Routed['splitTokens'] = { train: [], validation: [] };
  const rows: Record<Split, number> = { train: 0, validation: 0, test: 0 };
  let examplesWithoutSystem = 0;
  let i = 0;
  // A chunk of the spill at a time, waiting only when a writer's buffer is full.
  for await (const batch of outputs.spilled()) {
    for (const { text, raw, references } of batch) {
      const s = survivors.scenarioOf(i);
      const side = plan.side[i]!;
      const line = survivors.lineOf(i);
      if (side === BALANCED_OUT || side === SMALL_SCENARIO) {
        const full = outputs.addRejected({
          line,
          raw: raw!,
          ...planRejection(side, names[s]!, s, plan, config),
        });
        if (full) await full;
        i++;
        continue;
      }
      const split: Split = side === TEST ? 'test' : side === VALIDATION ? 'validation' : 'train';
      if (config.tokens && split !== 'test') splitTokens[split].push(survivors.tokensOf(i));
      if (!survivors.hasSystem(i)) examplesWithoutSystem++;
      scenarios[names[s]!]![split]!++;
      const writer = split === 'test' ? outputs.test! : outputs[split];
      const full =
        split === 'test'
          ? writer.addLine(testLine(text.toString('utf8'), names[s]!, line, references))
          : writer.addLineBytes(text);
      if (full) await writer.flush();
      const index = {
        file: `${split}.jsonl`,
        row: ++rows[split],
        line,
        scenario: names[s],
        unit: survivors.unitOf(i),
      };
      if (outputs.index.addLine(JSON.stringify(index))) await outputs.index.flush();
      i++;
    }
  }
  return { scenarios, splitTokens, examplesWithoutSystem };
}

/**
 * A test.jsonl line: the written example plus what evaluation needs and the upload must not
 * see. `example` is the serialized `{"messages":[...]}` object, extended without re-parsing.
 */
function testLine(example: string, scenario: string, line: number, references: string | undefined): string {
  const extra = `,"scenario":${JSON.stringify(scenario)},"line":${line}`;
  return `${example.slice(0, -1)}${extra}${references === undefined ? '' : `,"references":${references}`}}`;
}

function planRejection(
  side: number,
  name: string,
  s: number,
  plan: Plan,
  config: PrepConfig,
): { reason: RejectReason; message: string; detail: Record<string, unknown> } {
  const size = plan.sizes[s]!;
  const label = JSON.stringify(name);
  if (side === SMALL_SCENARIO) {
    return {
      reason: 'small_scenario',
      message: `scenario ${label} has ${size} examples, fewer than --min-per-scenario ${config.minPerScenario} (--drop-small-scenarios drops it)`,
      detail: { scenario: name, examples: size, minPerScenario: config.minPerScenario },
    };
  }
  const { balance } = config;
  const why =
    balance.kind === 'ratio'
      ? `--balance ${formatBalance(balance)}: at most ${balance.r} x the smallest scenario`
      : `--balance ${formatBalance(balance)}`;
  return {
    reason: 'balanced_out',
    message: `scenario ${label} balanced down to ${plan.keep[s]} of ${size} examples (${why}); a seeded choice, stable across runs`,
    detail: { scenario: name, kept: plan.keep[s], of: size },
  };
}
