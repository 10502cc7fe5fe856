// The built-in Phi-4 / Phi-4-mini / GPT-4o-class tokenizers against independent references: tiktoken's
// WASM build of OpenAI's Rust code for the ids, Microsoft's tokenizer_config.json files for the added
// tokens, and their shipped Jinja chat templates (rendered with @huggingface/jinja) for the prompts.
import { readFileSync } from 'node:fs';
import { Template } from '@huggingface/jinja';
import fc from 'fast-check';
import { get_encoding, type Tiktoken } from 'tiktoken';
import { afterAll, describe, expect, it } from 'vitest';
import type { ChatMessage } from '../../src/core/example.js';
import { isUnicodeWhitespace } from '../../src/tokenize/added-tokens.js';
import type { ChatTokenizer } from '../../src/tokenize/chat.js';
import { countConversation } from '../../src/tokenize/count-job.js';
import { loadTokenizer } from '../../src/tokenize/load.js';
import { PHI4_MODELS, type Phi4TokenizerName } from '../../src/tokenize/phi4.js';
import { phi4MiniToolMessages, pythonJsonDumps, type ChatInput } from '../../src/tokenize/tools.js';
import { hasShared, reference, sharedSkipMessage } from '../helpers/shared.js';
import { datasetConversations, datasetStrings } from './real-data.js';

const FOLDER: Record<Phi4TokenizerName, string> = { 'phi-4': 'phi4', 'phi-4-mini': 'phi4-mini' };

/** tiktoken WASM with the model's added tokens as special tokens. */
function wasmEncoding(name: Phi4TokenizerName): Tiktoken {
  const model = PHI4_MODELS[name];
  const specials = Object.fromEntries(
    model.addedTokens
      .filter(
        (token) =>
          ![
            '<|endoftext|>',
            '<|fim_prefix|>',
            '<|fim_middle|>',
            '<|fim_suffix|>',
            '<|endofprompt|>',
          ].includes(token.content),
      )
      .map((token) => [token.content, token.id]),
  );
  return get_encoding(model.ranks, specials);
}

const wasm = { 'phi-4': wasmEncoding('phi-4'), 'phi-4-mini': wasmEncoding('phi-4-mini') };
afterAll(() => Object.values(wasm).forEach((encoding) => encoding.free()));

const ids = (encoding: Tiktoken, text: string): number[] => [...encoding.encode_ordinary(text)];

const trimRust = (text: string, start: boolean, end: boolean): string => {
  let from = 0;
  let to = text.length;
  while (start && from < to && isUnicodeWhitespace(text.charCodeAt(from))) from++;
  while (end && to > from && isUnicodeWhitespace(text.charCodeAt(to - 1))) to--;
  return text.slice(from, to);
};

/**
 * What Hugging Face does to a content between added tokens: every Phi-4 token strips whitespace on
 * both sides; Phi-4-mini's role tokens strip the whitespace after them only.
 */
const strippedContent = (name: Phi4TokenizerName, content: string): string =>
  name === 'phi-4' ? trimRust(content, true, true) : trimRust(content, true, false);

function shippedTemplate(name: Phi4TokenizerName): { source: string; config: Record<string, unknown> } {
  const config = JSON.parse(readFileSync(reference(FOLDER[name], 'tokenizer_config.json'), 'utf8')) as Record<
    string,
    unknown
  >;
  return { source: config.chat_template as string, config };
}

describe('ids on random Unicode equal tiktoken (WASM)', () => {
  for (const name of ['phi-4', 'phi-4-mini'] as const) {
    it(`${name}: any text without special-token strings`, async () => {
      const tokenizer = await loadTokenizer(name);
      fc.assert(
        fc.property(
          fc.oneof(
            fc.string({ unit: 'binary', maxLength: 200 }),
            fc.string({ unit: 'grapheme', maxLength: 200 }),
          ),
          (text) => {
            fc.pre(!text.includes('<|'));
            expect(tokenizer.encode(text)).toEqual(ids(wasm[name], text));
          },
        ),
        { numRuns: 500, seed: 42 },
      );
    });
  }

  it('phi-4: added tokens in text are single ids and strip the whitespace around them', async () => {
    const tokenizer = await loadTokenizer('phi-4');
    expect(tokenizer.encode('a <|im_start|> b')).toEqual([
      ...ids(wasm['phi-4'], 'a'),
      100264,
      ...ids(wasm['phi-4'], 'b'),
    ]);
  });
});

describe('gpt-4o-mini: o200k ids and the cookbook overhead', () => {
  it('counts 3 per message, role and content, 1 more per name, 3 for the reply', async () => {
    const tokenizer = await loadTokenizer('gpt-4o-mini');
    const o200k = get_encoding('o200k_base');
    const messages: ChatMessage[] = [
      { role: 'system', content: 'You are terse. 你好 🎉' },
      { role: 'user', content: 'What is 2+2?', name: 'alice' },
      { role: 'assistant', content: 'Four.' },
    ];
    const len = (text: string): number => o200k.encode_ordinary(text).length;
    const total =
      messages.reduce(
        (sum, m) => sum + 3 + len(m.role) + len(m.content) + (m.name ? len(m.name) + 1 : 0),
        0,
      ) + 3;
    expect(tokenizer.countChat(messages)).toEqual({ total, assistant: len('Four.') + 1 });
    o200k.free();
  });
});

/** The real conversations without special-token strings in their text (those are rejected anyway). */
let conversations: ChatMessage[][] | undefined;
function plainConversations(tokenizer: ChatTokenizer): ChatMessage[][] {
  conversations ??= datasetConversations();
  return conversations.filter((messages) => tokenizer.findSpecialText(messages) === undefined);
}

describe.skipIf(!hasShared)('against the shipped files and the real datasets', () => {
  if (!hasShared) it.skip(sharedSkipMessage, () => {});

  for (const name of ['phi-4', 'phi-4-mini'] as const) {
    it(`${name}: added tokens and config equal tokenizer_config.json`, () => {
      const { config } = shippedTemplate(name);
      const decoder = config.added_tokens_decoder as Record<string, object>;
      const ours = Object.fromEntries(
        PHI4_MODELS[name].addedTokens.map(({ id, ...token }) => [String(id), token]),
      );
      expect(ours).toEqual(decoder);
      const model = PHI4_MODELS[name].config as Record<string, unknown>;
      for (const field of ['bos_token', 'eos_token', 'pad_token', 'model_max_length'] as const) {
        expect(model[field], field).toEqual(config[field]);
      }
    });

    it(`${name}: every real conversation renders as the shipped template does`, async () => {
      const tokenizer = await loadTokenizer(name);
      const { source, config } = shippedTemplate(name);
      const shipped = new Template(source);
      const conversations = plainConversations(tokenizer);
      for (const messages of conversations) {
        expect(tokenizer.render(messages)).toBe(
          shipped.render({ messages, eos_token: config.eos_token, add_generation_prompt: false }),
        );
      }
      expect(conversations.length).toBeGreaterThan(4000);
    });

    it(`${name}: every real conversation counts as tiktoken counts the shipped render`, async () => {
      const tokenizer = await loadTokenizer(name);
      const { source, config } = shippedTemplate(name);
      const shipped = new Template(source);
      for (const messages of plainConversations(tokenizer)) {
        const stripped = messages.map((m) => ({ ...m, content: strippedContent(name, m.content) }));
        const referenceText = shipped.render({
          messages: stripped,
          eos_token: config.eos_token,
          add_generation_prompt: false,
        });
        const assistant = stripped
          .filter((m) => m.role === 'assistant' && m.weight !== 0 && m.content !== '')
          .reduce((sum, m) => sum + ids(wasm[name], m.content).length + 1, 0);
        expect(tokenizer.countChat(messages)).toEqual({
          total: wasm[name].encode(referenceText, 'all').length,
          assistant,
        });
      }
    });

    it(`${name}: every string of the real datasets has tiktoken's ids`, async () => {
      const tokenizer = await loadTokenizer(name);
      const differences = datasetStrings()
        .filter((text) => tokenizer.findSpecialText([{ role: 'user', content: text }]) === undefined)
        .filter((text) => JSON.stringify(tokenizer.encode(text)) !== JSON.stringify(ids(wasm[name], text)));
      expect(differences).toEqual([]);
    });
  }

  it('phi-4-mini: tools render inside the system message as the shipped template writes them', async () => {
    const { source, config } = shippedTemplate('phi-4-mini');
    const tools = [
      {
        type: 'function',
        function: {
          name: 'get_weather',
          description: 'Météo à Paris',
          parameters: { type: 'object', properties: { city: { type: 'string' } } },
        },
      },
    ];
    const input: ChatInput = {
      messages: [
        { role: 'system', content: 'You help.' },
        { role: 'user', content: 'Weather in Paris?' },
        {
          role: 'assistant',
          content: null,
          tool_calls: [
            { id: 'c1', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } },
          ],
        },
        { role: 'tool', tool_call_id: 'c1', content: '18°C' },
        { role: 'assistant', content: 'It is 18°C.' },
      ],
      tools,
    };
    const expectedText = new Template(source).render({
      eos_token: config.eos_token,
      add_generation_prompt: false,
      messages: [
        { role: 'system', content: 'You help.', tools: pythonJsonDumps(tools.map((tool) => tool.function)) },
        { role: 'user', content: 'Weather in Paris?' },
        {
          role: 'assistant',
          content: '<|tool_call|>[{"name": "get_weather", "arguments": {"city": "Paris"}}]<|/tool_call|>',
        },
        { role: 'tool', content: '18°C' },
        { role: 'assistant', content: 'It is 18°C.' },
      ],
    });
    expect(expectedText).toContain(
      '<|tool|>[{"name": "get_weather", "description": "M\\u00e9t\\u00e9o \\u00e0 Paris"',
    );
    const tokenizer = await loadTokenizer('phi-4-mini');
    expect(tokenizer.render(phi4MiniToolMessages(input))).toBe(expectedText);
    const call = '[{"name": "get_weather", "arguments": {"city": "Paris"}}]';
    expect(countConversation(tokenizer, input, false)).toEqual({
      tokens: {
        total: wasm['phi-4-mini'].encode(expectedText, 'all').length,
        assistant:
          1 +
          ids(wasm['phi-4-mini'], call).length +
          1 +
          1 +
          ids(wasm['phi-4-mini'], 'It is 18°C.').length +
          1,
      },
    });
  });
});
