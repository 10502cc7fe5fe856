// Golden signatures: the MinHash of generated chats in many scripts must never change by one byte
// (prep's outputs depend on it). The digests were computed with the code before the typed-array
// shingler; a change of the shingling or hashing rules must update them on purpose.
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { conversationParts, conversationText, nearSignatureOf, shingles } from '../../src/dedupe/minhash.js';
import { multiscriptTexts } from '../helpers/multiscript.js';

const CHATS = 3000;
const chats = (() => {
  const generator = multiscriptTexts(2026);
  return Array.from({ length: CHATS }, (_, i) => generator.chat(i));
})();
const texts = chats.map(conversationText);

/** sha256 of every text's signature in order (a 0 byte for "no signature", 1 + 96 bytes otherwise). */
function signatureDigest(shingle: number, inputs: ReadonlyArray<string | string[]> = texts): string {
  const hash = createHash('sha256');
  for (const text of inputs) {
    const signature = nearSignatureOf(text, shingle);
    hash.update(signature ? Buffer.concat([Buffer.from([1]), signature]) : Buffer.from([0]));
  }
  return hash.digest('hex');
}

const hex = (signature: Uint8Array | undefined) =>
  signature ? Buffer.from(signature).toString('hex') : 'none';

describe('MinHash signatures (golden)', () => {
  it('are byte-identical to the recorded ones for 3,000 chats, shingles of 2, 3 and 5 words', () => {
    expect({ 2: signatureDigest(2), 3: signatureDigest(3), 5: signatureDigest(5) }).toEqual(GOLDEN_DIGESTS);
  });

  it('are the same read from the conversation parts, never joined', () => {
    const parts = chats.map(conversationParts);
    expect({
      2: signatureDigest(2, parts),
      3: signatureDigest(3, parts),
      5: signatureDigest(5, parts),
    }).toEqual(GOLDEN_DIGESTS);
    // Where the parts meet: Greek final sigma, surrogate pairs, empty parts, unspaced scripts.
    const edges = [
      ['ΟΔΟΣ', 'ΣΟΦΙΑ ΚΑΙ ΛΟΓΟΣ', '', "ΑΣ'", "'Σ λέξη"],
      ['日本語の文章', '続きの文章です', '😀😀 emoji', '𝒳 math'],
      ['one two three four', 'five six seven eight nine ten'],
    ];
    for (const part of edges) {
      for (const shingle of [2, 3])
        expect(hex(nearSignatureOf(part, shingle))).toBe(hex(nearSignatureOf(part.join('\n'), shingle)));
    }
  });

  it('give the recorded signatures for a few single texts', () => {
    expect(SAMPLES.map((text) => hex(nearSignatureOf(text, 3)))).toEqual(GOLDEN_SAMPLES);
  });

  it('shingle the generated chats as recorded', () => {
    const hash = createHash('sha256');
    for (const text of texts) hash.update(`${[...shingles(text, 3)].join('\u0000')}\u0001`);
    expect(hash.digest('hex')).toBe(GOLDEN_SHINGLES);
  });
});

const SAMPLES = [
  'The quick brown fox jumps over the lazy dog, then the dog sleeps.',
  '我爱北京天安门。你好，世界！今天天气很好。',
  'ΣΟΦΟΣ İstanbul Straße naïve e\u0301cole: 用 Python 写一个 web server 程序 😀 👍🏽 安녕하세요 สวัสดีครับ',
  'lone \ud800 surrogate \udc00 here and 𠀀𠀁𠀂𪚥 astral han',
];

const GOLDEN_DIGESTS = {
  2: 'db7ef1bc1f2a7d577f5cb3959ff7b98ff31d980fcf8f4c7665536749471ebb80',
  3: '62cc1c8705625ccd65500b2c2ff3291773004e0ec0bb5ac9908882e090c8dcc1',
  5: 'b92cfbd7d68dd1bb4299002a348190a901a04db0d466a8987f54ff7eb842d7ba',
};

const GOLDEN_SAMPLES = [
  '2809be1515cd090964be1509cd2815d176d7766409d161d1d1d70928be6115d128150964be09d1d7d70964150909d7cdd1d1cdbe6409641515d7d71528611515d176be1515280964d16115d7becd09096464d115be617615be7664cd7676d176',
  '666717b51767a6a766ba5f17a8a7ae66a6a866de7d17a766bade17ba675fae17ae7db567a77d5fa67d5f17ae66debaa7a7b5a86767a917a6a7a766035fa95f5fa65fa9a97da6175fde5f0317ae6766a77d5f7d03ba7da9aeb5b5674fa966aea6',
  'f0b3d812d2bed8110a55500db0b0b0f0cbd8f0beb012d8f0bed2f0f6d20312f60a9a501855cbd8cb3dd2a103d8be3d9a0ab312f6b312b00a503d3db3f6f60da1559a509a5012f6a1beb3a10d120af0500da1d23d5503110acb50509a50d21850',
  'e3adad728e8ee3727272ade372adadadadade3ad8ee3ade3ad728ee3ade372e3adadad72e3728ead72728ee3728e72ad8e72ad728e727272e3e38e8ead8e8e8ee3adad7272e3728e72e38e7272ad727272e3adadad728e72ad8ee3e38ee372e3',
];

const GOLDEN_SHINGLES = 'c79acf03695c77d4e4eb8b82db25805361ff3bcd4f71ef367272e0c7f337d09d';
