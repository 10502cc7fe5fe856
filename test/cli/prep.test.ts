// The CLI end to end: exit codes, one-line errors, and real public datasets.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import type { Manifest } from '../../src/core/manifest.js';
import { runCli } from '../helpers/cli.js';
import { fixture } from '../helpers/fixtures.js';
import { hasShared, reference } from '../helpers/shared.js';

const tempDir = () => mkdtempSync(join(tmpdir(), 'phikit-cli-'));
const lineCount = (path: string) => readFileSync(path, 'utf8').split('\n').filter(Boolean).length;

describe('phikit validate', () => {
  it('exits 0 when every line is valid', () => {
    const run = runCli(['validate', fixture('bom-crlf.jsonl'), '--quiet']);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('3 records (0 blank lines skipped): 3 valid, 0 invalid');
  });

  it('exits 1 and lists problems with line numbers when some lines are invalid', () => {
    const run = runCli(['validate', fixture('wrong-roles.jsonl'), '--max-errors', '2']);
    expect(run.code).toBe(1);
    expect(run.stdout).toContain(
      'line 1: messages[1].role must be one of system, user, assistant, tool, function (got "bot")',
    );
    expect(run.stdout).toContain('line 2: messages[1].role: a system message may only come first');
    expect(run.stdout).not.toContain('line 3:');
  });

  it('prints JSON with --json', () => {
    const run = runCli(['validate', fixture('malformed-json.jsonl'), '--json']);
    expect(run.code).toBe(1);
    expect(JSON.parse(run.stdout)).toMatchObject({
      records: 8,
      valid: 2,
      invalid: 6,
      byReason: { invalid_json: 6 },
    });
  });
});

describe('phikit prep errors', () => {
  it('exits 2 with a usage error on a bad flag value or unknown flag', () => {
    const bad = runCli(['prep', fixture('sample.jsonl'), '--out', tempDir(), '--val-ratio', '1.5']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--val-ratio');
    const unknown = runCli(['prep', fixture('sample.jsonl'), '--out', tempDir(), '--frobnicate']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain("unknown option '--frobnicate'");
    const missingOut = runCli(['prep', fixture('sample.jsonl')]);
    expect(missingOut.code).toBe(2);
  });

  it('exits 2 with one line on bad balance, scenario and rules flags', () => {
    const sample = fixture('sample.jsonl');
    const cap = runCli(['prep', sample, '--out', tempDir(), '--balance', 'cap:0']);
    expect(cap.code).toBe(2);
    expect(cap.stderr).toContain('--balance "cap:0" is not valid');
    const both = runCli([
      'prep',
      sample,
      '--out',
      tempDir(),
      '--scenario-field',
      'scenario',
      '--scenario-by',
      'system',
    ]);
    expect(both.code).toBe(2);
    expect(both.stderr).toMatch(/cannot be used with option '--scenario-field/);
    const dropAlone = runCli(['prep', sample, '--out', tempDir(), '--drop-small-scenarios']);
    expect(dropAlone.code).toBe(2);
    expect(dropAlone.stderr).toContain('--drop-small-scenarios needs --min-per-scenario N');
    const dir = tempDir();
    const rules = join(dir, 'rules.json');
    writeFileSync(rules, JSON.stringify({ rules: [{ pattern: '(unclosed', scenario: 'x' }] }));
    const badRules = runCli(['prep', sample, '--out', dir, '--scenario-rules', rules]);
    expect(badRules.code).toBe(2);
    expect(badRules.stderr).toMatch(
      /^phikit: .*rules\.json: rules\[0\]\.pattern is not a valid regular expression/,
    );
    expect(badRules.stderr).not.toMatch(/\n\s+at /);
    const holdout = runCli(['prep', sample, '--out', tempDir(), '--holdout', 'no-such-holdout.jsonl']);
    expect(holdout.code).toBe(3);
    expect(holdout.stderr).toContain('no-such-holdout.jsonl');
  });

  it('exits 3 with one line and a hint, no stack trace, when the input is missing', () => {
    const run = runCli(['prep', 'no-such-file.jsonl', '--out', tempDir()]);
    expect(run.code).toBe(3);
    expect(run.stderr).toBe(
      'phikit: cannot read no-such-file.jsonl: no such file\n  hint: check the path and try again\n',
    );
  });

  it('exits 4 when the output folder cannot be written', () => {
    // Tests run as root here, so permissions can't block a write: a path under a file can't exist.
    const out = join(fixture('sample.jsonl'), 'out');
    const run = runCli(['prep', fixture('sample.jsonl'), '--out', out]);
    expect(run.code).toBe(4);
    expect(run.stderr).toBe(
      `phikit: cannot write ${out}: a part of the path is a file, not a folder (ENOTDIR)\n  hint: choose another --out folder, or fix its permissions\n`,
    );
  });
});

describe('phikit prep', () => {
  it('counts leakage clusters in words that agree with the number', () => {
    const out = tempDir();
    const input = join(out, 'data.jsonl');
    // Forty words, then the same forty with two far apart changed: ~0.73 similar, a leakage
    // cluster (>= 0.6) but not a near-duplicate (>= 0.8). The rest share no three words in a row.
    const words = Array.from({ length: 40 }, (_, k) => `w${k}`);
    const changed = words.map((word, k) => (k === 10 || k === 30 ? `${word}x` : word));
    const chat = (user: string, answer: string) =>
      JSON.stringify({
        messages: [
          { role: 'user', content: user },
          { role: 'assistant', content: answer },
        ],
      });
    const lines = [
      chat('总结一下', words.join(' ')),
      chat('总结一下', changed.join(' ')),
      ...Array.from({ length: 20 }, (_, k) => chat(`question ${k}`, `answer number ${k * 7919} is ${k} 🙂`)),
    ];
    writeFileSync(input, `${lines.join('\n')}\n`);
    const run = runCli(['prep', input, '--out', join(out, 'out'), '--no-tokens']);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain(
      '  leakage: 1 cluster of similar examples (2 examples, largest 2) each kept on one side of the split',
    );
  });

  it('labels scenarios by rules, balances them and records the figures in the manifest', () => {
    const out = tempDir();
    const rules = join(out, 'rules.json');
    writeFileSync(
      rules,
      JSON.stringify({
        rules: [
          { pattern: 'password|sign.?in|log.?in|account', scenario: 'account' },
          { pattern: 'pay|invoice|refund|charge|bill', scenario: 'billing' },
        ],
        default: 'other',
      }),
    );
    const run = runCli([
      'prep',
      fixture('sample.jsonl'),
      '--out',
      out,
      '--scenario-rules',
      rules,
      '--balance',
      'ratio:1',
      '--json',
    ]);
    expect(run.code).toBe(0);
    const manifest = JSON.parse(run.stdout) as Manifest;
    expect(Object.keys(manifest.scenarios).sort()).toEqual(['account', 'billing', 'other']);
    const after = Object.values(manifest.scenarios).map((figures) => figures.after);
    expect(new Set(after).size).toBe(1);
    expect(manifest.balance).toMatchObject({
      mode: 'ratio:1',
      after: { imbalanceRatio: 1, normalizedEntropy: 1 },
    });
    expect(manifest.counts.rejectedByReason.balanced_out).toBeGreaterThan(0);
  });

  it('writes the outputs and a summary on the bundled sample', () => {
    const out = tempDir();
    const run = runCli([
      'prep',
      fixture('sample.jsonl'),
      '--out',
      out,
      '--scenario-field',
      'scenario',
      '--quiet',
    ]);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('read 44 lines (1 blank): 35 kept');
    expect(run.stdout).toContain('of 1 assistant message, first on line 12: check the cleaning samples');
    expect(run.stdout).toMatch(/invalid_json\s+2/);
    // A .json array is read element by element: the summary counts elements, not lines.
    const array = runCli(['prep', fixture('array-root.json'), '--out', tempDir(), '--no-tokens']);
    expect(array.code).toBe(0);
    expect(array.stdout).toMatch(/read \d+ array elements: \d+ kept/);
    const manifest = JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8')) as Manifest;
    expect(lineCount(join(out, 'train.jsonl'))).toBe(manifest.counts.train);
  });

  it('reads a gzipped input through the built CLI as it reads the plain file', () => {
    // zlib is required only for a .gz input: the built CLI's bundle must still find it.
    const gz = join(tempDir(), 'sample.jsonl.gz');
    writeFileSync(gz, gzipSync(readFileSync(fixture('sample.jsonl'))));
    const [plainOut, gzOut] = [tempDir(), tempDir()];
    const args = ['--scenario-field', 'scenario', '--no-tokens', '--quiet'];
    expect(runCli(['prep', fixture('sample.jsonl'), '--out', plainOut, ...args]).code).toBe(0);
    const run = runCli(['prep', gz, '--out', gzOut, ...args]);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    for (const file of ['train.jsonl', 'validation.jsonl', 'rejected.jsonl'])
      expect(readFileSync(join(gzOut, file), 'utf8')).toBe(readFileSync(join(plainOut, file), 'utf8'));
  });

  it('writes test.jsonl and index.jsonl with --test-ratio, and refuses conflicting test flags', () => {
    const out = tempDir();
    const args = ['prep', fixture('sample.jsonl'), '--out', out, '--scenario-field', 'scenario', '--quiet'];
    const run = runCli([...args, '--test-ratio', '0.2', '--no-tokens']);
    expect(run.code).toBe(0);
    const manifest = JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8')) as Manifest;
    const { counts } = manifest;
    expect(counts.test).toBeGreaterThan(0);
    expect(run.stdout).toContain(
      `35 kept = ${counts.train} train + ${counts.validation} validation + ${counts.test} test; 8 rejected`,
    );
    expect(lineCount(join(out, 'test.jsonl'))).toBe(counts.test);
    expect(lineCount(join(out, 'index.jsonl'))).toBe(35);
    expect(manifest.options).toMatchObject({ testRatio: 0.2, testSize: null });
    const both = runCli([...args, '--test-ratio', '0.2', '--test-size', '3']);
    expect(both.code).toBe(2);
    expect(both.stderr).toMatch(/option '--test-ratio <ratio>' cannot be used with option '--test-size <n>'/);
    const tooMuch = runCli([...args, '--val-ratio', '0.5', '--test-ratio', '0.5']);
    expect(tooMuch.code).toBe(2);
    expect(tooMuch.stderr).toContain('--val-ratio + --test-ratio must be below 1 (got 0.5 + 0.5)');
  });

  it('honours --no-clean-<rule>', () => {
    const out = tempDir();
    const run = runCli(['prep', fixture('html.jsonl'), '--out', out, '--no-clean-html', '--json']);
    expect(run.code).toBe(0);
    const manifest = JSON.parse(run.stdout) as Manifest;
    expect(manifest.cleaning.html).toEqual({ enabled: false, messages: 0, examples: 0 });
    expect(manifest.options.disableClean).toEqual(['html']);
  });
});

describe.skipIf(!hasShared)('phikit validate on real public datasets', () => {
  it('reads glaive tool-call conversations as tool calling', () => {
    const run = runCli([
      'validate',
      reference('datasets', 'llamafactory/glaive_toolcall_en_demo.json'),
      '--json',
    ]);
    const result = JSON.parse(run.stdout) as { problems: Array<{ message: string }> };
    expect(result.problems).toEqual([]);
    expect(run.code).toBe(0);
  });
});
