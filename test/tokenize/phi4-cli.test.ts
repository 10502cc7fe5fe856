// `phikit tokens` and `phikit prep` with the Phi-4, Phi-4-mini and GPT-4o-class presets, offline:
// the counts a user sees, and each model's own special tokens rejected in text.
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';

const chat = (user: string, assistant: string): string =>
  JSON.stringify({
    messages: [
      { role: 'system', content: 'You are terse.' },
      { role: 'user', content: user },
      { role: 'assistant', content: assistant },
    ],
  });

const lines = [
  chat('Say hi.', 'Hi.'),
  chat('你好，今天怎么样？🎉', '很好，谢谢！'),
  chat('What does <|im_start|> do?', 'It opens a turn.'),
  chat('And <|tool_call|>?', 'It opens a tool call.'),
];

let folder: string;
let file: string;
beforeAll(async () => {
  folder = await mkdtemp(join(tmpdir(), 'phikit-phi4-'));
  file = join(folder, 'chat.jsonl');
  await writeFile(file, lines.join('\n') + '\n');
});
afterAll(async () => {
  await rm(folder, { recursive: true, force: true });
});

// Offline: a proxy that cannot connect would fail any download.
const offline = {
  HTTPS_PROXY: 'http://127.0.0.1:9',
  HTTP_PROXY: 'http://127.0.0.1:9',
  HF_ENDPOINT: 'http://127.0.0.1:9',
};

const rows = (stdout: string): unknown[] =>
  stdout
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as unknown);

describe('phikit tokens --model', () => {
  it('phi-4: <|im_start|>system<|im_sep|>...<|im_end|> per turn; <|im_start|> in text is flagged', () => {
    const run = runCli(['tokens', file, '--model', 'phi-4', '--json', '--threads', '1'], { env: offline });
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const [first, , third, fourth, summary] = rows(run.stdout);
    // 3 turns × (<|im_start|> role <|im_sep|> … <|im_end|>) + "You are terse." 4 + "Say hi." 3 + "Hi." 2
    expect(first).toEqual({ line: 1, total: 21, assistant: 3 });
    expect(third).toMatchObject({ line: 3, specialToken: '<|im_start|>' });
    expect(fourth).not.toHaveProperty('specialToken');
    expect(summary).toMatchObject({ summary: { tokenizer: 'phi-4', maxTokens: 16384, withSpecialText: 1 } });
  });

  it('phi-4-mini: <|ROLE|>...<|end|> per turn and <|endoftext|>; <|tool_call|> in text is flagged', () => {
    const run = runCli(['tokens', file, '--model', 'phi-4-mini', '--json', '--threads', '1'], {
      env: offline,
    });
    expect(run.code).toBe(0);
    const [first, , third, fourth, summary] = rows(run.stdout);
    // 7 added tokens (<|system|> <|end|> <|user|> <|end|> <|assistant|> <|end|> <|endoftext|>) + 4 + 3 + 2
    expect(first).toEqual({ line: 1, total: 16, assistant: 3 });
    expect(third).not.toHaveProperty('specialToken');
    expect(fourth).toMatchObject({ line: 4, specialToken: '<|tool_call|>' });
    expect(summary).toMatchObject({
      summary: { tokenizer: 'phi-4-mini', maxTokens: 131072, withSpecialText: 1 },
    });
  });

  it('gpt-4o-mini: the cookbook estimate, named as such', () => {
    const run = runCli(['tokens', file, '--model', 'gpt-4o-mini', '--json', '--threads', '1'], {
      env: offline,
    });
    expect(run.code).toBe(0);
    const [first, , , , summary] = rows(run.stdout);
    // 3 × (3 + role 1) + 4 + 3 + 2 + 3 priming
    expect(first).toEqual({ line: 1, total: 24, assistant: 3 });
    expect(summary).toMatchObject({ summary: { tokenizer: 'openai-o200k-estimate', maxTokens: 65536 } });
  });
});

describe('phikit prep --model phi-4', () => {
  it('rejects the example holding <|im_start|> as special_token_in_text and counts the rest', async () => {
    const out = join(folder, 'out');
    const run = runCli(
      ['prep', file, '--out', out, '--model', 'phi-4', '-q', '--threads', '1', '--no-near-dedup'],
      {
        env: offline,
      },
    );
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const rejected = (await readFile(join(out, 'rejected.jsonl'), 'utf8'))
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { line: number; reason: string; message: string });
    expect(rejected.map(({ line, reason }) => ({ line, reason }))).toEqual([
      { line: 3, reason: 'special_token_in_text' },
    ]);
    expect(rejected[0]!.message).toContain('"<|im_start|>", which phi-4 reads as a control token');
    const manifest = JSON.parse(await readFile(join(out, 'manifest.json'), 'utf8')) as {
      tokens: { tokenizer: string; maxTokens: number };
    };
    expect(manifest.tokens).toMatchObject({ tokenizer: 'phi-4', maxTokens: 16384 });
  });
});
