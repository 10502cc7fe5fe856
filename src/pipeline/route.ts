// Prep's second pass: reads the spilled survivors in input order and sends each where the
// plan put it: train.jsonl, validation.jsonl, or rejected.jsonl when balancing dropped it.
import type { TokenCounts } from '../core/envelope.js';
import type { ScenarioFigures } from '../core/manifest.js';
import type { RejectReason } from '../core/reasons.js';
import { formatBalance } from '../stages/balance.js';
import type { PrepConfig } from './prep-config.js';
import type { PrepOutputs } from './prep-outputs.js';
import { BALANCED_OUT, SMALL_SCENARIO, VALIDATION, type Plan } from './plan.js';
import type { SurvivorSignatures } from './survivors.js';

export interface Routed {
  scenarios: Record<string, ScenarioFigures>;
  /** Token counts per split, when the token check ran. */
  splitTokens: { train: TokenCounts[]; validation: TokenCounts[] };
}

export async function routeSurvivors(
  survivors: SurvivorSignatures,
  plan: Plan,
  outputs: PrepOutputs,
  config: PrepConfig,
): Promise<Routed> {
  const names = survivors.scenarioNames;
  const scenarios: Record<string, ScenarioFigures> = {};
  for (const [s, name] of names.entries())
    scenarios[name] = { before: plan.sizes[s]!, after: plan.keep[s]!, train: 0, validation: 0 };
  const splitTokens: Routed['splitTokens'] = { train: [], validation: [] };
  let i = 0;
  for await (const { text, raw } of outputs.spilled()) {
    const s = survivors.scenarioOf(i);
    const side = plan.side[i]!;
    if (side === BALANCED_OUT || side === SMALL_SCENARIO) {
      const line = survivors.lineOf(i++);
      await outputs.reject({ line, raw: raw!, ...planRejection(side, names[s]!, s, plan, config) });
      continue;
    }
    const split = side === VALIDATION ? 'validation' : 'train';
    if (config.tokens) splitTokens[split].push(survivors.tokensOf(i));
    scenarios[names[s]!]![split]++;
    await outputs[split].writeLine(text);
    i++;
  }
  return { scenarios, splitTokens };
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
