import { describe, expect, it } from 'vitest';
import {
  completeLength,
  gpt2PieceBytes,
  IncrementalDetokenizer,
  type TokenPieces,
} from '../../src/gguf/detokenize.js';

/** A SentencePiece-like vocabulary: token ids index `pieces`; `<0xNN>` are byte tokens, `<s>` is special. */
function vocabulary(pieces: string[], spacePrefix = true): TokenPieces {
  return {
    bytes: (token) => {
      const piece = pieces[token]!;
      const byte = /^<0x([0-9A-F]{2})>$/.exec(piece);
      if (byte !== null) return Uint8Array.of(Number.parseInt(byte[1]!, 16));
      return Buffer.from(piece.replaceAll('\u2581', ' '), 'utf8');
    },
    isSpecial: (token) => pieces[token] === '<s>',
    spacePrefix,
  };
}

function texts(pieces: string[], tokens: number[], hideFirst = false, spacePrefix = true): string[] {
  const detokenizer = new IncrementalDetokenizer(vocabulary(pieces, spacePrefix));
  const result = tokens.map((token, index) => detokenizer.push(token, hideFirst && index === 0));
  result[result.length - 1] += detokenizer.finish();
  return result;
}

describe('IncrementalDetokenizer', () => {
  it('gives a character split over byte tokens to the token that completes it', () => {
    // "▁a" "🐦"=F0 9F 90 A6 "▁b"
    const pieces = ['\u2581a', '<0xF0>', '<0x9F>', '<0x90>', '<0xA6>', '\u2581b'];
    expect(texts(pieces, [0, 1, 2, 3, 4, 5])).toEqual(['a', '', '', '', '🐦', ' b']);
  });

  it('drops the space the tokenizer put at the start and after special tokens, once', () => {
    const pieces = ['<s>', '\u2581Hi', '\u2581', '<0x0A>', 'x'];
    expect(texts(pieces, [0, 1, 0, 2, 3, 4], true)).toEqual(['', 'Hi', '<s>', '', '\n', 'x']);
    expect(texts(pieces, [1, 1], false, false)).toEqual([' Hi', ' Hi']);
  });

  it('peeks at an alternative in the same place without taking it', () => {
    const pieces = ['<0xE4>', '<0xB8>', '<0x96>', '<0x8D>'];
    const detokenizer = new IncrementalDetokenizer(vocabulary(pieces));
    detokenizer.push(0);
    detokenizer.push(1);
    expect([detokenizer.peek(2), detokenizer.peek(3)]).toEqual(['世', '不']);
    expect(detokenizer.push(2)).toBe('世');
  });

  it('an unfinished character left at the end is one U+FFFD, as a decoder gives', () => {
    const pieces = ['\u2581a', '<0xE4>', '<0xB8>'];
    expect(texts(pieces, [0, 1, 2])).toEqual(['a', '', '\ufffd']);
  });
});

describe('completeLength', () => {
  it('holds back only a valid unfinished sequence at the end', () => {
    const cases: Array<[number[], number]> = [
      [[0x61], 1],
      [[0x61, 0xe4], 1],
      [[0xe4, 0xb8], 0],
      [[0xe4, 0xb8, 0x96], 3],
      [[0xf0, 0x9f, 0x90], 0],
      [[0xe0, 0x80], 2], // E0 80 can never be finished: decoded (as U+FFFD) at once
      [[0xe4, 0x41], 2],
      [[0x80], 1],
    ];
    expect(cases.map(([bytes]) => completeLength(Uint8Array.from(bytes)))).toEqual(
      cases.map(([, length]) => length),
    );
  });
});

describe('gpt2PieceBytes', () => {
  it("maps GPT-2's byte characters back to bytes", () => {
    // "Ġ" is the space, "Ċ" the newline; "ä¸" are the first two bytes of 世.
    expect([...gpt2PieceBytes('Ġhello')]).toEqual([...Buffer.from(' hello')]);
    expect([...gpt2PieceBytes('Ċ')]).toEqual([0x0a]);
    expect([...gpt2PieceBytes('ä¸')]).toEqual([0xe4, 0xb8]);
  });
});
