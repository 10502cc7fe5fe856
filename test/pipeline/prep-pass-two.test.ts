// Prep's second pass reads the survivors back from the spill a 1 MiB chunk at a time and copies
// each to its split. Examples of 1.3 and 2.6 MB cross one and two chunk edges; with a test split
// and balancing, the survivors' references and original lines are read beside them. Every
// written row must be its input example, byte for byte, in the row index.jsonl names.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { prep } from '../../src/index.js';
import { tempDir } from '../helpers/output-folders.js';

interface Item {
  scenario: string;
  messages: Array<{ role: string; content: string }>;
  references: string[];
}

const WORDS = ['数据', 'データ', 'بيانات', 'données', 'data', '🙂', 'Ωμέγα', 'नमस्ते'];

function item(k: number): Item {
  const scenario = k % 4 === 0 ? 'small' : 'large';
  // A few answers far over the spill's 1 MiB chunk; the rest short.
  const size = k === 7 ? 1_300_000 : k === 23 ? 2_600_000 : k === 24 ? 700_000 : 20 + (k % 9) * 15;
  const word = WORDS[k % WORDS.length]!;
  const answer = `${k}: ${`${word} `.repeat(Math.ceil(size / (word.length + 1)))}`.trimEnd();
  return {
    scenario,
    messages: [
      { role: 'user', content: `question ${k} ${word}` },
      { role: 'assistant', content: answer },
    ],
    references: [`ref ${k}`],
  };
}

const ITEMS = Array.from({ length: 60 }, (_, k) => item(k));
const lines = (path: string) => readFileSync(path, 'utf8').split('\n').filter(Boolean);

describe('prep: second pass', () => {
  it('writes every survivor whole, across spill chunks, with test split, balancing and the row index', async () => {
    const dir = tempDir();
    const input = join(dir, 'data.jsonl');
    const inputLines = ITEMS.map((entry) => JSON.stringify(entry));
    writeFileSync(input, `${inputLines.join('\n')}\n`);
    const out = join(dir, 'out');
    const { manifest } = await prep(input, {
      out,
      scenarioField: 'scenario',
      balance: 'ratio:2',
      testRatio: 0.2,
      valRatio: 0.2,
      nearDedup: false,
      tokens: false,
      report: false,
    });
    const written = (file: string) => lines(join(out, file));
    const rejected = written('rejected.jsonl').map(
      (line) => JSON.parse(line) as { line: number; reason: string; raw: string },
    );
    expect(rejected.length).toBeGreaterThan(0);
    for (const row of rejected) {
      expect(row.reason).toBe('balanced_out');
      expect(row.raw).toBe(inputLines[row.line - 1]);
    }
    const files = {
      'train.jsonl': written('train.jsonl'),
      'validation.jsonl': written('validation.jsonl'),
      'test.jsonl': written('test.jsonl'),
    };
    const index = written('index.jsonl').map(
      (line) => JSON.parse(line) as { file: keyof typeof files; row: number; line: number; scenario: string },
    );
    expect(index.length + rejected.length).toBe(ITEMS.length);
    expect(new Set([...index, ...rejected].map((row) => row.line)).size).toBe(ITEMS.length);
    for (const { file, row, line, scenario } of index) {
      const source = ITEMS[line - 1]!;
      const text = files[file][row - 1]!;
      expect(scenario).toBe(source.scenario);
      if (file === 'test.jsonl')
        expect(text).toBe(
          JSON.stringify({ messages: source.messages, scenario, line, references: source.references }),
        );
      else expect(text).toBe(JSON.stringify({ messages: source.messages }));
    }
    // The long examples (lines 8, 24, 25) were written, not balanced out (seed 42 keeps them).
    const placed = new Set(index.map((row) => row.line));
    expect([8, 24, 25].filter((line) => placed.has(line))).toEqual([8, 24, 25]);
    expect(manifest.counts.records).toBe(ITEMS.length);
  });
});
