// phikit compare --judge against real HTTP servers on 127.0.0.1: both orders asked, a win only when
// both agree (a judge that always picks position A gives ties), unparseable judge answers counted,
// 429s retried, and a rerun that asks the judge nothing (judgments.jsonl in the compare folder).
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeAll, afterAll, describe, expect, it } from 'vitest';
import { compare } from '../../src/compare/compare.js';
import { evaluate } from '../../src/eval/run.js';
import type { Comparison } from '../../src/report/comparison.js';
import { runCliAsync } from '../helpers/cli.js';
import { evalAnswers, fixture } from '../helpers/fixtures.js';
import { startFakeOpenAi, type FakeServer } from '../helpers/openai-server.js';

const ANSWERS = evalAnswers();
const tempDir = () => mkdtempSync(join(tmpdir(), 'phikit-pairwise-'));

let judges: FakeServer[] = [];
afterEach(async () => {
  for (const server of judges) await server.close();
  judges = [];
});
async function judgeServer(options: Parameters<typeof startFakeOpenAi>[0]): Promise<FakeServer> {
  const server = await startFakeOpenAi(options);
  judges.push(server);
  return server;
}

/** The text between two headings of the pairwise prompt. */
function section(prompt: string, heading: string, next: string): string {
  const start = prompt.indexOf(`${heading}\n`) + heading.length + 1;
  return prompt.slice(start, prompt.indexOf(`\n\n${next}`, start));
}

/** Prefers the answer equal to the reference; no verdict line when the reference is Tokyo. */
function fairJudge(prompt: string): string {
  const reference = section(prompt, 'Reference answer(s):', 'Answer A:');
  if (reference === 'Tokyo') return 'Both mention a city.';
  const a = section(prompt, 'Answer A:', 'Answer B:');
  const b = section(prompt, 'Answer B:', 'Explain briefly');
  const winner = a === reference ? 'A' : b === reference ? 'B' : 'tie';
  return `Checked against the reference.\nWinner: ${winner}`;
}

// One eval run with two models: "base" says a sentence around each answer, "cand" gives the answer.
let run: string;
let models: FakeServer[] = [];
beforeAll(async () => {
  const base = await startFakeOpenAi({ answer: (q) => `The answer is ${ANSWERS[q]}.`, completions: false });
  const cand = await startFakeOpenAi({ answer: (q) => ANSWERS[q] ?? '', completions: false });
  models = [base, cand];
  run = tempDir();
  await evaluate(fixture('eval-examples.jsonl'), {
    out: run,
    endpoints: [
      { name: 'base', url: base.url },
      { name: 'cand', url: cand.url },
    ],
  });
});
afterAll(async () => {
  for (const server of models) await server.close();
});

describe('compare --judge', () => {
  it('counts a win only when both orders agree, unparseable apart, retries 429s, reruns from the cache', async () => {
    const judge = await judgeServer({ answer: fairJudge, faults: [{ kind: '429', retryAfter: '0' }] });
    const out = tempDir();
    const options = { out, judge: { endpoint: { name: 'judge', url: judge.url }, retryBaseDelayMs: 1 } };
    const comparison = await compare([run], options);
    const pair = comparison.judge!.pairs[0]!;
    expect(pair).toMatchObject({
      baseline: 'base',
      candidate: 'cand',
      n: 12,
      wins: 11,
      ties: 0,
      losses: 0,
      unparseable: 1,
      errors: 0,
    });
    // Exact two-sided sign test: 11 wins, 0 losses → 2 × 0.5^11.
    expect(pair.signTestPValue).toBeCloseTo(2 * 0.5 ** 11, 15);
    expect(pair.verdicts.find((v) => v.verdict === 'unparseable')!.line).toBe(2);
    expect(comparison.judge).toMatchObject({ asked: 24, fromCache: 0 });
    // 24 questions plus the one answered with a 429.
    expect(judge.requests).toHaveLength(25);
    // Distinct prompts: the 429 was answered by asking the same prompt again.
    const prompts = [
      ...new Set(judge.requests.map((r) => (r.body.messages as Array<{ content: string }>)[0]!.content)),
    ];
    expect(prompts.filter((p) => p.includes('Answer A:\nParis\n'))).toHaveLength(1);
    expect(prompts.filter((p) => p.includes('Answer B:\nParis\n'))).toHaveLength(1);

    const written = JSON.parse(readFileSync(join(out, 'comparison.json'), 'utf8')) as Comparison;
    expect(written.judge!.pairs[0]!.wins).toBe(11);
    const html = readFileSync(join(out, 'compare.html'), 'utf8');
    expect(html).toContain('<section id="judge">');
    expect(html).toMatch(/<td class="num">11 \/ 0 \/ 0<\/td>/);

    const rerun = await compare([run], options);
    expect(judge.requests).toHaveLength(25);
    expect(rerun.judge).toMatchObject({ asked: 0, fromCache: 24 });
    expect(rerun.judge!.pairs).toEqual(comparison.judge!.pairs);
  });

  it('gives ties when the judge always prefers position A (position bias cancels)', async () => {
    const judge = await judgeServer({ answer: () => 'The first one.\nWinner: A' });
    const comparison = await compare([run], {
      out: tempDir(),
      judge: { endpoint: { name: 'biased', url: judge.url } },
    });
    expect(comparison.judge!.pairs[0]).toMatchObject({ wins: 0, ties: 12, losses: 0, signTestPValue: 1 });
  });

  it('runs from the CLI and prints the judge line', async () => {
    const judge = await judgeServer({ answer: fairJudge });
    const out = tempDir();
    const result = await runCliAsync(['compare', run, '--out', out, '--judge', `judge=${judge.url}`]);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(
      'cand vs base (judge, n=12): wins/ties/losses 11/0/0, sign test p=0.0010; 1 unparseable, 0 failed',
    );
  });
});
