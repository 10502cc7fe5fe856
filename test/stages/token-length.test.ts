import { describe, expect, it } from 'vitest';
import type { Envelope } from '../../src/core/envelope.js';
import type { ChatMessage } from '../../src/core/example.js';
import { createTokenLengthStage } from '../../src/stages/token-length.js';
import { hasShared, sharedSkipMessage } from '../helpers/shared.js';
import { datasetConversations } from '../tokenize/real-data.js';

const envelope = (line: number, messages: ChatMessage[]): Envelope => ({
  line,
  raw: JSON.stringify({ messages }),
  scenario: 'unlabeled',
  example: { messages },
});

// 17 tokens in all, 3 of them the assistant's (see test/tokenize/chat.test.ts).
const short: ChatMessage[] = [
  { role: 'system', content: 'You are terse.' },
  { role: 'user', content: 'Say hi.' },
  { role: 'assistant', content: 'Hi.' },
];
const long: ChatMessage[] = [
  { role: 'user', content: 'Count.' },
  { role: 'assistant', content: Array.from({ length: 600 }, (_, i) => String(i)).join(' ') },
];
const special: ChatMessage[] = [
  { role: 'user', content: 'Explain <|end|> please.' },
  { role: 'assistant', content: 'It closes a turn.' },
];

describe('token-length stage', () => {
  it('sets token counts, rejects too_long and special_token_in_text with actionable messages', async () => {
    const stage = await createTokenLengthStage({ maxTokens: 1000, allowSpecialText: false, threads: 1 });
    const earlier: Envelope = {
      ...envelope(4, short),
      rejection: { reason: 'duplicate', message: 'same as line 1' },
    };
    const batch = [envelope(1, short), envelope(2, long), envelope(3, special), earlier];
    await stage.run(batch);
    expect(batch[0]!.tokens).toEqual({ total: 17, assistant: 3 });
    expect(batch[0]!.rejection).toBeUndefined();
    const longTokens = batch[1]!.tokens!;
    expect(longTokens.total).toBeGreaterThan(1000);
    expect(batch[1]!.rejection).toEqual({
      reason: 'too_long',
      message: `conversation is ${longTokens.total.toLocaleString('en-US')} tokens, over --max-tokens 1000`,
      detail: { tokens: longTokens.total, assistantTokens: longTokens.assistant, maxTokens: 1000 },
    });
    expect(batch[1]!.rejection!.message).toMatch(/^conversation is \d,\d{3} tokens/);
    expect(batch[2]!.rejection).toEqual({
      reason: 'special_token_in_text',
      message:
        'messages[0] (user) contains "<|end|>", which phi-3 reads as a control token; ' +
        'remove it, or pass --allow-special-text to keep it and count it as plain text',
      detail: { message: 0, token: '<|end|>', tokens: batch[2]!.tokens!.total },
    });
    expect(batch[3]!.tokens).toBeUndefined();
    expect(stage.summary!()).toEqual({
      tokenizer: 'phi-3',
      maxTokens: 1000,
      allowSpecialText: false,
      threads: 1,
      counted: 3,
      totalTokens: 17 + longTokens.total + batch[2]!.tokens!.total,
      assistantTokens: 3 + longTokens.assistant + batch[2]!.tokens!.assistant,
      maxTotal: longTokens.total,
      tooLong: 1,
      specialTokenInText: 1,
      specialTextKept: 0,
      specialTokens: { '<|end|>': 1 },
    });
    await stage.close!();
  });

  it('keeps special-token strings with --allow-special-text and counts them as plain text', async () => {
    const stage = await createTokenLengthStage({ maxTokens: 4096, allowSpecialText: true, threads: 1 });
    const strict = await createTokenLengthStage({ maxTokens: 4096, allowSpecialText: false, threads: 1 });
    const [kept, rejected] = [[envelope(1, special)], [envelope(1, special)]];
    await stage.run(kept);
    await strict.run(rejected);
    expect(kept[0]!.rejection).toBeUndefined();
    // As text "<|end|>" is ▁< | end | > (5 tokens); as a control token it is ▁ <|end|> (2).
    expect(kept[0]!.tokens!.total - rejected[0]!.tokens!.total).toBe(3);
    expect(stage.summary!()).toMatchObject({ specialTextKept: 1, specialTokenInText: 0 });
  });

  it.skipIf(!hasShared)(
    `gives identical envelopes on 2 threads and on 1 (${hasShared ? 'reference found' : sharedSkipMessage})`,
    async () => {
      const conversations = datasetConversations().filter((_, index) => index % 7 === 0);
      const run = async (threads: number): Promise<Envelope[]> => {
        const stage = await createTokenLengthStage({ maxTokens: 200, allowSpecialText: false, threads });
        const batch = conversations.map((messages, index) => envelope(index + 1, messages));
        await stage.run(batch.slice(0, 300));
        await stage.run(batch.slice(300));
        await stage.close!();
        return batch;
      };
      const [one, two] = await Promise.all([run(1), run(2)]);
      expect(two).toEqual(one);
      expect(one.filter((item) => item.rejection?.reason === 'too_long').length).toBeGreaterThan(0);
    },
  );
});
