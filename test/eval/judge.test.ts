// phikit eval --judge against real HTTP servers on 127.0.0.1: a deterministic judge, a judge that
// answers without a score line (counted as unparseable), 429s (retried), the cache in
// judgments.jsonl (a rerun asks the judge nothing), custom rubrics, and the CLI.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { evaluate } from '../../src/eval/run.js';
import type { JudgmentRecord } from '../../src/eval/judge.js';
import { parseScore } from '../../src/eval/judge-rubric.js';
import { spearman } from '../../src/metrics/judge-summary.js';
import { runCliAsync } from '../helpers/cli.js';
import { evalAnswers, fixture } from '../helpers/fixtures.js';
import { startFakeOpenAi, type FakeServer } from '../helpers/openai-server.js';

const ANSWERS = evalAnswers();
const tempDir = () => mkdtempSync(join(tmpdir(), 'phikit-judge-'));
const readJudgments = (dir: string) =>
  readFileSync(join(dir, 'judgments.jsonl'), 'utf8')
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as JudgmentRecord);

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

/** The text between two headings of the built-in rubric. */
function section(prompt: string, heading: string, next: string): string {
  const start = prompt.indexOf(`${heading}\n`) + heading.length + 1;
  return prompt.slice(start, prompt.indexOf(`\n\n${next}`, start));
}

/** 5 for the reference itself, 3 when the answer contains it, no score line for "5", else 1. */
function deterministicJudge(prompt: string): string {
  const reference = section(prompt, 'Reference answer(s):', 'Answer to grade:');
  const answer = section(prompt, 'Answer to grade:', 'Rate how correct');
  if (answer === '5') return 'The answer looks plausible, I suppose.';
  const score = answer === reference ? 5 : answer.includes(reference) ? 3 : 1;
  return `Compared with "${reference}".\nScore: ${score}`;
}

/** Right on geography, "no idea" elsewhere: judge 5 vs 1 and F1 100 vs 0 rank the same. */
const mixedAnswer = (q: string) => (q.includes('capital') ? ANSWERS[q]! : 'no idea');
/** A sentence around each answer (judge 3), and "5" to every math question (no score line). */
const wordyAnswer = (q: string) =>
  q.startsWith('What is') && /\d/.test(q) ? '5' : `The answer is ${ANSWERS[q]}.`;

describe('evaluate --judge', () => {
  it('scores answers 1-5, counts unparseable judge answers, retries 429s and reruns from the cache', async () => {
    const mixed = await serve({ answer: mixedAnswer, completions: false, chatLogprobs: false });
    const wordy = await serve({ answer: wordyAnswer, completions: false, chatLogprobs: false });
    const judge = await serve({ answer: deterministicJudge, faults: [{ kind: '429', retryAfter: '0' }] });
    const out = tempDir();
    const options = {
      out,
      endpoints: [
        { name: 'mixed', url: mixed.url },
        { name: 'wordy', url: wordy.url },
      ],
      retryBaseDelayMs: 1,
      judge: { endpoint: { name: 'judge', url: judge.url } },
    };
    const first = await evaluate(fixture('eval-examples.jsonl'), options);
    const summary = first.metrics.judge!;
    expect(summary).toMatchObject({
      judge: 'judge',
      rubric: 'builtin:correctness',
      asked: 24,
      fromCache: 0,
      unparseable: 4,
      errors: 0,
    });
    const [mixedJudge, wordyJudge] = summary.endpoints;
    // 4 × 5 and 8 × 1 → (4 × 100 + 8 × 0) / 12 on 0-100.
    expect(mixedJudge!.overall.score.value).toBeCloseTo(100 / 3, 10);
    expect(mixedJudge!.scenarios.geography!.score).toMatchObject({ value: 100, low: 100, high: 100, n: 4 });
    expect(mixedJudge!.overall.spearmanF1).toEqual({ rho: 1, n: 12 });
    // Every scored wordy answer gets 3 (50 on 0-100); its math answers have no score line.
    expect(wordyJudge!.overall).toMatchObject({ n: 12, scored: 8, unparseable: 4, errors: 0 });
    expect(wordyJudge!.overall.score.value).toBe(50);
    expect(wordyJudge!.scenarios.math).toMatchObject({ n: 4, scored: 0, unparseable: 4 });
    expect(wordyJudge!.overall.spearmanF1.rho).toBeNull();

    const records = readJudgments(out);
    expect(records).toHaveLength(24);
    expect(records.filter((r) => r.attempts === 2)).toHaveLength(1);
    expect(records.find((r) => r.text === 'The answer looks plausible, I suppose.')).toBeDefined();
    expect(records.every((r) => r.error === null && r.location === judge.url)).toBe(true);
    const metricsJson = JSON.parse(readFileSync(join(out, 'metrics.json'), 'utf8')) as typeof first.metrics;
    expect(metricsJson.judge!.unparseable).toBe(4);
    const report = readFileSync(join(out, 'report.html'), 'utf8');
    expect(report).toContain('<section id="judge">');
    expect(report.match(/data-judge-endpoint="wordy"/g)).toHaveLength(4);

    const judgeCalls = judge.requests.length;
    const rerun = await evaluate(fixture('eval-examples.jsonl'), options);
    expect(judge.requests.length).toBe(judgeCalls);
    expect(rerun.metrics.judge).toEqual({ ...summary, asked: 0, fromCache: 24 });
    expect(readJudgments(out)).toHaveLength(24);
  });

  it('fills a custom rubric and asks again when the rubric changes', async () => {
    const model = await serve({ answer: (q) => ANSWERS[q] ?? '', completions: false, chatLogprobs: false });
    const judge = await serve({ answer: (prompt) => `${prompt.length > 0 ? 'fine' : ''}\n**Score:** 4/5` });
    const out = tempDir();
    const rubric = join(out, 'rubric.txt');
    writeFileSync(
      rubric,
      'Q: {{question}}\nR: {{reference}}\nA: {{ answer }}\nGrade it. End with "Score: N".\n',
    );
    const options = {
      out,
      endpoints: [{ name: 'model', url: model.url }],
      limit: 2,
      judge: { endpoint: { name: 'judge', url: judge.url }, rubric },
    };
    const result = await evaluate(fixture('eval-examples.jsonl'), options);
    const prompts = judge.requests.map((r) => (r.body.messages as Array<{ content: string }>)[0]!.content);
    // The two judge requests run at once: found by content, not by arrival.
    expect(prompts).toContain(
      'Q: What is the capital of France?\nR: Paris\nA: Paris\nGrade it. End with "Score: N".\n',
    );
    expect(result.metrics.judge).toMatchObject({ rubric, asked: 2, unparseable: 0 });
    expect(result.metrics.judge!.endpoints[0]!.overall.score.value).toBe(75);

    writeFileSync(rubric, 'Is this right? {{answer}} (reference {{reference}}) Score: N\n');
    const changed = await evaluate(fixture('eval-examples.jsonl'), options);
    expect(changed.metrics.judge).toMatchObject({ asked: 2, fromCache: 0 });
  });

  it('refuses a rubric without {{answer}} or with an unknown placeholder', async () => {
    const model = await serve({ completions: false, chatLogprobs: false });
    const out = tempDir();
    const rubric = join(out, 'rubric.txt');
    writeFileSync(rubric, 'Grade {{question}} against {{gold}}: {{answer}}\n');
    await expect(
      evaluate(fixture('eval-examples.jsonl'), {
        out,
        endpoints: [{ name: 'model', url: model.url }],
        limit: 1,
        judge: { endpoint: { name: 'judge', url: model.url }, rubric },
      }),
    ).rejects.toThrow('unknown placeholder {{gold}}');
  });

  it('runs from the CLI with the judge key from its own variable, kept out of every file', async () => {
    const model = await serve({ answer: (q) => ANSWERS[q] ?? '', completions: false, chatLogprobs: false });
    const judge = await serve({ answer: deterministicJudge });
    const out = tempDir();
    const run = await runCliAsync(
      [
        'eval',
        fixture('eval-examples.jsonl'),
        '--out',
        out,
        '-e',
        `model=${model.url}`,
        '--judge',
        `judge=${judge.url}`,
        '--judge-api-key-env',
        'JUDGE_KEY',
        '--limit',
        '3',
        '-q',
      ],
      { env: { JUDGE_KEY: 'judge-secret-123' } },
    );
    expect(run.code).toBe(0);
    expect(run.stdout).toContain(
      'judge judge (builtin:correctness, 0-100): 3 asked, 0 from judgments.jsonl; 0 unparseable, 0 failed',
    );
    expect(run.stdout).toContain('model: judge 100.0 [100.0, 100.0]');
    expect(judge.requests.every((r) => r.authorization === 'Bearer judge-secret-123')).toBe(true);
    for (const file of ['judgments.jsonl', 'metrics.json', 'report.html', 'results.jsonl'])
      expect(readFileSync(join(out, file), 'utf8')).not.toContain('judge-secret-123');
  });

  it('refuses judge flags without --judge (exit 2)', async () => {
    const run = await runCliAsync([
      'eval',
      fixture('eval-examples.jsonl'),
      '--out',
      tempDir(),
      '-e',
      'm=http://127.0.0.1:9/v1',
      '--judge-rubric',
      'r.txt',
    ]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('need a judge');
  });
});

describe('parseScore', () => {
  it('reads only a final "Score: N" line with N in 1-5', () => {
    expect(parseScore('Good.\nScore: 4')).toBe(4);
    expect(parseScore('Good.\n**Score:** 5/5\n\n')).toBe(5);
    expect(parseScore('score:1')).toBe(1);
    expect(parseScore('Score: 4\nThat is my verdict.')).toBeNull();
    expect(parseScore('Score: 7')).toBeNull();
    expect(parseScore('Score: 4.5')).toBeNull();
    expect(parseScore('I would give it a 4')).toBeNull();
    expect(parseScore('')).toBeNull();
  });
});

describe('spearman', () => {
  it('is the Pearson correlation of average ranks', () => {
    expect(spearman([1, 2, 3, 4], [10, 20, 30, 40])).toBe(1);
    expect(spearman([1, 2, 3, 4], [40, 30, 20, 10])).toBe(-1);
    // Ranks with ties: x → [1.5, 1.5, 3, 4], y → [1, 2, 3, 4]: r = 4.5 / sqrt(4.5 × 5).
    expect(spearman([1, 1, 2, 3], [1, 2, 3, 4])).toBeCloseTo(4.5 / Math.sqrt(4.5 * 5), 12);
    expect(spearman([3, 3, 3], [1, 2, 3])).toBeNull();
    expect(spearman([1, 2], [1, 2])).toBeNull();
  });
});
