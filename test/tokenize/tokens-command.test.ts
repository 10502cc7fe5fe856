import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { countTokens, type TokenRow } from '../../src/pipeline/tokens.js';
import { repoRoot } from '../helpers/shared.js';

const lines = [
  JSON.stringify({
    messages: [
      { role: 'system', content: 'You are terse.' },
      { role: 'user', content: 'Say hi.' },
      { role: 'assistant', content: 'Hi.' },
    ],
  }),
  '',
  '{"messages": [',
  JSON.stringify({
    messages: [
      { role: 'user', content: 'What is <|end|>?' },
      { role: 'assistant', content: 'A token.' },
    ],
  }),
];

let folder: string;
let file: string;
beforeAll(async () => {
  folder = await mkdtemp(join(tmpdir(), 'phikit-tokens-'));
  file = join(folder, 'chat.jsonl');
  await writeFile(file, lines.join('\n') + '\n');
});
afterAll(async () => {
  await rm(folder, { recursive: true, force: true });
});

describe('phikit tokens', () => {
  it('reports each line in order (counts, or why it was skipped) and a summary', async () => {
    const rows: TokenRow[] = [];
    const summary = await countTokens(file, { threads: 1, maxTokens: 16 }, (row) => rows.push(row));
    expect(rows).toEqual([
      { line: 1, total: 17, assistant: 3 },
      { line: 3, error: expect.stringContaining('JSON') as unknown },
      // <|user|> What ▁is ▁ <|end|> ? <|end|> <|assistant|> ▁A ▁token . <|end|> <|endoftext|>
      { line: 4, total: 13, assistant: 4, specialToken: '<|end|>' },
    ]);
    expect(summary).toMatchObject({
      file,
      format: 'messages',
      tokenizer: 'phi-3',
      maxTokens: 16,
      examples: 2,
      skipped: 1,
      overMaxTokens: 1,
      withSpecialText: 1,
    });
    expect(summary.total.max).toBe(17);
  });

  it('runs from the command line with --json, one object per line and the summary last', async () => {
    const { stdout } = await promisify(execFile)(
      process.execPath,
      [
        '--import',
        'tsx',
        join(repoRoot, 'src/cli/main.ts'),
        'tokens',
        file,
        '--json',
        '--threads',
        '2',
        '--model',
        'phi-3.5-mini',
      ],
      { cwd: repoRoot },
    );
    const output = stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(output.slice(0, 2)).toEqual([
      { line: 1, total: 17, assistant: 3 },
      { line: 3, error: expect.any(String) as unknown },
    ]);
    expect(output[3]).toMatchObject({ summary: { maxTokens: 131072, examples: 2, overMaxTokens: 0 } });
  });
});
