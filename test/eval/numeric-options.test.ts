// Bad numbers are usage errors (exit 2) with a one-line message, in the CLI and in the library,
// never a crash inside a timer (exit 70).
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { compare } from '../../src/compare/compare.js';
import { PhikitError } from '../../src/core/errors.js';
import { evaluate, type EvaluateOptions } from '../../src/eval/run.js';
import { runCli } from '../helpers/cli.js';
import { fixture } from '../helpers/fixtures.js';

const tempDir = () => mkdtempSync(join(tmpdir(), 'phikit-numbers-'));
// Nothing listens there: a check that passes would fail later, on connecting.
const NOWHERE = 'm=http://127.0.0.1:9/v1';

describe('phikit eval: bad numbers', () => {
  it.each([
    [
      ['--timeout', '-1'],
      `option '--timeout <seconds>' argument '-1' is invalid. expected a number of seconds above 0 and at most 86400, got "-1"`,
    ],
    [
      ['--timeout', '1e12'],
      `argument '1e12' is invalid. expected a number of seconds above 0 and at most 86400`,
    ],
    [['--concurrency', '0'], `expected a whole number of requests in flight from 1 to 1024, got "0"`],
    [['--rpm', '0.5'], `expected a whole number of requests per minute from 1 to 1000000, got "0.5"`],
    [['--retries', '-1'], `expected a whole number of retries from 0 to 100, got "-1"`],
    [['--retries', '1e15'], `expected a whole number of retries from 0 to 100, got "1e15"`],
    [['--limit', '0'], `expected a whole number of examples from 1 to 9007199254740991, got "0"`],
    [['--seed', '1e20'], `expected a whole number from 0 to 4294967295, got "1e20"`],
    [['--temperature', '-1'], `expected a number from 0 to 2, got "-1"`],
    [['--max-answer-bytes', '0'], `expected a whole number of bytes from 1 to 67108864, got "0"`],
  ])('%j is a usage error', (flag, message) => {
    const run = runCli(['eval', fixture('eval-examples.jsonl'), '-e', NOWHERE, '-o', tempDir(), ...flag]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(message);
    expect(run.stderr).not.toContain('internal error');
  });

  it('refuses an --endpoint URL that does not parse', () => {
    const run = runCli(['eval', fixture('eval-examples.jsonl'), '-e', 'x=http://[bad', '-o', tempDir()]);
    expect(run.code).toBe(2);
    expect(run.stderr).toBe(
      'phikit: --endpoint x: "http://[bad" is not a valid URL\n  hint: e.g. --endpoint base=http://127.0.0.1:8000/v1\n',
    );
  });

  it('accepts seed 0 and a fractional timeout', () => {
    const run = runCli([
      'eval',
      fixture('eval-examples.jsonl'),
      '-e',
      NOWHERE,
      '-o',
      tempDir(),
      '--seed',
      '0',
      '--timeout',
      '0.5',
      '--retries',
      '0',
      '--limit',
      '1',
      '-q',
    ]);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(1);
  });
});

describe('phikit compare: bad numbers', () => {
  it('refuses --seed -1', () => {
    const run = runCli(['compare', tempDir(), '-o', tempDir(), '--seed', '-1']);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(`expected a whole number from 0 to 4294967295, got "-1"`);
  });
});

describe('evaluate() and compare(): bad numbers', () => {
  const refusal = (promise: Promise<unknown>) =>
    promise.then(
      () => undefined,
      (error: unknown) => (error instanceof PhikitError ? [error.code, error.message] : error),
    );
  const base = (): EvaluateOptions => ({
    out: tempDir(),
    endpoints: [{ name: 'm', url: 'http://127.0.0.1:9/v1' }],
  });

  it.each([
    [
      { timeoutMs: -1000 },
      'evaluate: options.timeoutMs must be a number of milliseconds above 0 and at most 86400000 (got -1000)',
    ],
    [
      { timeoutMs: 1e15 },
      'evaluate: options.timeoutMs must be a number of milliseconds above 0 and at most 86400000 (got 1000000000000000)',
    ],
    [
      { concurrency: 0 },
      'evaluate: options.concurrency must be a whole number of requests in flight from 1 to 1024 (got 0)',
    ],
    [
      { rpm: Number.NaN },
      'evaluate: options.rpm must be a whole number of requests per minute from 1 to 1000000 (got NaN)',
    ],
    [{ retries: 1.5 }, 'evaluate: options.retries must be a whole number of retries from 0 to 100 (got 1.5)'],
    [
      { limit: 0 },
      'evaluate: options.limit must be a whole number of examples from 1 to 9007199254740991 (got 0)',
    ],
    [{ seed: -1 }, 'evaluate: options.seed must be a whole number from 0 to 4294967295 (got -1)'],
    [
      { maxAnswerBytes: Infinity },
      'evaluate: options.maxAnswerBytes must be a whole number of bytes from 1 to 67108864 (got Infinity)',
    ],
  ] as Array<[Partial<EvaluateOptions>, string]>)(
    'evaluate(%j) is a usage error',
    async (options, message) => {
      expect(await refusal(evaluate(fixture('eval-examples.jsonl'), { ...base(), ...options }))).toEqual([
        'USAGE',
        message,
      ]);
    },
  );

  it('refuses an endpoint URL that does not parse', async () => {
    const options = { ...base(), endpoints: [{ name: 'x', url: 'http://[bad' }] };
    expect(await refusal(evaluate(fixture('eval-examples.jsonl'), options))).toEqual([
      'USAGE',
      'endpoint "x": "http://[bad" is not a valid URL',
    ]);
  });

  it('compare() refuses a seed out of range', async () => {
    expect(await refusal(compare([tempDir()], { out: tempDir(), seed: 2 ** 40 }))).toEqual([
      'USAGE',
      'compare: options.seed must be a whole number from 0 to 4294967295 (got 1099511627776)',
    ]);
  });
});
