// The special-token-in-text check finds any added token, whatever character it starts with: the
// shortcut that skips text holding none of the tokens' first characters must never skip a token.
import { describe, expect, it } from 'vitest';
import { AddedTokenSplitter } from '../../src/tokenize/added-tokens.js';
import { phi3AddedTokens } from '../../src/tokenize/phi3.js';
import type { AddedTokenSpec } from '../../src/tokenize/tokenizer-json.js';

const token = (id: number, content: string): AddedTokenSpec => ({
  id,
  content,
  single_word: false,
  lstrip: false,
  rstrip: false,
  normalized: false,
  special: true,
});

describe('AddedTokenSplitter.firstIn', () => {
  it('finds Phi-3 tokens and passes over text without them', () => {
    const splitter = new AddedTokenSplitter(phi3AddedTokens('phi-3'));
    expect(splitter.firstIn('plain text, no markup at all')).toBeUndefined();
    expect(splitter.firstIn('a < b and <b>bold</b>')).toBeUndefined();
    expect(splitter.firstIn('say <|end|> now')).toBe('<|end|>');
    expect(splitter.firstIn('ends with </s>')).toBe('</s>');
  });

  it('finds tokens that start with other characters, astral ones included', () => {
    const splitter = new AddedTokenSplitter([
      token(1, '[INST]'),
      token(2, '<s>'),
      token(3, '🙂END'),
      token(4, '¶'),
    ]);
    expect(splitter.firstIn('no tokens here')).toBeUndefined();
    expect(splitter.firstIn('then [INST] again')).toBe('[INST]');
    expect(splitter.firstIn('emoji 🙂END')).toBe('🙂END');
    expect(splitter.firstIn('pilcrow ¶')).toBe('¶');
    expect(splitter.firstIn('🙂 alone, [ alone')).toBeUndefined();
  });
});
