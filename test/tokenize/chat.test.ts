import { Template } from '@huggingface/jinja';
import type { Tokenizer } from '@huggingface/tokenizers';
import { beforeAll, describe, expect, it } from 'vitest';
import type { ChatMessage } from '../../src/core/example.js';
import type { ChatTokenizer } from '../../src/tokenize/chat.js';
import { loadTokenizer } from '../../src/tokenize/load.js';
import { hasShared, sharedSkipMessage } from '../helpers/shared.js';
import { datasetConversations, referenceConfig, referenceTokenizer } from './real-data.js';

let phi3: ChatTokenizer;
beforeAll(async () => {
  phi3 = await loadTokenizer('phi-3');
});

const chat: ChatMessage[] = [
  { role: 'system', content: 'You are terse.' },
  { role: 'user', content: 'Say hi.' },
  { role: 'assistant', content: 'Hi.' },
];

describe('ChatTokenizer (built-in phi-3)', () => {
  it('renders the Phi-3 chat template, EOS last', () => {
    expect(phi3.render(chat)).toBe(
      '<|system|>\nYou are terse.<|end|>\n<|user|>\nSay hi.<|end|>\n<|assistant|>\nHi.<|end|>\n<|endoftext|>',
    );
  });

  it('counts total tokens and assistant tokens (content + <|end|>)', () => {
    // <|system|> You are terse . <|end|> <|user|> Say hi . <|end|> <|assistant|> Hi . <|end|> <|endoftext|>
    expect(phi3.encode(phi3.render(chat))).toEqual([
      32006, 887, 526, 1935, 344, 29889, 32007, 32010, 14891, 7251, 29889, 32007, 32001, 6324, 29889, 32007,
      32000,
    ]);
    expect(phi3.countChat(chat)).toEqual({ total: 17, assistant: 3 });
  });

  it('leaves assistant turns with weight 0 out of the assistant count, not the total', () => {
    const weighted: ChatMessage[] = [
      ...chat,
      { role: 'user', content: 'Again.' },
      { role: 'assistant', content: 'Hi.', weight: 0 },
    ];
    const counts = phi3.countChat(weighted);
    expect(counts.assistant).toBe(3);
    expect(counts.total).toBe(17 + 4 + 4);
  });

  it('finds special-token strings in content, and can count them as plain text', () => {
    const tricky: ChatMessage[] = [
      { role: 'user', content: 'What does <|end|> mean?' },
      { role: 'assistant', content: 'It ends a turn: <|end|>' },
    ];
    expect(phi3.findSpecialText(tricky)).toEqual({ message: 0, token: '<|end|>' });
    expect(phi3.findSpecialText(chat)).toBeUndefined();
    // As a control token <|end|> is 1 token and swallows the space after it: the user turn is
    // What does ▁ <|end|> mean ? (6), the assistant's It ends a turn : ▁ <|end|> (7) + <|end|>.
    expect(phi3.countChat(tricky)).toEqual({ total: 18, assistant: 8 });
    // As plain text it is ▁< | end | > (5 tokens): What does ▁< | end | > ▁mean ? (9), and 10 + <|end|>.
    expect(phi3.countChat(tricky, { specialTextAsPlain: true })).toEqual({ total: 24, assistant: 11 });
    expect(phi3.specialTokenStrings).toContain('<|user|>');
    expect(phi3.specialTokenStrings).toContain('<s>');
  });
});

describe.skipIf(!hasShared)(
  `chat counts vs the reference (${hasShared ? 'reference found' : sharedSkipMessage})`,
  () => {
    const cases = [
      ['phi-3', 'phi3-mini'],
      ['phi-3-legacy', 'phi3'],
    ] as const;

    for (const [variant, folder] of cases) {
      it(`${variant}: every real conversation renders like ${folder}'s Jinja template and counts like @huggingface/tokenizers`, async () => {
        const tokenizer = await loadTokenizer(variant);
        const reference: Tokenizer = referenceTokenizer(folder);
        const config = referenceConfig(folder);
        const template = new Template(String(config.chat_template));
        // Every conversation for the current release; every 4th for the legacy one (keeps the suite quick).
        const conversations = datasetConversations().filter(
          (_, index) => variant === 'phi-3' || index % 4 === 0,
        );
        expect(conversations.length).toBeGreaterThan(variant === 'phi-3' ? 1500 : 375);
        const mismatches: unknown[] = [];
        for (const messages of conversations) {
          const rendered = template.render({
            messages,
            bos_token: config.bos_token,
            eos_token: config.eos_token,
            add_generation_prompt: false,
          });
          const counts = tokenizer.countChat(messages);
          const total = reference.encode(rendered, { add_special_tokens: false }).ids.length;
          // Independent assistant count: content always sits between "<|assistant|>\n" and "<|end|>",
          // so encode that alone and drop the opening tokens: <|assistant|> (which swallows the newline
          // in phi-3), or <|assistant|> "▁" <0x0A> in the legacy release without strip flags.
          const opening = variant === 'phi-3' ? 1 : 3;
          const assistant = messages
            .filter(
              (message) => message.role === 'assistant' && message.weight !== 0 && message.content !== '',
            )
            .reduce((sum, message) => {
              const ids = reference.encode(`<|assistant|>\n${message.content}<|end|>`, {
                add_special_tokens: false,
              }).ids;
              return sum + ids.length - opening;
            }, 0);
          if (
            tokenizer.render(messages) !== rendered ||
            counts.total !== total ||
            counts.assistant !== assistant
          ) {
            mismatches.push({ messages, counts, total, assistant });
          }
        }
        expect(mismatches).toEqual([]);
      });
    }
  },
);
