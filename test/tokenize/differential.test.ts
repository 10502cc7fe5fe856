// `phikit tokens --diff-against DIR`: phikit's tokenizer against a tokenizer.json run by
// @huggingface/tokenizers. Microsoft's Phi-3 files agree with the built-in Phi-3 tokenizer (0
// differences); a copy with two ids swapped and a changed template is reported with lines and ids.
import { cp, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { countTokens, type TokenRow } from '../../src/pipeline/tokens.js';
import type { ChatMessage } from '../../src/core/example.js';
import { createTokenizerDifferential } from '../../src/tokenize/differential.js';
import { loadTokenizer } from '../../src/tokenize/load.js';
import { PHI4_MODELS } from '../../src/tokenize/phi4.js';
import { runCli } from '../helpers/cli.js';
import { hasShared, reference, sharedSkipMessage } from '../helpers/shared.js';
import { datasetConversations } from './real-data.js';
import { subsetTokenizerJson } from './tiktoken-json.js';

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
  chat('Hello world, twice: Hello world', 'Done.'),
  chat('  leading spaces\tand\ttabs\n\nand blank lines  ', '<b>HTML</b> is content &amp; stays'),
  chat('x'.repeat(3000), 'ok'),
  chat('What is <|end|>?', 'A token.'),
];

let scratch: string;
let file: string;
let altered: string;
beforeAll(async () => {
  scratch = await mkdtemp(join(tmpdir(), 'phikit-tokdiff-'));
  file = join(scratch, 'chat.jsonl');
  await writeFile(file, lines.join('\n') + '\n');
  if (hasShared) altered = await alteredPhi3Copy(join(scratch, 'altered'));
});
afterAll(async () => {
  await rm(scratch, { recursive: true, force: true });
});

/** Microsoft's Phi-3-mini files with "▁Hello" and "▁world" swapped and a blank line after each turn. */
async function alteredPhi3Copy(folder: string): Promise<string> {
  await cp(reference('phi3-mini'), folder, { recursive: true });
  const jsonPath = join(folder, 'tokenizer.json');
  const json = JSON.parse(await readFile(jsonPath, 'utf8')) as { model: { vocab: Record<string, number> } };
  json.model.vocab['▁Hello'] = 3186;
  json.model.vocab['▁world'] = 15043;
  await writeFile(jsonPath, JSON.stringify(json));
  const configPath = join(folder, 'tokenizer_config.json');
  const config = JSON.parse(await readFile(configPath, 'utf8')) as { chat_template: string };
  config.chat_template = config.chat_template.replaceAll("'<|end|>\n'", "'<|end|>\n\n'");
  await writeFile(configPath, JSON.stringify(config));
  return folder;
}

describe.skipIf(!hasShared)(
  `tokenizer differential (${hasShared ? 'reference found' : sharedSkipMessage})`,
  () => {
    it("finds no difference between the built-in phi-3 and Microsoft's Phi-3-mini tokenizer.json", async () => {
      const rows: TokenRow[] = [];
      const summary = await countTokens(file, { threads: 1, diffAgainst: reference('phi3-mini') }, (row) =>
        rows.push(row),
      );
      expect(rows.filter((row) => 'tokenizerDifferences' in row)).toEqual([]);
      expect(summary.differential).toEqual({
        against: reference('phi3-mini'),
        tokenizer: 'phi-3',
        examples: 6,
        texts: 6 * 4,
        differingExamples: 0,
        differingTexts: 0,
        differingTemplates: 0,
        first: [],
      });
    });

    it('agrees on every 20th real conversation of the reference datasets', async () => {
      const differential = createTokenizerDifferential(
        await loadTokenizer('phi-3'),
        await loadTokenizer(reference('phi3-mini'), { engine: 'reference' }),
        reference('phi3-mini'),
      );
      const conversations = datasetConversations().filter((_, index) => index % 20 === 0);
      conversations.forEach((messages, index) => differential.compare(index + 1, messages));
      expect(differential.summary()).toMatchObject({
        examples: conversations.length,
        differingExamples: 0,
        first: [],
      });
      expect(conversations.length).toBeGreaterThan(100);
    });

    it('reports an altered copy: the examples that differ, their lines, where, and the ids', async () => {
      const rows: TokenRow[] = [];
      const summary = await countTokens(file, { threads: 1, diffAgainst: altered }, (row) => rows.push(row));
      // Every example renders differently (a blank line after each turn); line 3 also encodes "Hello world" differently.
      expect(rows.map((row) => ('tokenizerDifferences' in row ? row.tokenizerDifferences : 0))).toEqual([
        1, 1, 3, 1, 1, 1,
      ]);
      expect(summary.differential).toMatchObject({
        against: altered,
        tokenizer: 'phi-3',
        examples: 6,
        differingExamples: 6,
        differingTexts: 2,
        differingTemplates: 6,
      });
      const first = summary.differential!.first;
      expect(first).toHaveLength(5);
      expect(first[0]).toEqual({
        kind: 'template',
        line: 1,
        where: 'template',
        at: 'You are terse.<|end|>\n'.length + '<|system|>\n'.length,
        tokenizer: '<|user|>\nSay hi.<|end|>\n<|assist',
        reference: '\n<|user|>\nSay hi.<|end|>\n\n<|assi',
      });
      // Line 3's user text (▁Hello ▁world , ▁twice : ▁Hello ▁world), alone and rendered; the built-in keeps Microsoft's ids.
      expect(first.filter((difference) => difference.line === 3)).toEqual([
        {
          kind: 'ids',
          line: 3,
          where: 'messages[1].content',
          at: 0,
          tokenizer: [15043, 3186, 29892, 8951, 29901, 15043, 3186],
          reference: [3186, 15043, 29892, 8951, 29901, 3186, 15043],
          lengths: [7, 7],
        },
        expect.objectContaining({ kind: 'template', line: 3 }) as unknown,
        {
          kind: 'ids',
          line: 3,
          where: 'rendered',
          // <|system|> ▁You ▁are ▁ter se . <|end|> <|user|>, then the user text and <|end|>
          at: 8,
          tokenizer: [15043, 3186, 29892, 8951, 29901, 15043, 3186, 32007],
          reference: [3186, 15043, 29892, 8951, 29901, 3186, 15043, 32007],
          lengths: [21, 21],
        },
      ]);
    });

    it('phikit tokens --diff-against prints the differential and exits 1 when examples differ', () => {
      const same = runCli(['tokens', file, '--threads', '1', '--diff-against', reference('phi3-mini')]);
      expect(same.stderr).toBe('');
      expect(same.code).toBe(0);
      expect(same.stdout).toContain(
        `differential: phi-3 against ${reference('phi3-mini')} (@huggingface/tokenizers): 0 of 6 examples differ (0 of 24 texts, 0 renders)\n`,
      );

      const different = runCli(['tokens', file, '--threads', '1', '--json', '--diff-against', altered]);
      expect(different.code).toBe(1);
      const output = different.stdout
        .trim()
        .split('\n')
        .map((line) => JSON.parse(line) as Record<string, unknown>);
      expect(output[2]).toMatchObject({ line: 3, tokenizerDifferences: 3 });
      expect(output.at(-1)).toMatchObject({ summary: { differential: { differingExamples: 6 } } });

      const text = runCli(['tokens', file, '--threads', '1', '--diff-against', altered]);
      expect(text.stdout).toContain(
        '  line 3 messages[1].content, token 0 (of 7 vs 7): [15043, 3186, 29892, 8951, 29901, 15043, 3186] vs [3186, 15043, 29892, 8951, 29901, 3186, 15043]\n',
      );
    });
  },
);

describe('phikit tokens --diff-against a built-in name', () => {
  it('is a usage error naming the flag (a tokenizer.json folder is needed)', () => {
    const run = runCli(['tokens', file, '--model', 'phi-4', '--diff-against', 'phi-4']);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('--diff-against "phi-4" is a built-in tokenizer, not a tokenizer.json');
    expect(run.stdout).toBe('');
  });
});

const PHI4_CASES = [
  ['phi-4', 'cl100k_base', 'phi4'],
  ['phi-4-mini', 'o200k_base', 'phi4-mini'],
] as const;

describe.skipIf(!hasShared).each(PHI4_CASES)(
  `%s against a tokenizer.json built from %s (${hasShared ? 'reference found' : sharedSkipMessage})`,
  (model, ranks, configFolder) => {
    it("finds no difference on the test texts and a sample of real conversations, with Microsoft's template", async () => {
      const conversations = datasetConversations().filter((_, index) => index % 40 === 0);
      const sample = join(scratch, `${model}.jsonl`);
      const sampleLines = [...lines, ...conversations.map((messages) => JSON.stringify({ messages }))];
      await writeFile(sample, sampleLines.join('\n') + '\n');
      const builtin = await loadTokenizer(model);
      const texts = sampleLines
        .map((line) => (JSON.parse(line) as { messages: ChatMessage[] }).messages)
        .flatMap((messages) => [...messages.map((message) => message.content), builtin.render(messages)]);
      const folder = join(scratch, `${model}-${ranks}`);
      await mkdir(folder);
      await writeFile(
        join(folder, 'tokenizer.json'),
        JSON.stringify(subsetTokenizerJson(ranks, texts, PHI4_MODELS[model].addedTokens)),
      );
      await cp(reference(configFolder, 'tokenizer_config.json'), join(folder, 'tokenizer_config.json'));

      const summary = await countTokens(sample, { threads: 1, model, diffAgainst: folder }, () => {});
      expect(summary.differential).toEqual({
        against: folder,
        tokenizer: model,
        examples: expect.any(Number) as unknown,
        texts: expect.any(Number) as unknown,
        differingExamples: 0,
        differingTexts: 0,
        differingTemplates: 0,
        first: [],
      });
      expect(summary.differential!.examples).toBeGreaterThan(100);
      expect(summary.differential!.texts).toBeGreaterThan(400);
    });
  },
);
