// The upload preflight: Azure's rules on their real numbers, and on files as the user uploads them.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Manifest } from '../../src/core/manifest.js';
import {
  AZURE_LIMITS,
  exampleCountCheck,
  fileSizeCheck,
  keyProblem,
  preflight,
  tokenBudgetCheck,
} from '../../src/pipeline/preflight.js';
import { prep } from '../../src/pipeline/prep.js';
import { fixture } from '../helpers/fixtures.js';

const MIB = 1024 * 1024;
const tempDir = () => mkdtempSync(join(tmpdir(), 'phikit-preflight-'));

function example(user: string, extra: Record<string, unknown> = {}): string {
  return JSON.stringify({
    messages: [
      { role: 'system', content: 'Answer briefly.' },
      { role: 'user', content: user },
      { role: 'assistant', content: `Answer to ${user}` },
    ],
    ...extra,
  });
}

function jsonl(path: string, lines: string[]): string {
  writeFileSync(path, `${lines.join('\n')}\n`);
  return path;
}

const statusOf = (result: { checks: Array<{ check: string; file: string; status: string }> }) =>
  Object.fromEntries(result.checks.map((c) => [`${c.file} ${c.check}`, c.status]));

describe('Azure rules on their real numbers', () => {
  it('fails under 10 examples, warns under 50, passes from 50', () => {
    expect([5, 9, 10, 31, 49, 50].map((count) => exampleCountCheck(count).status)).toEqual([
      'fail',
      'fail',
      'warn',
      'warn',
      'warn',
      'pass',
    ]);
  });

  it('warns over the 200 MB portal upload limit and fails over 512 MB', () => {
    expect(fileSizeCheck(150 * MIB, 'train')).toMatchObject({ status: 'pass' });
    expect(fileSizeCheck(250 * MIB, 'train')).toMatchObject({
      status: 'warn',
      message: "250.0 MB: over the portal's 200.0 MB upload limit; upload it with the API or SDK",
      source: 'Azure AI Foundry fine-tuning docs: quotas and limits (training file size)',
    });
    expect(fileSizeCheck(513 * MIB, 'train')).toMatchObject({ status: 'fail' });
  });

  it('fails when training tokens x epochs reach 2 billion', () => {
    expect(tokenBudgetCheck(999_999_999, 2)).toMatchObject({ status: 'pass' });
    expect(tokenBudgetCheck(1_000_000_000, 2)).toMatchObject({
      status: 'fail',
      message:
        '1,000,000,000 tokens x 2 epoch(s) = 2,000,000,000: over the limit; fewer epochs or fewer examples',
    });
    expect(AZURE_LIMITS.maxBilledTokens).toBe(2_000_000_000);
  });

  it('accepts only the keys of the chat format; weight 0/1 on assistant messages only; no tools on Phi-3', () => {
    const messages = [
      { role: 'user', content: 'hi' },
      { role: 'assistant', content: 'hello', weight: 0 },
    ];
    expect(keyProblem({ messages }, false)).toBeUndefined();
    expect(keyProblem({ messages, scenario: 'billing' }, false)).toBe(
      'top-level key "scenario" is not accepted',
    );
    expect(keyProblem({ messages, tools: [] }, false)).toBe(
      'top-level key "tools": the model takes no tools',
    );
    expect(keyProblem({ messages, tools: [] }, true)).toBeUndefined();
    expect(keyProblem({ messages: [{ role: 'user', content: 'hi', weight: 1 }] }, false)).toBe(
      'messages[0] has weight on a "user" message (assistant only)',
    );
    expect(keyProblem({ messages: [{ role: 'assistant', content: 'x', weight: 0.5 }] }, false)).toBe(
      'messages[0] weight must be 0 or 1 (got 0.5)',
    );
    expect(keyProblem({ messages: [{ role: 'user', content: 'x', meta: 1 }] }, false)).toBe(
      'messages[0] key "meta" is not accepted',
    );
    expect(keyProblem([1], false)).toBe('not a JSON object');
  });
});

describe('preflight(path)', () => {
  it('fails a file of 5 examples', async () => {
    const dir = tempDir();
    const path = jsonl(
      join(dir, 'five.jsonl'),
      ['a', 'b', 'c', 'd', 'e'].map((u) => example(u)),
    );
    const result = await preflight(path, { threads: 1 });
    expect(result.status).toBe('fail');
    expect(result.checks[0]).toMatchObject({
      check: 'examples',
      status: 'fail',
      message: '5 training examples: Azure refuses fewer than 10',
      source: 'Azure AI Foundry fine-tuning docs: data preparation',
    });
  });

  it('warns on a file over the portal upload limit (limit injected: 250 bytes standing for 250 MB)', async () => {
    const dir = tempDir();
    const path = jsonl(
      join(dir, 'big.jsonl'),
      Array.from({ length: 60 }, (_, i) => example(`question ${i} 你好 😀`)),
    );
    const result = await preflight(path, {
      threads: 1,
      limits: { portalUploadBytes: 250, maxFileBytes: 512 * MIB },
    });
    expect(result.status).toBe('warn');
    expect(statusOf(result)).toEqual({
      'train examples': 'pass',
      'train file_size': 'warn',
      'train encoding': 'pass',
      'train keys': 'pass',
      'train context': 'pass',
      'train token_budget': 'pass',
    });
  });

  it('fails keys, encoding and context with the first lines concerned, and prices the billed tokens', async () => {
    const dir = tempDir();
    const long = 'word '.repeat(5000);
    const lines = Array.from({ length: 12 }, (_, i) => example(`q${i}`));
    lines[2] = example('labelled', { scenario: 'billing' });
    lines[4] = example(long);
    const path = join(dir, 'mixed.jsonl');
    writeFileSync(
      path,
      Buffer.concat([Buffer.from(`${lines.join('\n')}\n`), Buffer.from([0x7b, 0xff, 0x7d, 0x0a])]),
    );
    const result = await preflight(path, { epochs: 2, pricePer1kTokens: 0.5, threads: 1 });
    expect(result.status).toBe('fail');
    const byCheck = Object.fromEntries(result.checks.map((c) => [c.check, c]));
    expect(byCheck.keys).toMatchObject({
      status: 'fail',
      lines: [3],
      message:
        '1 line(s) with keys or values Azure refuses, first at line(s) 3: line 3: top-level key "scenario" is not accepted',
    });
    expect(byCheck.encoding).toMatchObject({ status: 'fail', lines: [13] });
    expect(byCheck.context).toMatchObject({ status: 'fail', lines: [5] });
    const cost = result.cost!;
    expect(cost.billedTokens).toBe(cost.trainingTokens * 2);
    expect(cost.price).toBeCloseTo((cost.billedTokens / 1000) * 0.5, 10);
  });
});

describe('preflight in prep', () => {
  it('writes the preflight section and a byte-order mark only with bom', async () => {
    const plain = await prep(fixture('sample.jsonl'), {
      out: join(tempDir(), 'plain'),
      scenarioField: 'scenario',
    });
    const bom = await prep(fixture('sample.jsonl'), {
      out: join(tempDir(), 'bom'),
      scenarioField: 'scenario',
      bom: true,
    });
    const plainTrain = readFileSync(join(plain.outDir, 'train.jsonl'));
    const bomTrain = readFileSync(join(bom.outDir, 'train.jsonl'));
    expect(plainTrain.subarray(0, 1).toString()).toBe('{');
    expect(bomTrain.equals(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), plainTrain]))).toBe(true);
    expect(bom.manifest.outputs.train.bytes).toBe(plain.manifest.outputs.train.bytes + 3);

    const manifest = JSON.parse(readFileSync(join(plain.outDir, 'manifest.json'), 'utf8')) as Manifest;
    expect(manifest.options.bom).toBe(false);
    expect(manifest.preflight).toMatchObject({ model: 'phi-3-mini-4k', status: 'warn' });
    expect(statusOf(manifest.preflight!)).toEqual({
      'train examples': 'warn',
      'train file_size': 'pass',
      'train encoding': 'pass',
      'train keys': 'pass',
      'train context': 'pass',
      'validation file_size': 'pass',
      'validation encoding': 'pass',
      'validation keys': 'pass',
      'validation context': 'pass',
      'train token_budget': 'pass',
    });
    expect(manifest.preflight!.cost).toEqual({
      trainingTokens: manifest.tokens!.billedTokens,
      epochs: 1,
      billedTokens: manifest.tokens!.billedTokens,
      pricePer1kTokens: null,
      price: null,
    });

    const fromFile = await preflight(join(bom.outDir, 'train.jsonl'));
    expect(fromFile.checks.find((c) => c.check === 'encoding')?.message).toBe('UTF-8 with a byte-order mark');
    expect(fromFile.cost?.trainingTokens).toBe(manifest.preflight!.cost!.trainingTokens);

    const report = readFileSync(join(plain.outDir, 'report.html'), 'utf8');
    expect(report).toContain('Upload preflight (Azure AI Foundry)');
    expect(report.match(/<tr data-status="(pass|warn|fail|skip)">/g)).toHaveLength(10);
  });
});
