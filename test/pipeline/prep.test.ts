// The prep pipeline end to end through the library: nothing lost, byte-identical reruns,
// membership independent of input order, stratification, atomic outputs.
import { mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { prep } from '../../src/pipeline/prep.js';
import { schemaValidator } from '../../src/schema/registry.js';
import { fixture } from '../helpers/fixtures.js';

const tempDir = () => mkdtempSync(join(tmpdir(), 'phikit-prep-'));
const readLines = (path: string) => readFileSync(path, 'utf8').split('\n').filter(Boolean);

/** A seeded set of distinct examples over a few scenarios. */
function writeDataset(path: string, order: 'forward' | 'reverse'): void {
  const lines: string[] = [];
  const scenarios = { billing: 57, shipping: 23, returns: 9, rare: 2, single: 1 };
  for (const [scenario, n] of Object.entries(scenarios)) {
    for (let i = 0; i < n; i++) {
      lines.push(
        JSON.stringify({
          scenario,
          messages: [
            { role: 'user', content: `${scenario} question number ${i}?` },
            { role: 'assistant', content: `Answer ${i} about ${scenario}.` },
          ],
        }),
      );
    }
  }
  if (order === 'reverse') lines.reverse();
  writeFileSync(path, `${lines.join('\n')}\n`);
}

describe('prep', () => {
  it('sends every non-blank line to exactly one output (train + validation + rejected = read)', async () => {
    const out = tempDir();
    const { manifest } = await prep(fixture('sample.jsonl'), {
      out,
      scenarioField: 'scenario',
      report: false,
    });
    const train = readLines(join(out, 'train.jsonl'));
    const validation = readLines(join(out, 'validation.jsonl'));
    const rejected = readLines(join(out, 'rejected.jsonl')).map((l) => JSON.parse(l) as { line: number });
    const sourceLines = readFileSync(fixture('sample.jsonl'), 'utf8').split('\n').slice(0, -1);
    const nonBlank = sourceLines.filter((l) => l.trim() !== '').length;
    expect(train.length + validation.length + rejected.length).toBe(nonBlank);
    expect(manifest.counts).toMatchObject({
      read: sourceLines.length,
      blank: 1,
      records: nonBlank,
      train: train.length,
      validation: validation.length,
      rejected: rejected.length,
    });
    // Rejected lines carry the original text.
    for (const r of rejected as Array<{ line: number; raw: string }>)
      expect(r.raw).toBe(sourceLines[r.line - 1]);
  });

  it('writes only keys the Azure format allows, without the scenario field', async () => {
    const out = tempDir();
    await prep(fixture('sample.jsonl'), { out, scenarioField: 'scenario', report: false });
    for (const line of readLines(join(out, 'train.jsonl'))) {
      const example = JSON.parse(line) as { messages: Array<Record<string, unknown>> };
      expect(Object.keys(example)).toEqual(['messages']);
      for (const message of example.messages)
        expect(['role', 'content']).toEqual(expect.arrayContaining(Object.keys(message)));
    }
  });

  it('gives byte-identical outputs for the same input and seed, and different ones for another seed', async () => {
    const [a, b, c] = [tempDir(), tempDir(), tempDir()];
    const input = join(tempDir(), 'data.jsonl');
    writeDataset(input, 'forward');
    await prep(input, { out: a, scenarioField: 'scenario', seed: 7, report: false });
    await prep(input, { out: b, scenarioField: 'scenario', seed: 7, report: false });
    await prep(input, { out: c, scenarioField: 'scenario', seed: 8, report: false });
    for (const name of ['train.jsonl', 'validation.jsonl', 'rejected.jsonl']) {
      expect(readFileSync(join(a, name))).toEqual(readFileSync(join(b, name)));
    }
    expect(readFileSync(join(a, 'validation.jsonl'))).not.toEqual(readFileSync(join(c, 'validation.jsonl')));
  });

  it('decides membership by content: reversed input gives the same set per split', async () => {
    const dir = tempDir();
    writeDataset(join(dir, 'forward.jsonl'), 'forward');
    writeDataset(join(dir, 'reverse.jsonl'), 'reverse');
    await prep(join(dir, 'forward.jsonl'), { out: join(dir, 'f'), scenarioField: 'scenario', report: false });
    await prep(join(dir, 'reverse.jsonl'), { out: join(dir, 'r'), scenarioField: 'scenario', report: false });
    const set = (path: string) => readLines(path).sort();
    expect(set(join(dir, 'r', 'validation.jsonl'))).toEqual(set(join(dir, 'f', 'validation.jsonl')));
    expect(set(join(dir, 'r', 'train.jsonl'))).toEqual(set(join(dir, 'f', 'train.jsonl')));
  });

  it('stratifies by scenario: each gets round(n x ratio) validation examples, at least one when n >= 2', async () => {
    const dir = tempDir();
    writeDataset(join(dir, 'data.jsonl'), 'forward');
    const { manifest } = await prep(join(dir, 'data.jsonl'), {
      out: join(dir, 'out'),
      scenarioField: 'scenario',
      valRatio: 0.2,
      report: false,
    });
    expect(manifest.scenarios).toEqual({
      billing: { before: 57, after: 57, train: 46, validation: 11 },
      shipping: { before: 23, after: 23, train: 18, validation: 5 },
      returns: { before: 9, after: 9, train: 7, validation: 2 },
      rare: { before: 2, after: 2, train: 1, validation: 1 },
      single: { before: 1, after: 1, train: 1, validation: 0 },
    });
  });

  it('leaves no temp files behind and writes a manifest that follows its schema', async () => {
    const out = tempDir();
    const { manifest } = await prep(fixture('sample.jsonl'), {
      out,
      scenarioField: 'scenario',
      report: false,
    });
    expect(readdirSync(out).sort()).toEqual([
      'index.jsonl',
      'manifest.json',
      'rejected.jsonl',
      'train.jsonl',
      'validation.jsonl',
    ]);
    const validateManifest = schemaValidator('manifest.schema.json');
    const ok = validateManifest(JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8')));
    expect(validateManifest.errors ?? []).toEqual([]);
    expect(ok).toBe(true);
    expect(manifest.stages.map((s) => s.name)).toEqual([
      'read',
      'parse',
      'validate',
      'clean',
      'dedupe-exact',
      'token-length',
      'dedupe-near',
    ]);
    // The funnel adds up: each stage's output is the next one's input.
    for (let i = 1; i < manifest.stages.length; i++)
      expect(manifest.stages[i]!.in).toBe(manifest.stages[i - 1]!.out);
  });

  it('rejects conversations over --max-tokens and reports token figures per split', async () => {
    const out = tempDir();
    const { manifest } = await prep(fixture('sample.jsonl'), {
      out,
      scenarioField: 'scenario',
      tokens: { maxTokens: 50, epochs: 3 },
      report: false,
    });
    const tooLong = readLines(join(out, 'rejected.jsonl'))
      .map((l) => JSON.parse(l) as { reason: string; message: string })
      .filter((r) => r.reason === 'too_long');
    expect(tooLong.length).toBe(manifest.counts.rejectedByReason.too_long);
    expect(tooLong.length).toBeGreaterThan(0);
    expect(tooLong[0]!.message).toMatch(/^conversation is \d+ tokens, over --max-tokens 50/);
    const tokens = manifest.tokens!;
    expect(tokens.perSplit.train.total.max).toBeLessThanOrEqual(50);
    expect(tokens.perSplit.train.total.n).toBe(manifest.counts.train);
    expect(tokens.billedTokens).toBe(tokens.perSplit.train.total.sum * 3);
  });

  it('reads .json arrays and ShareGPT records the same way as JSONL', async () => {
    const out = tempDir();
    const { manifest } = await prep(fixture('array-root.json'), { out, report: false });
    expect(manifest.input.container).toBe('json-array');
    expect(manifest.counts).toMatchObject({ records: 3, kept: 2, rejected: 1 });
  });
});
