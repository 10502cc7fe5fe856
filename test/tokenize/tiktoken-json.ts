// Builds a Hugging Face byte-level BPE tokenizer.json from tiktoken's ranks (via tiktoken's WASM build),
// the way GPT-2-style conversions of tiktoken vocabularies are made: vocab = ranks, each merge found by
// running BPE on the token's bytes with lower ranks only, tiktoken's split regex as the pre-tokenizer,
// `ignore_merges` (a piece that is a token is that token). To stay small, only the tokens that the given
// texts need (and the pieces they are merged from, and the 256 bytes) are kept: faithful for those texts.
// `trim` here is JavaScript's, close enough to pick tokens (a superset of the vocabulary changes nothing).
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { get_encoding } from 'tiktoken';
import type { AddedTokenSpec } from '../../src/tokenize/tokenizer-json.js';

/** GPT-2's bytes_to_unicode: each byte as a printable character. */
function byteLevelAlphabet(): string[] {
  const printable = new Set<number>();
  for (const [from, to] of [
    [33, 126],
    [161, 172],
    [174, 255],
  ] as const) {
    for (let byte = from; byte <= to; byte++) printable.add(byte);
  }
  let next = 256;
  return Array.from({ length: 256 }, (_, byte) => String.fromCodePoint(printable.has(byte) ? byte : next++));
}

type Ranks = 'o200k_base' | 'cl100k_base';

interface RankTable {
  pattern: string;
  bytesOf: Buffer[];
  /** Bytes as a latin1 string → rank. */
  rankOf: Map<string, number>;
}

/** tiktoken's encoder file: the split pattern and `! OFFSET base64 base64 …` ranks from OFFSET on. */
function rankTable(ranks: Ranks): RankTable {
  const path = createRequire(import.meta.url).resolve(`tiktoken/encoders/${ranks}.json`);
  const file = JSON.parse(readFileSync(path, 'utf8')) as { pat_str: string; bpe_ranks: string };
  const words = file.bpe_ranks.split(/\s+/);
  const bytesOf: Buffer[] = [];
  const rankOf = new Map<string, number>();
  let rank = 0;
  for (let index = 0; index < words.length; index++) {
    if (words[index] === '!') {
      rank = Number(words[++index]);
      continue;
    }
    const bytes = Buffer.from(words[index]!, 'base64');
    bytesOf[rank] = bytes;
    rankOf.set(bytes.toString('latin1'), rank++);
  }
  return { pattern: file.pat_str, bytesOf, rankOf };
}

export function subsetTokenizerJson(
  ranks: Ranks,
  texts: readonly string[],
  addedTokens: readonly AddedTokenSpec[],
): object {
  const table = rankTable(ranks);
  const encoding = get_encoding(ranks);
  const needed = new Set<number>();
  try {
    for (const text of plainRuns(texts, addedTokens)) {
      for (const rank of encoding.encode_ordinary(text)) needed.add(rank);
    }
  } finally {
    encoding.free();
  }
  for (let byte = 0; byte < 256; byte++) needed.add(table.rankOf.get(String.fromCharCode(byte))!);
  const merges = new Map<number, [number, number]>();
  const pending = [...needed];
  while (pending.length > 0) {
    const rank = pending.pop()!;
    const pair = mergeOf(table, rank);
    if (pair === undefined) continue;
    merges.set(rank, pair);
    for (const part of pair) {
      if (!needed.has(part)) {
        needed.add(part);
        pending.push(part);
      }
    }
  }
  const alphabet = byteLevelAlphabet();
  const piece = (rank: number): string =>
    Array.from(table.bytesOf[rank]!, (byte) => alphabet[byte]!).join('');
  const vocab = Object.fromEntries([...needed].sort((a, b) => a - b).map((rank) => [piece(rank), rank]));
  const mergeList = [...merges.entries()]
    .sort(([a], [b]) => a - b)
    .map(([, [left, right]]) => [piece(left), piece(right)]);
  return tokenizerJson(table.pattern, vocab, mergeList, addedTokens);
}

/**
 * The texts, and the runs between added-token strings as they are, trimmed on either side and on both
 * (added tokens may swallow the whitespace next to them): every plain text a tokenizer can be given.
 */
function plainRuns(texts: readonly string[], addedTokens: readonly AddedTokenSpec[]): string[] {
  const escaped = addedTokens.map((token) => token.content.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
  const separator = new RegExp(escaped.join('|'));
  return texts.flatMap((text) => [
    text,
    ...text
      .split(separator)
      .flatMap((run) => [run, run.trimStart(), run.trimEnd(), run.trim()])
      .filter((run) => run !== ''),
  ]);
}

/** The two tokens BPE merges last into `rank`, using only lower ranks (undefined for a byte). */
function mergeOf(table: RankTable, rank: number): [number, number] | undefined {
  const bytes = table.bytesOf[rank]!.toString('latin1');
  if (bytes.length < 2) return undefined;
  let parts = bytes.split('');
  for (;;) {
    let best: { index: number; rank: number } | undefined;
    for (let index = 0; index + 1 < parts.length; index++) {
      const merged = table.rankOf.get(parts[index]! + parts[index + 1]!);
      if (merged !== undefined && merged < rank && (best === undefined || merged < best.rank)) {
        best = { index, rank: merged };
      }
    }
    if (best === undefined) break;
    parts = [
      ...parts.slice(0, best.index),
      parts[best.index]! + parts[best.index + 1]!,
      ...parts.slice(best.index + 2),
    ];
  }
  if (parts.length !== 2) return undefined;
  return [table.rankOf.get(parts[0]!)!, table.rankOf.get(parts[1]!)!];
}

function tokenizerJson(
  pattern: string,
  vocab: Record<string, number>,
  merges: string[][],
  addedTokens: readonly AddedTokenSpec[],
): object {
  return {
    version: '1.0',
    truncation: null,
    padding: null,
    added_tokens: addedTokens,
    normalizer: null,
    pre_tokenizer: {
      type: 'Sequence',
      pretokenizers: [
        { type: 'Split', pattern: { Regex: pattern }, behavior: 'Isolated', invert: false },
        { type: 'ByteLevel', add_prefix_space: false, trim_offsets: true, use_regex: false },
      ],
    },
    post_processor: null,
    decoder: { type: 'ByteLevel', add_prefix_space: true, trim_offsets: true, use_regex: true },
    model: {
      type: 'BPE',
      dropout: null,
      unk_token: null,
      continuing_subword_prefix: null,
      end_of_word_suffix: null,
      fuse_unk: false,
      byte_fallback: false,
      ignore_merges: true,
      vocab,
      merges,
    },
  };
}
