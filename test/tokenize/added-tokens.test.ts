// The special-token-in-text check finds any added token, whatever character it starts with: the
// shortcut that skips text holding none of the tokens' first characters must never skip a token.
import fc from 'fast-check';
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

/** What `split` did with a regular expression (leftmost match, longest token there), kept as the reference. */
function regexSplit(tokens: AddedTokenSpec[], text: string): Array<[number, number, number]> {
  const byContent = new Map(tokens.map((t) => [t.content, t]));
  const contents = [...byContent.keys()].sort((a, b) => b.length - a.length);
  const pattern = new RegExp(contents.map((c) => c.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|'), 'g');
  const pieces: Array<[number, number, number]> = [];
  let textStart = 0;
  for (let match = pattern.exec(text); match !== null; match = pattern.exec(text)) {
    const found = byContent.get(match[0])!;
    let textEnd = match.index;
    if (found.lstrip) while (textEnd > textStart && /\s/.test(text[textEnd - 1]!)) textEnd--;
    if (textEnd > textStart) pieces.push([textStart, textEnd, -1]);
    pieces.push([match.index, match.index + match[0].length, found.id]);
    textStart = match.index + match[0].length;
    if (found.rstrip) while (textStart < text.length && /\s/.test(text[textStart]!)) textStart++;
    pattern.lastIndex = textStart;
  }
  if (textStart < text.length) pieces.push([textStart, text.length, -1]);
  return pieces;
}

describe('AddedTokenSplitter.split', () => {
  it('property: splits as a longest-first regular expression does, several first characters and near misses included', () => {
    const tokens = [
      { ...token(1, '<a>'), lstrip: true },
      { ...token(2, '<ab>'), rstrip: true },
      token(3, '[INST]'),
      token(4, '[/INST]'),
      token(5, '🙂END'),
      token(6, '<'),
    ];
    const splitter = new AddedTokenSplitter(tokens);
    const fragments = [
      '<a>',
      '<ab>',
      '<a',
      '[INST]',
      '[/INST',
      '[',
      '🙂',
      'END',
      ' ',
      '\n',
      'x',
      '中文',
      'b>',
    ];
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...fragments), { maxLength: 30 }), (parts) => {
        const text = parts.join('');
        const pieces = splitter.split(text).map((p): [number, number, number] => [p.start, p.end, p.id]);
        expect(pieces).toEqual(regexSplit(tokens, text));
      }),
      { numRuns: 2000, seed: 7 },
    );
  });
});
