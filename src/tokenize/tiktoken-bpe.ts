// The encoder behind the tiktoken-rank tokenizers (Phi-4, Phi-4-mini, GPT-4o class): added tokens are
// split out first (with their strip flags), each plain run is encoded with gpt-tokenizer's byte-level BPE
// over tiktoken's ranks, which is what Hugging Face's GPT2 tokenizer over those ranks computes.
// gpt-tokenizer was picked over js-tiktoken: ~10x faster on the real datasets (bench/README.md).
// Memory: the rank tables (~10 MB for o200k) plus gpt-tokenizer's merge cache (at most 100,000 entries).
import type * as RanksModule from 'gpt-tokenizer/encoding/cl100k_base';
import { AddedTokenSplitter } from './added-tokens.js';
import type { EncoderBackend } from './chat.js';
import type { TiktokenRanks } from './phi4.js';
import type { AddedTokenSpec } from './tokenizer-json.js';
import { importModule } from '../core/import-module.js';

/** Plain text to ids, special-token strings read as text. */
export type PlainEncoder = (text: string) => number[];

const NO_SPECIALS = { disallowedSpecial: new Set<string>() };

/** The rank tables are large: import them on first use. */
export async function loadPlainEncoder(ranks: TiktokenRanks): Promise<PlainEncoder> {
  const encoding = await importModule<typeof RanksModule>(`gpt-tokenizer/encoding/${ranks}`);
  return (text) => encoding.encode(text, NO_SPECIALS);
}

export function tiktokenBackend(
  encodePlain: PlainEncoder,
  addedTokens: readonly AddedTokenSpec[],
): EncoderBackend {
  const splitter = new AddedTokenSplitter(addedTokens);
  return {
    engine: 'fast',
    splitter,
    encode(text) {
      const ids: number[] = [];
      for (const piece of splitter.split(text)) {
        if (piece.id >= 0) ids.push(piece.id);
        else for (const id of encodePlain(text.slice(piece.start, piece.end))) ids.push(id);
      }
      return ids;
    },
    // Byte-level BPE never merges across an added token, so counting piece by piece is exact; a piece
    // belongs to a range when it starts inside it (contents sit between added tokens in these templates).
    countRanges(text, pieces, ranges) {
      let total = 0;
      let inRanges = 0;
      let rangeIndex = 0;
      for (const piece of pieces) {
        const count = piece.id >= 0 ? 1 : encodePlain(text.slice(piece.start, piece.end)).length;
        total += count;
        while (rangeIndex < ranges.length && ranges[rangeIndex]![1] <= piece.start) rangeIndex++;
        const range = ranges[rangeIndex];
        if (range !== undefined && range[0] <= piece.start) inRanges += count;
      }
      return { total, inRanges };
    },
  };
}
