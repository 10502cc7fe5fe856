// phikit eval against real HTTP servers on 127.0.0.1: scores, perplexity kinds, retries,
// errors that don't stop the run, and the API key staying out of every file.
import { mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { evaluate } from '../../src/eval/run.js';
import type { EvalResult } from '../../src/core/eval-types.js';
import { runCliAsync } from '../helpers/cli.js';
import { evalAnswers, fixture } from '../helpers/fixtures.js';
import { startFakeOpenAi, type FakeServer } from '../helpers/openai-server.js';

const ANSWERS = evalAnswers();

const tempDir = () => mkdtempSync(join(tmpdir(), 'phikit-eval-'));
const readResults = (dir: string) =>
  readFileSync(join(dir, 'results.jsonl'), 'utf8')
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as EvalResult);

let servers: FakeServer[] = [];
afterEach(async () => {
  for (const server of servers) await server.close();
  servers = [];
});
async function serve(options: Parameters<typeof startFakeOpenAi>[0]): Promise<FakeServer> {
  const server = await startFakeOpenAi(options);
  servers.push(server);
  return server;
}

describe('evaluate', () => {
  it('scores two endpoints per scenario, with reference perplexity from prompt logprobs', async () => {
    const good = await serve({ answer: (q) => ANSWERS[q] ?? '', tokenLogprob: -0.5 });
    // Gets every math question wrong and answers the rest in a sentence.
    const weak = await serve({
      answer: (q) => (q.startsWith('What is') && /\d/.test(q) ? '5' : `The answer is ${ANSWERS[q]}.`),
    });
    const out = tempDir();
    const result = await evaluate(fixture('eval-examples.jsonl'), {
      out,
      endpoints: [
        { name: 'good', url: good.url },
        { name: 'weak', url: weak.url },
      ],
      scenarioField: 'scenario',
      retryBaseDelayMs: 1,
    });
    const [goodMetrics, weakMetrics] = result.metrics.endpoints;
    expect(goodMetrics!.overall.em.value).toBe(100);
    expect(goodMetrics!.overall.em.n).toBe(12);
    expect(weakMetrics!.scenarios.math!.em.value).toBe(0);
    // "The answer is Paris." vs "Paris": F1 = 2 * (1/3 * 1) / (1/3 + 1) = 50 after dropping "the".
    expect(weakMetrics!.scenarios.geography!.f1.value).toBeCloseTo(50, 10);
    expect(weakMetrics!.scenarios.geography!.em.value).toBe(0);
    // Each scored reference token had logprob -0.5: perplexity e^0.5 exactly.
    expect(result.perplexityKinds).toEqual({ good: 'reference', weak: 'reference' });
    expect(goodMetrics!.overall.perplexity.value).toBeCloseTo(Math.exp(0.5), 12);
    expect(goodMetrics!.overall.perplexity.kind).toBe('reference');
    expect(readResults(out)).toHaveLength(24);
    expect(readdirSync(out).sort()).toEqual([
      'metrics.json',
      'probes.json',
      'report.html',
      'results.csv',
      'results.jsonl',
    ]);
    expect(readFileSync(join(out, 'results.csv'), 'utf8').split('\r\n')).toHaveLength(24 + 2);
  });

  it('labels perplexity own-output or none by what the endpoint gives', async () => {
    const ownOutput = await serve({ completions: false, answer: (q) => ANSWERS[q] ?? '' });
    const none = await serve({ completions: false, chatLogprobs: false, answer: (q) => ANSWERS[q] ?? '' });
    const result = await evaluate(fixture('eval-examples.jsonl'), {
      out: tempDir(),
      endpoints: [
        { name: 'own', url: ownOutput.url },
        { name: 'none', url: none.url },
      ],
    });
    expect(result.perplexityKinds).toEqual({ own: 'own-output', none: 'none' });
    const [own, nothing] = result.metrics.endpoints;
    expect(own!.overall.perplexity.value).toBeCloseTo(Math.exp(0.5), 12);
    expect(nothing!.overall.perplexity).toMatchObject({ kind: 'none', value: null });
  });

  it('retries 429 (honouring retry-after), 500, dropped connections and timeouts, then succeeds', async () => {
    const server = await serve({
      answer: (q) => ANSWERS[q] ?? '',
      completions: false,
      chatLogprobs: false,
      // The first chat request is the probe: it fails too and the probe says "none".
      faults: [
        { kind: '500' },
        { kind: '429', retryAfter: '1' },
        { kind: '500' },
        { kind: 'drop' },
        { kind: 'slow', ms: 3000 },
      ],
    });
    const started = Date.now();
    const result = await evaluate(fixture('eval-examples.jsonl'), {
      out: tempDir(),
      endpoints: [{ name: 'flaky', url: server.url }],
      concurrency: 1,
      limit: 1,
      timeoutMs: 1500, // the fifth, normal answer must arrive within it on a busy machine too
      retryBaseDelayMs: 1,
    });
    expect(Date.now() - started).toBeGreaterThanOrEqual(1000);
    expect(result.counts.errors).toBe(0);
    const [answer] = readResults(result.outDir);
    expect(answer).toMatchObject({ prediction: 'Paris', attempts: 5, error: null });
    expect(server.chatRequests.get('What is the capital of France?')).toBe(5);
  });

  it('records an error after the last retry and goes on with the other examples', async () => {
    const server = await serve({
      answer: (q) => ANSWERS[q] ?? '',
      completions: false,
      chatLogprobs: false,
      faults: [{ kind: '500' }, { kind: '400' }],
    });
    const result = await evaluate(fixture('eval-examples.jsonl'), {
      out: tempDir(),
      endpoints: [{ name: 'strict', url: server.url }],
      concurrency: 1,
      limit: 3,
      retryBaseDelayMs: 1,
    });
    expect(result.counts).toMatchObject({ examples: 3, errors: 1 });
    expect(result.errorsByKind).toEqual({ client_error: 1 });
    const results = readResults(result.outDir);
    expect(results[0]).toMatchObject({
      prediction: null,
      scores: null,
      attempts: 1,
      error: { kind: 'client_error', status: 400 },
    });
    expect(results.slice(1).map((r) => r.prediction)).toEqual(['Tokyo', 'Ottawa']);
  });
});

describe('phikit eval (CLI)', () => {
  it('sends the key from --api-key-env and never writes it to any output', async () => {
    const server = await serve({ answer: (q) => ANSWERS[q] ?? '' });
    const out = tempDir();
    const secret = 'sk-phikit-test-SECRET-1234567890';
    const run = await runCliAsync(
      [
        'eval',
        fixture('eval-examples.jsonl'),
        '--endpoint',
        `m=${server.url}`,
        '--out',
        out,
        '--api-key-env',
        'PHIKIT_TEST_KEY',
        '--scenario-field',
        'scenario',
        '-q',
      ],
      { env: { PHIKIT_TEST_KEY: secret } },
    );
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/m: EM 100\.0 \[100\.0, 100\.0\]/);
    expect(server.requests.every((r) => r.authorization === `Bearer ${secret}`)).toBe(true);
    for (const name of readdirSync(out)) expect(readFileSync(join(out, name), 'utf8')).not.toContain(secret);
    expect(run.stdout + run.stderr).not.toContain(secret);
  });

  it('refuses a missing key variable and a malformed --endpoint with usage errors', async () => {
    const missing = await runCliAsync([
      'eval',
      fixture('eval-examples.jsonl'),
      '-e',
      'm=http://127.0.0.1:9/v1',
      '-o',
      tempDir(),
      '--api-key-env',
      'PHIKIT_UNSET_VAR',
    ]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('environment variable PHIKIT_UNSET_VAR is empty or not set');
    const malformed = await runCliAsync([
      'eval',
      fixture('eval-examples.jsonl'),
      '-e',
      'http://x',
      '-o',
      tempDir(),
    ]);
    expect(malformed.code).toBe(2);
  });

  it('resumes after kill -9 without asking again anything that was answered', async () => {
    const server = await serve({ answer: (q) => ANSWERS[q] ?? '', delayMs: 150, completions: false });
    const out = tempDir();
    const args = [
      'eval',
      fixture('eval-examples.jsonl'),
      '-e',
      `m=${server.url}`,
      '-o',
      out,
      '--concurrency',
      '2',
      '-q',
    ];
    const first = runCliAsync(args);
    // Kill once some answers are on disk.
    await waitFor(() => {
      try {
        return readFileSync(join(out, 'results.jsonl'), 'utf8').split('\n').length > 4;
      } catch {
        return false;
      }
    });
    first.child.kill('SIGKILL');
    await first;
    const answeredBefore = readResults(out).map((r) => r.prediction!);
    const countsBefore = new Map(server.chatRequests);
    expect(answeredBefore.length).toBeGreaterThanOrEqual(4);
    expect(answeredBefore.length).toBeLessThan(12);

    const second = await runCliAsync(args);
    expect(second.code).toBe(0);
    const all = readResults(out);
    expect(new Set(all.map((r) => r.id)).size).toBe(12);
    expect(all).toHaveLength(12);
    // Nothing answered before the kill was asked again; at most the 2 in flight were.
    for (const [question, answer] of Object.entries(ANSWERS)) {
      if (answeredBefore.includes(answer))
        expect(server.chatRequests.get(question)).toBe(countsBefore.get(question));
    }
    const total = [...server.chatRequests.values()].reduce((a, b) => a + b, 0);
    expect(total).toBeLessThanOrEqual(12 + 1 + 2); // examples + the probe + the in-flight pair

    // A third run asks nothing at all.
    const before = server.requests.length;
    const third = await runCliAsync(args);
    expect(third.code).toBe(0);
    expect(server.requests.length).toBe(before);
  });
});

/** Polls until the condition holds (up to 30 s: a loaded CI machine starts a CLI slowly), then returns. */
async function waitFor(condition: () => boolean): Promise<void> {
  for (let i = 0; i < 1200 && !condition(); i++) await new Promise((resolve) => setTimeout(resolve, 25));
}
