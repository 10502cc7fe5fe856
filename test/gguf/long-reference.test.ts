// A `gguf:` endpoint whose reference is too long for the model's context: the answer and its
// EM/F1 are kept, only perplexity is not scored for that example (counted, said), exit code 0.
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { evaluate } from '../../src/eval/run.js';
import type { EvalResult } from '../../src/core/eval-types.js';
import { runCli } from '../helpers/cli.js';
import { hasModels, modelsSkipMessage, storiesPath } from './models.js';

// stories260K has a 512-token context and a 512-token vocabulary: this reference is thousands of tokens.
const LONG_REFERENCE = 'Once upon a time, there was a little dog named Max who liked to run. '.repeat(60);

const examples = [
  ['Tell me a story about a dog.', LONG_REFERENCE],
  ['Who is happy?', 'The little bird was happy.'],
].map(([question, answer]) =>
  JSON.stringify({
    messages: [
      { role: 'user', content: question },
      { role: 'assistant', content: answer },
    ],
  }),
);

describe.skipIf(!hasModels)('gguf: a reference longer than the context', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'phikit-gguf-long-'));
    await writeFile(join(dir, 'examples.jsonl'), `${examples.join('\n')}\n`);
  });
  afterAll(async () => {
    if (dir !== undefined) await rm(dir, { recursive: true, force: true });
  });

  it('keeps the answer and its scores, and leaves only perplexity unscored', async () => {
    const out = join(dir, 'library');
    const result = await evaluate(join(dir, 'examples.jsonl'), {
      out,
      endpoints: [{ name: 'local', url: `gguf:${storiesPath}` }],
      maxTokens: 16,
    });
    expect(result.counts.errors).toBe(0);
    const rows = (await readFile(join(out, 'results.jsonl'), 'utf8'))
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as EvalResult);
    const long = rows.find((row) => row.line === 1)!;
    expect(long.error).toBeNull();
    expect(long.prediction).not.toBeNull();
    expect(long.scores).not.toBeNull();
    expect(long.logprobs).toBeNull();
    expect(long.perplexityNotScored?.message).toMatch(/do not fit the 512-token context/);
    const short = rows.find((row) => row.line === 2)!;
    expect(short.logprobs?.tokens).toBeGreaterThan(0);

    const overall = result.metrics.endpoints[0]!.overall;
    expect(overall.answered).toBe(2);
    expect(overall.em.n).toBe(2);
    expect(overall.perplexity.n).toBe(1);
    expect(overall.perplexity.notScored).toBe(1);
    const metrics = JSON.parse(await readFile(join(out, 'metrics.json'), 'utf8')) as typeof result.metrics;
    expect(metrics.endpoints[0]!.overall.perplexity.notScored).toBe(1);
    const report = await readFile(join(out, 'report.html'), 'utf8');
    expect(report).toMatch(/ tokens, [\d.]+ bits\/byte, 1 reference not scored \(see perplexityNotScored\)/);
  });

  it('exits 0 and says how many examples have no perplexity (CLI)', () => {
    const out = join(dir, 'cli');
    const run = runCli([
      'eval',
      join(dir, 'examples.jsonl'),
      '--endpoint',
      `local=gguf:${storiesPath}`,
      '--out',
      out,
      '--max-tokens',
      '16',
      '-q',
    ]);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/local: .* errors 0\/2/);
    expect(run.stdout).toContain(
      'local: perplexity not scored for 1 of 2 examples (the endpoint could not score the reference, e.g. longer than its context: see perplexityNotScored in results.jsonl)',
    );
  });
});

if (!hasModels) describe.skip(modelsSkipMessage, () => {});
