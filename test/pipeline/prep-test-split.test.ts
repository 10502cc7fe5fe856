// prep's three-way split (train / validation / test) and index.jsonl, end to end through the
// library: stratified sizes, no near-duplicate cluster across two splits, determinism, the
// test.jsonl line shape, and index.jsonl pointing every written row back at its input line.
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { prep, type PrepOptions } from '../../src/pipeline/prep.js';
import { seededRandom } from '../../src/metrics/stats.js';
import { exactJaccard, shingles } from '../../src/dedupe/minhash.js';
import { schemaValidator } from '../../src/schema/registry.js';

const tempDir = () => mkdtempSync(join(tmpdir(), 'phikit-testsplit-'));
const readLines = (path: string) => readFileSync(path, 'utf8').split('\n').filter(Boolean);

const random = seededRandom(2024);
const LATIN = 'ka lo mi re tu sa ven dor pli qua zen fro bal tri mon gus hel vax rin op'.split(' ');
const CJK = [...'订单退款发货客服地址快递价格颜色尺码包裹物流售后优惠积分会员账户密码支付发票评价'];
const EMOJI = ['📦', '🙂', '🚚', '✨'];
const vocabulary = (syllables: string[], suffix: () => string = () => '') =>
  Array.from(
    { length: 1500 },
    () =>
      Array.from(
        { length: 2 + Math.floor(random() * 3) },
        () => syllables[Math.floor(random() * syllables.length)],
      ).join('') + suffix(),
  );
const LATIN_WORDS = vocabulary(LATIN);
// Chinese words, some ending in an emoji.
const CJK_WORDS = vocabulary(CJK, () => (random() < 0.15 ? EMOJI[Math.floor(random() * EMOJI.length)]! : ''));

interface Item {
  scenario: string;
  user: string;
  assistant: string;
  references?: unknown;
  cluster?: number;
}

const SCENARIOS: Record<string, { size: number; words: string[] }> = {
  billing: { size: 110, words: LATIN_WORDS },
  '退货 📦': { size: 70, words: CJK_WORDS },
  shipping: { size: 45, words: LATIN_WORDS },
};

function text(vocabularyWords: string[], n: number): string {
  return Array.from({ length: n }, () => vocabularyWords[Math.floor(random() * vocabularyWords.length)]).join(
    ' ',
  );
}

/**
 * A variant of `assistant` whose exact Jaccard with it (phikit's shingles: 3 words, or 3 characters
 * in Chinese) is between 0.68 and 0.78: a few words replaced, more where a word is one shingle (Chinese).
 * Bounded, so a generator that cannot reach the range fails instead of hanging.
 */
function variant(assistant: string, vocabularyWords: string[]): string {
  for (let attempt = 0; attempt < 20_000; attempt++) {
    const list = assistant.split(' ');
    const replaced = 1 + (attempt % 12);
    for (let k = 0; k < replaced; k++) list[Math.floor(random() * list.length)] = text(vocabularyWords, 1);
    const candidate = list.join(' ');
    const j = exactJaccard(shingles(assistant, 3), shingles(candidate, 3));
    if (j >= 0.68 && j <= 0.78) return candidate;
  }
  throw new Error('no variant in the Jaccard range 0.68-0.78');
}

/** References as evaluation reads them, and a few that are not an array of strings. */
function references(k: number, answer: string): unknown {
  if (k % 3 === 0) return [answer, `${answer.split(' ')[0]} 🙂`];
  if (k % 7 === 1) return answer;
  if (k % 11 === 2) return [answer, 42];
  return undefined;
}

function dataset(): Item[] {
  const items: Item[] = [];
  for (const [scenario, { size, words }] of Object.entries(SCENARIOS)) {
    for (let k = 0; k < size; k++) {
      const assistant = text(words, 50);
      items.push({ scenario, user: text(words, 8), assistant, references: references(k, assistant) });
    }
  }
  const names = Object.keys(SCENARIOS);
  for (let cluster = 0; cluster < 15; cluster++) {
    const scenario = names[cluster % names.length]!;
    const words = SCENARIOS[scenario]!.words;
    const user = text(words, 8);
    const assistant = text(words, 50);
    items.push({ scenario, user, assistant, cluster });
    for (let m = 0; m < 2 + (cluster % 3); m++)
      items.push({ scenario, user, assistant: variant(assistant, words), cluster });
  }
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [items[i], items[j]] = [items[j]!, items[i]!];
  }
  return items;
}

const ITEMS = dataset();

const messagesOf = (item: Item) => [
  { role: 'user', content: item.user },
  { role: 'assistant', content: item.assistant },
];
const inputLine = (item: Item) =>
  JSON.stringify({ scenario: item.scenario, messages: messagesOf(item), references: item.references });
const writtenMessages = (item: Item) => JSON.stringify(messagesOf(item));

interface TestLine {
  messages: unknown[];
  scenario: string;
  line: number;
  references?: string[];
}
interface IndexLine {
  file: string;
  row: number;
  line: number;
  scenario: string;
  unit: number;
}

async function run(items: Item[], options: Partial<PrepOptions> = {}) {
  const dir = tempDir();
  const input = join(dir, 'data.jsonl');
  writeFileSync(input, `${items.map(inputLine).join('\n')}\n`);
  const out = join(dir, 'out');
  const { manifest } = await prep(input, {
    out,
    scenarioField: 'scenario',
    valRatio: 0.15,
    testRatio: 0.2,
    tokens: false,
    report: false,
    ...options,
  });
  const messages = (file: string) =>
    (existsSync(join(out, file)) ? readLines(join(out, file)) : []).map((l) =>
      JSON.stringify((JSON.parse(l) as { messages: unknown }).messages),
    );
  return {
    manifest,
    out,
    input: readLines(input),
    train: new Set(messages('train.jsonl')),
    validation: new Set(messages('validation.jsonl')),
    test: new Set(messages('test.jsonl')),
  };
}

type Run = Awaited<ReturnType<typeof run>>;

const SPLITS = ['train', 'validation', 'test'] as const;

/**
 * Kept pairs of planted cluster members that are clearly similar (exact Jaccard >= 0.68, the
 * leak threshold being 0.6), and the split of each member: a pair across two splits is a leak.
 * (Members less similar than that are only joined through their original, which near-dedup
 * may have dropped.)
 */
function similarPairs(result: Run): Array<[string, string]> {
  const pairs: Array<[string, string]> = [];
  const kept = ITEMS.flatMap((item) => {
    const split = SPLITS.find((name) => result[name].has(writtenMessages(item)));
    return item.cluster === undefined || !split
      ? []
      : [{ item, split, shingles: shingles(`${item.user}\n${item.assistant}`, 3) }];
  });
  for (const [k, a] of kept.entries())
    for (const b of kept.slice(k + 1))
      if (a.item.cluster === b.item.cluster && exactJaccard(a.shingles, b.shingles) >= 0.68)
        pairs.push([a.split, b.split]);
  return pairs;
}

describe('prep: test split', () => {
  it('stratifies three ways within 1 per scenario, keeps clusters whole, and accounts for every record', async () => {
    const result = await run(ITEMS);
    const { manifest } = result;
    for (const [name, figures] of Object.entries(manifest.scenarios)) {
      expect(Math.abs(figures.validation - figures.after * 0.15), name).toBeLessThanOrEqual(1);
      expect(Math.abs(figures.test! - figures.after * 0.2), name).toBeLessThanOrEqual(1);
      expect(figures.train + figures.validation + figures.test!, name).toBe(figures.after);
    }
    const pairs = similarPairs(result);
    expect(pairs.length).toBeGreaterThan(10);
    expect(pairs.filter(([a, b]) => a !== b)).toEqual([]);
    const placed = pairs.map(([a]) => a);
    expect(placed).toContain('test');
    expect(placed).toContain('validation');
    expect(manifest.leakage).toMatchObject({ clustersStraddlingSplit: 0, testShortfall: [] });

    const { counts } = manifest;
    expect(counts.records).toBe(ITEMS.length);
    expect(counts.kept).toBe(counts.train + counts.validation + counts.test!);
    expect(counts.train + counts.validation + counts.test! + counts.rejected).toBe(counts.records);
    expect(result.test.size).toBe(counts.test);
    expect(manifest.outputs.test).toMatchObject({ path: 'test.jsonl', lines: counts.test });
    expect(manifest.options).toMatchObject({ valRatio: 0.15, testRatio: 0.2, testSize: null });
    expect(schemaValidator('manifest.schema.json')(manifest)).toBe(true);
  });

  it('without the leak split, the same data puts similar examples in two splits (the check above can fail)', async () => {
    const result = await run(ITEMS, { leakThreshold: false, valRatio: 0.3, testRatio: 0.3 });
    expect(similarPairs(result).filter(([a, b]) => a !== b).length).toBeGreaterThan(0);
  });

  it('leaves validation as it is without a test split', async () => {
    const withTest = await run(ITEMS);
    const without = await run(ITEMS, { testRatio: undefined });
    expect(withTest.validation).toEqual(without.validation);
    expect(readLines(join(without.out, 'validation.jsonl'))).toEqual(
      readLines(join(withTest.out, 'validation.jsonl')),
    );
    expect(without.manifest.counts.test).toBeUndefined();
    expect(without.manifest.outputs.test).toBeUndefined();
    expect(Object.values(without.manifest.scenarios)[0]).not.toHaveProperty('test');
    expect(without.manifest.options).not.toHaveProperty('testRatio');
    expect(existsSync(join(without.out, 'test.jsonl'))).toBe(false);
  });

  it('gives byte-identical outputs on rerun and the same sets for reversed input', async () => {
    const a = await run(ITEMS);
    const b = await run(ITEMS);
    const files = ['train.jsonl', 'validation.jsonl', 'test.jsonl', 'index.jsonl', 'rejected.jsonl'];
    for (const file of files)
      expect(readFileSync(join(b.out, file), 'utf8'), file).toBe(readFileSync(join(a.out, file), 'utf8'));
    const forward = await run(ITEMS, { nearDedup: false });
    const reversed = await run([...ITEMS].reverse(), { nearDedup: false });
    expect(reversed.test).toEqual(forward.test);
    expect(reversed.validation).toEqual(forward.validation);
    expect(reversed.train).toEqual(forward.train);
  });

  it('writes test lines with messages, scenario, input line and references (only an array of strings)', async () => {
    const result = await run(ITEMS);
    const lines = readLines(join(result.out, 'test.jsonl')).map((l) => JSON.parse(l) as TestLine);
    expect(lines.length).toBeGreaterThan(40);
    let withReferences = 0;
    for (const testLine of lines) {
      const source = JSON.parse(result.input[testLine.line - 1]!) as Item & { messages: unknown[] };
      const expected: TestLine = {
        messages: source.messages,
        scenario: source.scenario,
        line: testLine.line,
      };
      const refs = source.references;
      if (Array.isArray(refs) && refs.every((r) => typeof r === 'string')) {
        expected.references = refs as string[];
        withReferences++;
      }
      expect(testLine).toEqual(expected);
      expect(Object.keys(testLine)).toEqual(Object.keys(expected));
    }
    expect(withReferences).toBeGreaterThan(5);
    // train and validation keep only what the upload allows.
    for (const file of ['train.jsonl', 'validation.jsonl'])
      for (const l of readLines(join(result.out, file)))
        expect(Object.keys(JSON.parse(l) as object)).toEqual(['messages']);
  });

  it('index.jsonl maps every written row to its input line, in input order', async () => {
    const result = await run(ITEMS, { testSize: 30, testRatio: undefined });
    const index = readLines(join(result.out, 'index.jsonl')).map((l) => JSON.parse(l) as IndexLine);
    const { counts } = result.manifest;
    expect(index).toHaveLength(counts.kept);
    expect(counts.test).toBe(30);
    const rows: Record<string, string[]> = {};
    for (const file of ['train.jsonl', 'validation.jsonl', 'test.jsonl'])
      rows[file] = readLines(join(result.out, file));
    const seen: Record<string, number> = { 'train.jsonl': 0, 'validation.jsonl': 0, 'test.jsonl': 0 };
    let previousLine = 0;
    for (const entry of index) {
      expect(Object.keys(entry)).toEqual(['file', 'row', 'line', 'scenario', 'unit']);
      expect(entry.row).toBe(++seen[entry.file]!);
      expect(entry.line).toBeGreaterThan(previousLine);
      previousLine = entry.line;
      expect(entry.unit).toBeGreaterThanOrEqual(0);
      expect(entry.unit).toBeLessThan(1);
      const written = JSON.parse(rows[entry.file]![entry.row - 1]!) as { messages: unknown };
      const source = JSON.parse(result.input[entry.line - 1]!) as Item & { messages: unknown };
      expect(written.messages).toEqual(source.messages);
      expect(entry.scenario).toBe(source.scenario);
    }
    for (const [file, lines] of Object.entries(rows)) expect(seen[file], file).toBe(lines.length);
  });

  it('a zero test share writes an empty test.jsonl', async () => {
    for (const option of [{ testRatio: 0 }, { testSize: 0, testRatio: undefined }]) {
      const result = await run(ITEMS, option);
      expect(readFileSync(join(result.out, 'test.jsonl'), 'utf8')).toBe('');
      expect(result.manifest.counts.test).toBe(0);
      for (const figures of Object.values(result.manifest.scenarios)) expect(figures.test).toBe(0);
      expect(result.manifest.counts.validation).toBeGreaterThan(0);
    }
  });

  it('refuses a test share that leaves train nothing, and both sizes at once', async () => {
    await expect(run(ITEMS, { valRatio: 0.5, testRatio: 0.5 })).rejects.toMatchObject({
      code: 'USAGE',
      message: 'valRatio + testRatio must be below 1 (got 0.5 + 0.5): train needs examples',
    });
    await expect(run(ITEMS, { testRatio: 0.1, testSize: 3 })).rejects.toMatchObject({ code: 'USAGE' });
  });
});
