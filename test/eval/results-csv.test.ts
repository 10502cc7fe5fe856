// results.csv cannot start a formula: text cells beginning with = + - @ tab or CR get a leading
// quote (OWASP CSV injection guidance), stay correctly quoted, and numbers stay numbers.
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { evaluate } from '../../src/eval/run.js';
import { evalAnswers, fixture } from '../helpers/fixtures.js';
import { startFakeOpenAi, type FakeServer } from '../helpers/openai-server.js';

const QUESTIONS = Object.keys(evalAnswers());
const HOSTILE = [
  '=HYPERLINK("http://x")',
  '@SUM(A1)',
  '+1+2',
  '-2+3',
  '\tcmd',
  '\r=1',
  'Paris, "the" capital',
];

/** RFC 4180 rows: quoted cells may hold commas, quotes ("") and line ends. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted && c === '"' && text[i + 1] === '"') {
      cell += '"';
      i++;
    } else if (c === '"') {
      quoted = !quoted;
    } else if (!quoted && c === ',') {
      row.push(cell);
      cell = '';
    } else if (!quoted && c === '\r' && text[i + 1] === '\n') {
      row.push(cell);
      rows.push(row);
      row = [];
      cell = '';
      i++;
    } else {
      cell += c;
    }
  }
  return rows;
}

describe('results.csv', () => {
  let server: FakeServer;
  beforeAll(async () => {
    const byQuestion = new Map(QUESTIONS.map((q, i) => [q, HOSTILE[i] ?? 'ok']));
    server = await startFakeOpenAi({ answer: (q) => byQuestion.get(q) ?? 'ok', completions: false });
  });
  afterAll(async () => {
    await server.close();
  });

  it('prefixes formula starts in text cells with a quote and keeps negative numbers numeric', async () => {
    const out = mkdtempSync(join(tmpdir(), 'phikit-csv-'));
    await evaluate(fixture('eval-examples.jsonl'), {
      out,
      endpoints: [{ name: '=evil', url: server.url }],
      limit: HOSTILE.length,
    });
    const [header, ...rows] = parseCsv(readFileSync(join(out, 'results.csv'), 'utf8'));
    const column = (name: string) => rows.map((row) => row[header!.indexOf(name)]);
    expect(column('prediction')).toEqual([
      `'=HYPERLINK("http://x")`,
      `'@SUM(A1)`,
      `'+1+2`,
      `'-2+3`,
      `'\tcmd`,
      `'\r=1`,
      'Paris, "the" capital',
    ]);
    expect(new Set(column('endpoint'))).toEqual(new Set([`'=evil`]));
    // Own-output log-probabilities are negative numbers and are written as such.
    const sums = column('sum_logprob');
    expect(sums.every((sum) => /^-\d+(\.\d+)?$/.test(sum!))).toBe(true);
    expect(column('logprob_kind')).toEqual(Array(HOSTILE.length).fill('own-output'));
  });
});
