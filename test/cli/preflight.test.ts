// `phikit preflight` as a user runs it: exit 1 on any fail, 0 on pass or warn.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { fixture } from '../helpers/fixtures.js';

const tempDir = () => mkdtempSync(join(tmpdir(), 'phikit-cli-preflight-'));

describe('phikit preflight', () => {
  it('exits 1 on a file of 5 examples', () => {
    const path = join(tempDir(), 'five.jsonl');
    const line = JSON.stringify({
      messages: [
        { role: 'user', content: 'Ping?' },
        { role: 'assistant', content: 'Pong.' },
      ],
    });
    writeFileSync(path, `${Array.from({ length: 5 }, () => line).join('\n')}\n`);
    const run = runCli(['preflight', path, '--threads', '1']);
    expect(run.code).toBe(1);
    expect(run.stdout).toContain(
      '  fail  train      examples     5 training examples: Azure refuses fewer than 10',
    );
    expect(run.stdout).toContain('  result: fail (1 fail, 0 warn, 5 pass)');
  });

  it("exits 0 with a warning on the sample's train.jsonl (31 examples, under 50), and prices it", () => {
    const out = join(tempDir(), 'sample');
    const prepped = runCli([
      'prep',
      fixture('sample.jsonl'),
      '--out',
      out,
      '--scenario-field',
      'scenario',
      '-q',
    ]);
    expect(prepped.code).toBe(0);
    expect(prepped.stdout).toContain('  upload preflight (Azure): warn');
    const run = runCli([
      'preflight',
      join(out, 'train.jsonl'),
      '--validation-file',
      join(out, 'validation.jsonl'),
      '--epochs',
      '3',
      '--price-per-1k-tokens',
      '2',
      '--threads',
      '1',
    ]);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toContain(
      '  warn  train      examples     31 training examples: enough to start, but 50 or more usually train better',
    );
    expect(run.stdout).toContain(
      '        rule: at least 10 training examples (fail below), 50 or more recommended (warn below) (Azure AI Foundry fine-tuning docs: data preparation)',
    );
    expect(run.stdout).toMatch(
      /cost: 1,478 training tokens x 3 epoch\(s\) = 4,434 billed tokens; at 2 per 1K tokens: 8\.87\n/,
    );
    expect(run.stdout).toContain('  result: warn (0 fail, 1 warn, 9 pass)');
  });

  it('is a usage error (exit 2) with a negative price', () => {
    const run = runCli(['preflight', fixture('sample.jsonl'), '--price-per-1k-tokens', '-1']);
    expect(run.code).toBe(2);
  });
});
