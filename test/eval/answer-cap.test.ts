// Stored answers have a size limit: multi-MB answers are cut on a character boundary at
// --max-answer-bytes, the cut is recorded in the result and counted in metrics.json.
import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EvalResult } from '../../src/core/eval-types.js';
import { runCliAsync } from '../helpers/cli.js';
import { evalAnswers, fixture } from '../helpers/fixtures.js';
import { startFakeOpenAi, type FakeServer } from '../helpers/openai-server.js';

const [FIRST, SECOND, THIRD] = Object.keys(evalAnswers());
const CAP = 1001;
/** 4 MB of 2-byte characters, 4 MB of 4-byte emoji (surrogate pairs), and a short answer. */
const ANSWERS: Record<string, string> = {
  [FIRST!]: 'é'.repeat(2_000_000),
  [SECOND!]: '😀'.repeat(1_000_000),
  [THIRD!]: '北京',
};

describe('phikit eval --max-answer-bytes', () => {
  let server: FakeServer;
  beforeAll(async () => {
    server = await startFakeOpenAi({
      answer: (q) => ANSWERS[q] ?? '',
      completions: false,
      chatLogprobs: false,
    });
  });
  afterAll(async () => {
    await server.close();
  });

  it('cuts long answers on a character boundary, records and counts the cut', async () => {
    const out = mkdtempSync(join(tmpdir(), 'phikit-cap-'));
    const run = await runCliAsync([
      'eval',
      fixture('eval-examples.jsonl'),
      '-e',
      `m=${server.url}`,
      '-o',
      out,
      '--limit',
      '3',
      '--max-answer-bytes',
      `${CAP}`,
      '-q',
    ]);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toContain(
      `2 answers longer than ${CAP} bytes were cut (answerTruncated in results.jsonl; raise --max-answer-bytes to keep more)`,
    );
    const results = readFileSync(join(out, 'results.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as EvalResult)
      .sort((a, b) => a.line - b.line);
    expect(results.map((r) => [r.prediction, r.answerTruncated])).toEqual([
      ['é'.repeat(500), { bytes: 4_000_000 }],
      ['😀'.repeat(250), { bytes: 4_000_000 }],
      ['北京', undefined],
    ]);
    expect(statSync(join(out, 'results.jsonl')).size).toBeLessThan(10_000);
    const metrics = JSON.parse(readFileSync(join(out, 'metrics.json'), 'utf8')) as {
      answers: { maxAnswerBytes: number; truncated: number };
    };
    expect(metrics.answers).toEqual({ maxAnswerBytes: CAP, truncated: 2 });
    const csv = readFileSync(join(out, 'results.csv'), 'utf8').split('\r\n');
    expect(csv[0]!.endsWith(',answer_truncated_bytes')).toBe(true);
    expect(csv.slice(1, 4).map((row) => row.slice(row.lastIndexOf(',') + 1))).toEqual([
      '4000000',
      '4000000',
      '',
    ]);
  });
});
