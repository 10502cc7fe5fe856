// Near-duplicates in scripts written without spaces (Chinese, Japanese, Thai, ...) and in very
// short texts: shingles by characters there, and no MinHash verdict on too few shingles.
import { describe, expect, it } from 'vitest';
import type { Envelope } from '../../src/core/envelope.js';
import {
  conversationText,
  estimateJaccard,
  exactJaccard,
  shingles,
  signatureOf,
} from '../../src/dedupe/minhash.js';
import { createDedupeNearStage, envelopeSignature } from '../../src/stages/dedupe-near.js';
import { chineseTexts } from '../helpers/chinese.js';

const envelope = (line: number, user: string, assistant: string): Envelope => ({
  line,
  raw: '',
  scenario: 'unlabeled',
  example: {
    messages: [
      { role: 'user', content: user },
      { role: 'assistant', content: assistant },
    ],
  },
});

function runStage(envelopes: Envelope[]) {
  const stage = createDedupeNearStage({ threshold: 0.8 });
  for (let i = 0; i < envelopes.length; i += 512) void stage.run(envelopes.slice(i, i + 512));
  return envelopes.filter((e) => e.rejection?.reason === 'near_duplicate');
}

describe('shingles by script', () => {
  it('cuts Han, Kana, Hangul and Thai runs into character 3-grams, other text into word 3-grams', () => {
    expect([...shingles('我爱北京天安门。', 3)]).toEqual(['我爱北', '爱北京', '北京天', '京天安', '天安门']);
    // Punctuation inside a run does not split it: a clause is not a word.
    expect([...shingles('你好，世界！', 3)]).toEqual(['你好世', '好世界']);
    expect([...shingles('ひらがなカタカナ', 3)]).toContain('なカタ');
    expect([...shingles('안녕하세요', 3)]).toEqual(['안녕하', '녕하세', '하세요']);
    expect([...shingles('สวัสดีครับ', 3)]).toContain('สวั');
    // Mixed text: each run by its own rule; a run shorter than its shingle is one shingle.
    expect([...shingles('用 Python 写一个 web server 程序', 3)]).toEqual([
      '用',
      'python',
      '写一个',
      'web server',
      '程序',
    ]);
    expect([...shingles('The quick brown fox jumps', 3)]).toEqual([
      'the quick brown',
      'quick brown fox',
      'brown fox jumps',
    ]);
  });

  it('estimates the Jaccard of Chinese texts close to the exact value of the same shingles', () => {
    const chinese = chineseTexts(3);
    const errors: number[] = [];
    for (let i = 0; i < 200; i++) {
      const a = chinese.text(40, 200);
      let b = a;
      for (let k = 0; k < i % 8; k++) b = chinese.edit(b, k % 3);
      const exact = exactJaccard(shingles(a, 3), shingles(b, 3));
      errors.push(Math.abs(estimateJaccard(signatureOf(a, 3), signatureOf(b, 3)) - exact));
    }
    expect(errors.reduce((sum, e) => sum + e, 0) / errors.length).toBeLessThan(0.05);
  });
});

describe('dedupe-near on Chinese text', () => {
  it('flags no distinct Chinese examples, short or long', () => {
    const chinese = chineseTexts(7);
    const seen = new Set<string>();
    const envelopes: Envelope[] = [];
    while (envelopes.length < 2000) {
      const user = chinese.text(4, 20);
      const assistant = chinese.text(2, envelopes.length % 2 === 0 ? 12 : 120);
      if (seen.has(user + assistant)) continue;
      seen.add(user + assistant);
      envelopes.push(envelope(envelopes.length + 1, user, assistant));
    }
    const flagged = runStage(envelopes).map((e) => ({
      line: e.line,
      message: e.rejection!.message,
    }));
    expect(flagged).toEqual([]);
  });

  it('flags >= 90% of one-character edits of 40-100-character Chinese answers at 0.8', () => {
    const chinese = chineseTexts(2026);
    const bases = Array.from({ length: 300 }, () => ({
      user: chinese.text(8, 20),
      assistant: chinese.text(40, 100),
    }));
    const edits = bases.map((base, i) => ({
      user: base.user,
      assistant: chinese.edit(base.assistant, i % 3),
    }));
    const envelopes = [...bases, ...edits].map((c, i) => envelope(i + 1, c.user, c.assistant));
    const flagged = runStage(envelopes);
    expect(flagged.every((e) => e.line > 300)).toBe(true);
    const pointingAtTheirBase = flagged.filter((e) => e.rejection!.detail!.similarTo === e.line - 300);
    expect(pointingAtTheirBase.length).toBe(flagged.length);
    expect(flagged.length / edits.length).toBeGreaterThanOrEqual(0.9);
  });
});

describe('dedupe-near on very short texts', () => {
  it('keeps distinct chats of one to three words', () => {
    const envelopes = [
      envelope(1, 'Hi?', 'Hello.'),
      envelope(2, 'Red?', 'Blue.'),
      envelope(3, 'Yes', 'No'),
      envelope(4, '你好', '再见'),
    ];
    expect(runStage(envelopes)).toEqual([]);
  });
});

describe('envelopeSignature', () => {
  it('computes the signature for the shingle size asked, not the one cached first', () => {
    const chat = envelope(
      1,
      'How do I reset my password?',
      'Open settings, then security, then reset the password.',
    );
    const text = conversationText(chat.example!);
    expect(envelopeSignature(chat, 3)).toEqual(signatureOf(text, 3));
    expect(envelopeSignature(chat, 5)).toEqual(signatureOf(text, 5));
    expect(envelopeSignature(chat, 3)).toEqual(signatureOf(text, 3));
  });
});
