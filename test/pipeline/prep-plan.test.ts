// prep's plan between the passes, end to end: near-duplicate clusters never straddle the
// split, stratification within 1 per scenario, balancing and holdout decontamination with
// their reasons in rejected.jsonl, and identical sets across runs and input orders.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { prep, type PrepOptions } from '../../src/pipeline/prep.js';
import { seededRandom } from '../../src/metrics/stats.js';
import { exactJaccard, shingles } from '../../src/dedupe/minhash.js';

const tempDir = () => mkdtempSync(join(tmpdir(), 'phikit-plan-'));
const readLines = (path: string) => readFileSync(path, 'utf8').split('\n').filter(Boolean);

const random = seededRandom(404);
const SYLLABLES = 'ka lo mi re tu sa ven dor pli qua zen fro bal tri mon gus hel vax rin op'.split(' ');
const VOCABULARY = Array.from({ length: 2000 }, () =>
  Array.from({ length: 2 + Math.floor(random() * 3) }, () => SYLLABLES[Math.floor(random() * 20)]).join(''),
);
const word = () => VOCABULARY[Math.floor(random() * VOCABULARY.length)]!;
const words = (n: number) => Array.from({ length: n }, word).join(' ');

/** A variant of `text` whose exact 3-shingle Jaccard with it is between 0.68 and 0.78. */
function variant(text: string): string {
  for (;;) {
    const list = text.split(' ');
    for (let k = 0; k < 3; k++) list[Math.floor(random() * list.length)] = word();
    const candidate = list.join(' ');
    const j = exactJaccard(shingles(text, 3), shingles(candidate, 3));
    if (j >= 0.68 && j <= 0.78) return candidate;
  }
}

interface Item {
  scenario: string;
  user: string;
  assistant: string;
  cluster?: number;
}

const line = (item: Item) =>
  JSON.stringify({
    scenario: item.scenario,
    messages: [
      { role: 'user', content: item.user },
      { role: 'assistant', content: item.assistant },
    ],
  });

/** Scenarios of distinct examples plus planted clusters of 3-5 similar ones. */
function dataset(): Item[] {
  const items: Item[] = [];
  const sizes: Record<string, number> = { billing: 120, shipping: 70, returns: 40 };
  for (const [scenario, n] of Object.entries(sizes)) {
    for (let i = 0; i < n; i++) items.push({ scenario, user: words(8), assistant: words(50) });
  }
  const names = Object.keys(sizes);
  for (let cluster = 0; cluster < 12; cluster++) {
    const scenario = names[cluster % names.length]!;
    const user = words(8);
    const assistant = words(50);
    items.push({ scenario, user, assistant, cluster });
    const members = 2 + (cluster % 3);
    for (let m = 0; m < members; m++) items.push({ scenario, user, assistant: variant(assistant), cluster });
  }
  // Shuffle (seeded) so clusters are spread through the file.
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [items[i], items[j]] = [items[j]!, items[i]!];
  }
  return items;
}

const ITEMS = dataset();

function write(items: Item[], dir: string, name = 'data.jsonl'): string {
  const path = join(dir, name);
  writeFileSync(path, `${items.map(line).join('\n')}\n`);
  return path;
}

async function run(items: Item[], options: Partial<PrepOptions> = {}) {
  const dir = tempDir();
  const input = write(items, dir);
  const out = join(dir, 'out');
  const { manifest } = await prep(input, {
    out,
    scenarioField: 'scenario',
    valRatio: 0.2,
    tokens: false,
    report: false,
    ...options,
  });
  return {
    manifest,
    out,
    train: new Set(readLines(join(out, 'train.jsonl'))),
    validation: new Set(readLines(join(out, 'validation.jsonl'))),
    rejected: readLines(join(out, 'rejected.jsonl')).map(
      (l) =>
        JSON.parse(l) as {
          line: number;
          reason: string;
          message: string;
          raw: string;
          detail?: Record<string, unknown>;
        },
    ),
  };
}

/** The written form of an item (what train/validation.jsonl hold). */
const written = (item: Item) =>
  JSON.stringify({
    messages: [
      { role: 'user', content: item.user },
      { role: 'assistant', content: item.assistant },
    ],
  });

function sidesOfClusters(result: Awaited<ReturnType<typeof run>>): Map<number, Set<string>> {
  const sides = new Map<number, Set<string>>();
  for (const item of ITEMS) {
    if (item.cluster === undefined) continue;
    const text = written(item);
    const side = result.train.has(text) ? 'train' : result.validation.has(text) ? 'validation' : 'dropped';
    if (side === 'dropped') continue;
    const set = sides.get(item.cluster) ?? new Set<string>();
    set.add(side);
    sides.set(item.cluster, set);
  }
  return sides;
}

describe('prep: leakage-free split', () => {
  it('never puts a planted cluster on both sides, and stratifies within 1 per scenario', async () => {
    const result = await run(ITEMS);
    const sides = sidesOfClusters(result);
    expect(sides.size).toBe(12);
    for (const set of sides.values()) expect(set.size).toBe(1);
    // Some clusters sit in validation whole (validation is not made of singletons only).
    expect([...sides.values()].filter((set) => set.has('validation')).length).toBeGreaterThan(0);
    const leakage = result.manifest.leakage!;
    expect(leakage.clustersOverOneExample).toBeGreaterThanOrEqual(12);
    expect(leakage.largestCluster).toBeGreaterThanOrEqual(4);
    expect(leakage.clustersStraddlingSplit).toBe(0);
    for (const [name, figures] of Object.entries(result.manifest.scenarios)) {
      const expected = Math.round(figures.after * 0.2);
      expect(Math.abs(figures.validation - expected), name).toBeLessThanOrEqual(1);
    }
  });

  it('without the leak split, the same data lets clusters straddle (the check above can fail)', async () => {
    const result = await run(ITEMS, { leakThreshold: false, valRatio: 0.5 });
    const sides = sidesOfClusters(result);
    expect([...sides.values()].some((set) => set.size === 2)).toBe(true);
  });

  it('gives byte-identical outputs on rerun and the same sets for reversed input', async () => {
    const a = await run(ITEMS);
    const b = await run(ITEMS);
    for (const file of ['train.jsonl', 'validation.jsonl', 'rejected.jsonl', 'manifest.json']) {
      const strip = (text: string) => text.replace(/"(totalMs|ms|path)": [^,\n]+/g, '');
      expect(strip(readFileSync(join(b.out, file), 'utf8')), file).toBe(
        strip(readFileSync(join(a.out, file), 'utf8')),
      );
    }
    // Near-dedup keeps the first occurrence, which depends on order by definition; clustering
    // and the split must not.
    const forward = await run(ITEMS, { nearDedup: false });
    const reversed = await run([...ITEMS].reverse(), { nearDedup: false });
    // The same clusters, sizes and splits; their members' input lines differ when the input is reversed.
    const withoutLines = (leakage: typeof forward.manifest.leakage) => ({
      ...leakage,
      // Ties among equal sizes go to the earliest line, so compare the listing as a multiset.
      largest: leakage?.largest?.map(({ size, split }) => `${size} ${split}`).sort(),
    });
    expect(withoutLines(reversed.manifest.leakage)).toEqual(withoutLines(forward.manifest.leakage));
    expect(reversed.validation).toEqual(forward.validation);
    expect(reversed.train).toEqual(forward.train);
  });
});

describe('prep: balancing', () => {
  it('caps scenarios, drops small ones, and writes each drop to rejected.jsonl with its original line', async () => {
    const items = ITEMS.filter((item) => item.cluster === undefined);
    items.push(
      ...Array.from({ length: 3 }, () => ({ scenario: 'tiny', user: words(8), assistant: words(40) })),
    );
    const result = await run(items, {
      balance: 'cap:50',
      minPerScenario: 5,
      dropSmallScenarios: true,
      leakThreshold: false,
    });
    const { scenarios, counts } = result.manifest;
    expect(scenarios.billing).toMatchObject({ before: 120, after: 50 });
    expect(scenarios.shipping).toMatchObject({ before: 70, after: 50 });
    expect(scenarios.returns).toMatchObject({ before: 40, after: 40 });
    expect(scenarios.tiny).toMatchObject({ before: 3, after: 0, train: 0, validation: 0 });
    expect(counts.rejectedByReason.balanced_out).toBe(90);
    expect(counts.rejectedByReason.small_scenario).toBe(3);
    expect(counts.train + counts.validation + counts.rejected).toBe(items.length);
    const source = readFileSync(join(result.out, '..', 'data.jsonl'), 'utf8').split('\n');
    for (const r of result.rejected) {
      expect(r.raw).toBe(source[r.line - 1]);
      expect(['balanced_out', 'small_scenario']).toContain(r.reason);
    }
    const billing = result.rejected.find((r) => r.reason === 'balanced_out' && r.raw.includes('"billing"'))!;
    expect(billing.message).toBe(
      'scenario "billing" balanced down to 50 of 120 examples (--balance cap:50); a seeded choice, stable across runs',
    );
    expect(result.rejected.find((r) => r.reason === 'small_scenario')!.message).toMatch(
      /^scenario "tiny" has 3 examples, fewer than --min-per-scenario 5/,
    );
    const balance = result.manifest.balance!;
    expect(balance.before.imbalanceRatio).toBe(40);
    expect(balance.after.imbalanceRatio).toBe(1.25);
    expect(balance.after.normalizedEntropy).toBeGreaterThan(balance.before.normalizedEntropy);
    expect(balance.after.distribution).toEqual({ billing: 50, shipping: 50, returns: 40 });

    const again = await run([...items].reverse(), {
      balance: 'cap:50',
      minPerScenario: 5,
      dropSmallScenarios: true,
      leakThreshold: false,
    });
    expect(again.train).toEqual(result.train);
    expect(again.validation).toEqual(result.validation);
  });

  it('keeps small scenarios by default and warns about them; ratio:R follows the smallest', async () => {
    const items = ITEMS.filter((item) => item.cluster === undefined);
    const result = await run(items, { balance: 'ratio:2', minPerScenario: 50, leakThreshold: false });
    expect(result.manifest.scenarios.returns!.after).toBe(40);
    expect(result.manifest.scenarios.billing!.after).toBe(80);
    expect(result.manifest.warnings.map((w) => w.code)).toContain('small_scenario');
  });
});

describe('prep: holdout decontamination', () => {
  it('rejects examples near-duplicate to a holdout example as contaminated, with the holdout line', async () => {
    const dir = tempDir();
    const holdoutItems = ITEMS.slice(0, 5);
    const holdout = write(holdoutItems, dir, 'holdout.jsonl');
    const result = await run(ITEMS, { holdout });
    const contaminated = result.rejected.filter((r) => r.reason === 'contaminated');
    // The five copies and the near-duplicate members of any cluster they belong to.
    expect(contaminated.length).toBeGreaterThanOrEqual(5);
    for (let k = 0; k < 5; k++) {
      const hit = contaminated.find((r) => r.line === k + 1)!;
      expect(hit.detail).toMatchObject({ holdoutLine: k + 1 });
      expect(hit.message).toMatch(new RegExp(`^~1\\.00 similar to line ${k + 1} of the holdout set`));
    }
    expect(result.manifest.holdout).toMatchObject({ holdoutExamples: 5, contaminated: contaminated.length });
  });
});
