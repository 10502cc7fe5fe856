// Regressions: a zero validation share means none (it used to give every scenario one), and
// the "no system message" warning counts the examples written, not those before balancing.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { prep, type PrepOptions } from '../../src/pipeline/prep.js';

const readLines = (path: string) => readFileSync(path, 'utf8').split('\n').filter(Boolean);

function example(scenario: string, k: number, system: boolean): string {
  const messages = [
    ...(system ? [{ role: 'system', content: `You help with ${scenario}.` }] : []),
    { role: 'user', content: `Question ${k} about ${scenario}: 订单 ${k} 在哪里? 📦` },
    { role: 'assistant', content: `Answer ${k} for ${scenario}, number ${k * 7919}. 🙂` },
  ];
  return JSON.stringify({ scenario, messages });
}

async function run(lines: string[], options: Partial<PrepOptions>) {
  const dir = mkdtempSync(join(tmpdir(), 'phikit-zero-'));
  const input = join(dir, 'data.jsonl');
  writeFileSync(input, `${lines.join('\n')}\n`);
  const out = join(dir, 'out');
  const { manifest } = await prep(input, {
    out,
    scenarioField: 'scenario',
    tokens: false,
    nearDedup: false,
    report: false,
    ...options,
  });
  return { manifest, out };
}

const threeScenarios = ['billing', 'shipping', '退货'].flatMap((scenario) =>
  Array.from({ length: 20 }, (_, k) => example(scenario, k, k % 2 === 0)),
);

describe('prep: a zero validation share', () => {
  for (const option of [{ valRatio: 0 }, { valSize: 0 }]) {
    it(`${JSON.stringify(option)} writes no validation example and warns`, async () => {
      const { manifest, out } = await run(threeScenarios, option);
      expect(readLines(join(out, 'validation.jsonl'))).toEqual([]);
      expect(manifest.counts).toMatchObject({ train: 60, validation: 0, rejected: 0 });
      for (const figures of Object.values(manifest.scenarios)) expect(figures.validation).toBe(0);
      const flag = 'valRatio' in option ? '--val-ratio 0' : '--val-size 0';
      expect(manifest.warnings.find((w) => w.code === 'no_validation')).toEqual({
        code: 'no_validation',
        message: `no validation examples (${flag}): upload train.jsonl alone; Azure AI Foundry then splits off its own validation data or reports no validation loss`,
        count: 0,
      });
    });
  }

  it('a small positive share still gives every scenario of two or more one example', async () => {
    const { manifest } = await run(threeScenarios, { valRatio: 0.01 });
    expect(manifest.counts.validation).toBe(3);
    expect(manifest.warnings.map((w) => w.code)).not.toContain('no_validation');
  });
});

describe('prep: the no-system-message warning', () => {
  it('counts the examples written, after balancing', async () => {
    const { manifest, out } = await run(threeScenarios, { balance: 'cap:8' });
    expect(manifest.counts.kept).toBe(24);
    const warning = manifest.warnings.find((w) => w.code === 'missing_system')!;
    const written = [...readLines(join(out, 'train.jsonl')), ...readLines(join(out, 'validation.jsonl'))];
    const withoutSystem = written.filter((l) => !l.includes('"role":"system"')).length;
    expect(warning).toEqual({
      code: 'missing_system',
      message: `${withoutSystem} of 24 examples have no system message`,
      count: withoutSystem,
    });
  });

  it('prints its counts as the summary does, with thousands separators', async () => {
    const many = Array.from({ length: 1200 }, (_, k) => example('billing', k, k >= 1100));
    const { manifest } = await run(many, {});
    expect(manifest.warnings.find((w) => w.code === 'missing_system')).toMatchObject({
      message: '1,100 of 1,200 examples have no system message',
      count: 1100,
    });
  });
});

describe('prep: a split far from the share asked for', () => {
  // A per-record id as --scenario-field: every scenario keeps its one example in train.
  const singles = Array.from({ length: 60 }, (_, k) => example(`task-${k}-任务`, k, true));
  const billing = Array.from({ length: 20 }, (_, k) => example('billing', 100 + k, true));

  it('warns when single-example scenarios leave validation short, and says why', async () => {
    const { manifest } = await run([...singles, ...billing], {});
    expect(manifest.counts).toMatchObject({ kept: 80, validation: 2 });
    expect(manifest.warnings.find((w) => w.code === 'validation_size')).toEqual({
      code: 'validation_size',
      message:
        'validation has 2 examples where --val-ratio 0.1 asks for 8 of 80: the share is rounded per scenario, each scenario keeps one example in train and, with two or more, gives validation at least one, and there are 61 scenarios (60 with a single example); fewer, larger scenarios (a coarser --scenario-field) keep the share',
      count: 2,
    });
  });

  it('warns when many two-example scenarios make validation far larger, for test too', async () => {
    const pairs = Array.from({ length: 30 }, (_, k) => [
      example(`pair ${k}`, k, true),
      example(`pair ${k}`, 50 + k, true),
    ]);
    const { manifest } = await run(pairs.flat(), { testSize: 40 });
    expect(manifest.counts).toMatchObject({ kept: 60, validation: 30, test: 0 });
    expect(manifest.warnings.filter((w) => w.code.endsWith('_size')).map((w) => [w.code, w.count])).toEqual([
      ['validation_size', 30],
      ['test_size', 0],
    ]);
    expect(manifest.warnings.find((w) => w.code === 'test_size')!.message).toMatch(
      /^test has 0 examples where --test-size 40 asks for 40 of 60: .* 30 scenarios \(0 with a single example\)/,
    );
  });

  it('stays quiet when the scenarios are large enough to honour the share', async () => {
    const { manifest } = await run(threeScenarios, { testRatio: 0.1 });
    expect(manifest.counts).toMatchObject({ validation: 6, test: 6 });
    expect(manifest.warnings.map((w) => w.code)).not.toContain('validation_size');
    expect(manifest.warnings.map((w) => w.code)).not.toContain('test_size');
  });

  it('stays quiet when only rounding each scenario moves the split by a few', async () => {
    // Six scenarios of 15: 1.5 rounds to 2 each, so 12 where 10% of 90 is 9.
    const six = ['a', 'b', 'c', 'd', 'e', 'f'].flatMap((scenario) =>
      Array.from({ length: 15 }, (_, k) => example(`${scenario} 场景`, k, true)),
    );
    const { manifest } = await run(six, {});
    expect(manifest.counts).toMatchObject({ kept: 90, validation: 12 });
    expect(manifest.warnings.map((w) => w.code)).not.toContain('validation_size');
  });
});
