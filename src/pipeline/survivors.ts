// The compact columns prep keeps per surviving example between its two passes: scenario index,
// split unit, input line, leakage cluster, token counts and whether it has a system message
// (29 bytes per survivor). The examples themselves wait on disk in the spill file, in the same order.
import type { TokenCounts } from '../core/envelope.js';
import { GrowableFloat64, GrowableUint32, GrowableUint8 } from '../core/growable.js';
import { seededUnit } from '../core/hash.js';
import type { Survivors } from './plan.js';

export interface Survivor {
  line: number;
  scenario: string;
  contentKey: string;
  /** Ordinal in the near-duplicate store, when that stage ran. */
  nearOrdinal: number | undefined;
  tokens: TokenCounts | undefined;
  /** Whether the conversation starts with a system message. */
  hasSystem: boolean;
  /** Its split unit, when a front worker computed it (else computed here: the same number). */
  unit?: number | undefined;
}

/** Where a survivor sorts within its scenario: balancing and the split take the smallest units. */
export function splitUnit(seed: number, scenario: string, contentKey: string): number {
  return seededUnit(seed, scenario, contentKey);
}

export class SurvivorSignatures {
  /** Scenario names by index, in order of first appearance. */
  readonly scenarioNames: string[] = [];
  private readonly scenarioIndex = new Map<string, number>();
  private readonly scenario = new GrowableUint32();
  private readonly unit = new GrowableFloat64();
  private readonly line = new GrowableUint32();
  private readonly cluster = new GrowableUint32();
  private readonly totalTokens = new GrowableUint32();
  private readonly assistantTokens = new GrowableUint32();
  private readonly system = new GrowableUint8();

  constructor(private readonly seed: number) {}

  get count(): number {
    return this.scenario.length;
  }

  add(survivor: Survivor): void {
    this.scenario.push(this.indexOf(survivor.scenario));
    this.unit.push(survivor.unit ?? splitUnit(this.seed, survivor.scenario, survivor.contentKey));
    this.line.push(survivor.line);
    this.system.push(survivor.hasSystem ? 1 : 0);
    // Store ordinal now, its cluster once all similar pairs are known; else its own.
    this.cluster.push(survivor.nearOrdinal ?? this.line.length - 1);
    if (survivor.tokens) {
      this.totalTokens.push(survivor.tokens.total);
      this.assistantTokens.push(survivor.tokens.assistant);
    }
  }

  /** Replaces each near-duplicate store ordinal by its leakage cluster, once pass 1 is done. */
  resolveClusters(clusterOf: (ordinal: number) => number): void {
    for (let i = 0; i < this.cluster.length; i++) this.cluster.set(i, clusterOf(this.cluster.get(i)));
  }

  scenarioOf(i: number): number {
    return this.scenario.get(i);
  }

  unitOf(i: number): number {
    return this.unit.get(i);
  }

  hasSystem(i: number): boolean {
    return this.system.get(i) === 1;
  }

  lineOf(i: number): number {
    return this.line.get(i);
  }

  tokensOf(i: number): TokenCounts {
    return { total: this.totalTokens.get(i), assistant: this.assistantTokens.get(i) };
  }

  /** What the split planner reads. */
  units(): Survivors {
    return {
      count: this.count,
      scenario: (i) => this.scenario.get(i),
      unit: (i) => this.unit.get(i),
      cluster: (i) => this.cluster.get(i),
      clusterIds: this.cluster.view().reduce((max, c) => Math.max(max, c + 1), 0),
    };
  }

  private indexOf(scenario: string): number {
    let index = this.scenarioIndex.get(scenario);
    if (index === undefined) {
      index = this.scenarioNames.length;
      this.scenarioIndex.set(scenario, index);
      this.scenarioNames.push(scenario);
    }
    return index;
  }
}
