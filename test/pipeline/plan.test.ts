import { describe, expect, it } from 'vitest';
import {
  BALANCED_OUT,
  planSplit,
  SMALL_SCENARIO,
  TRAIN,
  VALIDATION,
  type Survivors,
} from '../../src/pipeline/plan.js';
import { seededRandom } from '../../src/metrics/stats.js';

interface Row {
  scenario: number;
  unit: number;
  cluster: number;
}

function survivors(rows: Row[]): Survivors {
  return {
    count: rows.length,
    scenario: (i) => rows[i]!.scenario,
    unit: (i) => rows[i]!.unit,
    cluster: (i) => rows[i]!.cluster,
    clusterIds: rows.reduce((max, row) => Math.max(max, row.cluster + 1), 0),
  };
}

/** `sizes[s]` singletons per scenario with seeded units. */
function singletons(sizes: number[], seed = 1): Row[] {
  const random = seededRandom(seed);
  const rows: Row[] = [];
  sizes.forEach((size, scenario) => {
    for (let k = 0; k < size; k++) rows.push({ scenario, unit: random(), cluster: rows.length });
  });
  return rows;
}

const none = { balance: { mode: { kind: 'none' as const } }, split: { valRatio: 0.1 } };

describe('planSplit', () => {
  it('without clusters takes the k smallest units of each scenario', () => {
    const rows = singletons([50, 20]);
    const plan = planSplit(survivors(rows), 2, none);
    expect(plan.targets).toEqual([5, 2]);
    expect(plan.validation).toEqual([5, 2]);
    for (const scenario of [0, 1]) {
      const units = rows.map((row, i) => ({ ...row, i })).filter((row) => row.scenario === scenario);
      const smallest = units.sort((a, b) => a.unit - b.unit).slice(0, plan.targets[scenario]);
      for (const row of smallest) expect(plan.side[row.i]).toBe(VALIDATION);
    }
  });

  it('keeps a cluster on one side and still meets every target within 1', () => {
    const rows = singletons([40, 30], 7);
    // A cluster of 4 in scenario 0 holding the smallest unit of all: it fits scenario 0's target
    // of 4 exactly, so it goes to validation whole.
    for (const i of [0, 1, 2, 3]) rows[i]!.cluster = 0;
    rows[0]!.unit = 0.0001;
    // A cluster of 6 spanning both scenarios: larger than any target, so it stays in train.
    for (const i of [10, 11, 12, 40, 41, 42]) rows[i]!.cluster = 10;
    rows[40]!.unit = 0.0002;
    const plan = planSplit(survivors(rows), 2, none);
    expect(plan.clusters).toEqual({
      multi: 2,
      examples: 10,
      largest: 6,
      straddling: 0,
      // Largest first, with their members (survivor indexes) and side.
      largestListed: [
        { size: 6, members: [10, 11, 12, 40, 41, 42], side: TRAIN },
        { size: 4, members: [0, 1, 2, 3], side: VALIDATION },
      ],
    });
    expect(new Set([0, 1, 2, 3].map((i) => plan.side[i]))).toEqual(new Set([VALIDATION]));
    expect(new Set([10, 11, 12, 40, 41, 42].map((i) => plan.side[i]))).toEqual(new Set([TRAIN]));
    expect(plan.validation).toEqual(plan.targets);
  });

  it('lists at most 20 clusters, largest first, with at most 10 members each', () => {
    const rows = singletons([800], 5);
    // Cluster k (k = 0..24) holds 2 + k examples: rows k*30 .. k*30 + k + 1.
    for (let k = 0; k < 25; k++) for (let m = 0; m < 2 + k; m++) rows[k * 30 + m]!.cluster = k * 30;
    const listed = planSplit(survivors(rows), 1, none).clusters.largestListed;
    expect(listed.map((cluster) => cluster.size)).toEqual(Array.from({ length: 20 }, (_, i) => 26 - i));
    // Cluster 24 starts at row 720: its first 10 members, in input order.
    expect(listed[0]!.members).toEqual(Array.from({ length: 10 }, (_, m) => 720 + m));
    for (const cluster of listed) expect(cluster.members).toHaveLength(Math.min(10, cluster.size));
  });

  it('gives the same membership whatever the input order', () => {
    const rows = singletons([30, 30, 5], 3);
    for (const i of [1, 2, 31]) rows[i]!.cluster = 1;
    const forward = planSplit(survivors(rows), 3, none);
    const reversed = [...rows].reverse();
    const backward = planSplit(survivors(reversed), 3, none);
    const n = rows.length;
    for (let i = 0; i < n; i++) expect(backward.side[n - 1 - i]).toBe(forward.side[i]);
  });

  it('caps scenarios, drops the largest units, and reports small scenarios', () => {
    const rows = singletons([100, 30, 3], 5);
    const plan = planSplit(survivors(rows), 3, {
      balance: { mode: { kind: 'cap', n: 40 }, minPerScenario: 5, dropSmall: true },
      split: { valRatio: 0.1 },
    });
    expect(plan.keep).toEqual([40, 30, 0]);
    expect(plan.small).toEqual([false, false, true]);
    const out = rows.map((row, i) => ({ ...row, side: plan.side[i] }));
    const dropped = out.filter((row) => row.side === BALANCED_OUT);
    expect(dropped).toHaveLength(60);
    const keptUnits = out
      .filter((row) => row.scenario === 0 && row.side !== BALANCED_OUT)
      .map((row) => row.unit);
    expect(Math.max(...keptUnits)).toBeLessThan(Math.min(...dropped.map((row) => row.unit)));
    expect(out.filter((row) => row.side === SMALL_SCENARIO)).toHaveLength(3);
    expect(plan.validation).toEqual([4, 3, 0]);
  });

  it('ratio:R keeps each scenario at most R times the smallest', () => {
    const plan = planSplit(survivors(singletons([100, 30, 10])), 3, {
      balance: { mode: { kind: 'ratio', r: 2 } },
      split: { valRatio: 0.1 },
    });
    expect(plan.keep).toEqual([20, 20, 10]);
  });
});
