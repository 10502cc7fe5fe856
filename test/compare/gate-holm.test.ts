// Why Holm matters in --per-scenario: with 8 scenarios, a scenario whose own bootstrap p-value is
// under 0.05 is not a regression once the p-values are adjusted for testing 8 scenarios at once.
// compareResults is pure, so results are built here instead of asked from endpoints.
import { describe, expect, it } from 'vitest';
import { compareResults } from '../../src/compare/compare.js';
import type { EvalResult } from '../../src/core/eval-types.js';

const SCENARIOS = ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h'];

function result(endpoint: string, index: number, f1: number): EvalResult {
  return {
    id: `ex${index}`,
    line: index + 1,
    scenario: SCENARIOS[Math.floor(index / 30)]!,
    endpoint,
    model: endpoint,
    promptHash: `p${index}`,
    requestKey: `${endpoint}-${index}`,
    prediction: f1 === 100 ? 'right' : 'wrong',
    reference: 'right',
    scores: { em: f1, f1, accuracy: f1 },
    logprobs: null,
    latencyMs: 1,
    usage: null,
    attempts: 1,
    error: null,
  };
}

// Candidate loses 4 of 30 in scenario a and gains 4 of 30 in scenario b: level overall.
const indexes = Array.from({ length: 240 }, (_, i) => i);
const results = [
  ...indexes.map((i) => result('base', i, i >= 30 && i < 34 ? 0 : 100)),
  ...indexes.map((i) => result('cand', i, i < 4 ? 0 : 100)),
];

describe('per-scenario gate with Holm', () => {
  const comparison = compareResults(results, { seed: 42, gate: { perScenario: true } });
  const gate = comparison.gate!;
  const scenarioA = gate.checks.find((c) => c.scenario === 'a')!;

  it('a drop significant on its own is adjusted over 8 scenarios and passes', () => {
    expect(scenarioA.value).toBeCloseTo(-400 / 30, 10);
    expect(scenarioA.pValue).toBeLessThan(0.05);
    expect(scenarioA.adjustedPValue).toBeGreaterThanOrEqual(0.05);
    expect(scenarioA.verdict).toBe('no_regression');
    expect(gate.passed).toBe(true);
  });

  it('gives every scenario a check and the overall one first', () => {
    expect(gate.checks.map((c) => c.scenario)).toEqual([null, ...SCENARIOS]);
    expect(gate.checks[0]).toMatchObject({ value: 0, adjustedPValue: null, verdict: 'no_regression' });
  });

  it('does not test a scenario with too few paired examples, and says so', () => {
    const few = [...results.filter((r) => r.scenario === 'a'), ...results.filter((r) => r.id === 'ex30')];
    const tiny = compareResults(
      few.map((r) => ({ ...r, scenario: r.id === 'ex30' ? 'tiny' : r.scenario })),
      { seed: 42, gate: { perScenario: true } },
    ).gate!;
    const check = tiny.checks.find((c) => c.scenario === 'tiny')!;
    expect(check).toMatchObject({ n: 1, verdict: 'too_few_examples' });
    expect(check.message).toBe(
      'not tested: f1 in scenario "tiny" has 1 paired example, too few to show a difference (need 10) (cand vs base)',
    );
  });
});
