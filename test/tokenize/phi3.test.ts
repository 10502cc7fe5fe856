import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { phi3AddedTokens, phi3TokenizerConfig, phi3TokenizerJson } from '../../src/tokenize/phi3.js';
import { hasShared, reference, sharedSkipMessage } from '../helpers/shared.js';

const readJson = (...parts: string[]): Record<string, unknown> =>
  JSON.parse(readFileSync(reference(...parts), 'utf8')) as Record<string, unknown>;

describe('Phi-3 added tokens', () => {
  it('has the ids and flags written in the project', () => {
    expect(phi3AddedTokens('phi-3').map((token) => [token.id, token.content, token.rstrip])).toEqual([
      [0, '<unk>', false],
      [1, '<s>', false],
      [2, '</s>', true],
      [32000, '<|endoftext|>', false],
      [32001, '<|assistant|>', true],
      [32002, '<|placeholder1|>', true],
      [32003, '<|placeholder2|>', true],
      [32004, '<|placeholder3|>', true],
      [32005, '<|placeholder4|>', true],
      [32006, '<|system|>', true],
      [32007, '<|end|>', true],
      [32008, '<|placeholder5|>', true],
      [32009, '<|placeholder6|>', true],
      [32010, '<|user|>', true],
    ]);
  });
});

describe.skipIf(!hasShared)(
  `built-in tokenizer vs Microsoft's files (${hasShared ? 'reference found' : sharedSkipMessage})`,
  () => {
    const cases = [
      ['phi-3', 'phi3-mini'],
      ['phi-3-legacy', 'phi3'],
    ] as const;

    for (const [variant, folder] of cases) {
      it(`${variant} is ${folder}/tokenizer.json: vocab, merges (in order), added tokens, normalizer, decoder`, async () => {
        const expected = readJson(folder, 'tokenizer.json');
        const built = await phi3TokenizerJson(variant);
        const model = built.model as { vocab: Record<string, number>; merges: string[] };
        const expectedModel = expected.model as { vocab: Record<string, number>; merges: string[] };
        expect(Object.keys(model.vocab)).toHaveLength(32000);
        expect(model.merges).toHaveLength(61249);
        expect(model.vocab).toEqual(expectedModel.vocab);
        expect(model.merges).toEqual(expectedModel.merges);
        // Whole-document equality covers the remaining fields (added tokens, normalizer, BPE flags, ...).
        expect(built).toEqual(expected);
      });

      it(`${variant} has ${folder}'s chat template, BOS/EOS and add_bos_token`, () => {
        const expected = readJson(folder, 'tokenizer_config.json');
        const config = phi3TokenizerConfig(variant);
        for (const key of Object.keys(config)) expect([key, config[key]]).toEqual([key, expected[key]]);
      });
    }
  },
);
