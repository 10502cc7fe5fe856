// The built-in Phi-3 tokenizer, offline: the Llama-2 vocabulary and merges that the npm package
// llama-tokenizer-js carries, plus what Phi-3 adds (written here): added tokens and their strip flags,
// the normalizer, the chat template, BOS/EOS. Tests prove it equal to Microsoft's tokenizer.json.
// `npm run build` writes the vocabulary and merges in the form the encoder needs (phi3-vocabulary.bin),
// so a start-up reads one binary file instead of decoding and re-sorting llama-tokenizer-js's data.
import { readFile, writeFile } from 'node:fs/promises';
import { endianness } from 'node:os';
import type * as LlamaTokenizerModule from 'llama-tokenizer-js';
import type { SpBpeVocabulary } from './sp-bpe.js';
import {
  SPM_NORMALIZER,
  type AddedTokenSpec,
  type TokenizerConfig,
  type TokenizerJson,
} from './tokenizer-json.js';
import { importModule } from '../core/import-module.js';

export type BuiltinTokenizerName = 'phi-3' | 'phi-3-legacy';

export const BUILTIN_TOKENIZERS: readonly BuiltinTokenizerName[] = ['phi-3', 'phi-3-legacy'];

/** Phi-3's added tokens, ids 32000-32010, after Llama-2's <unk>, <s>, </s>. */
const PHI3_ADDED = [
  [32000, '<|endoftext|>'],
  [32001, '<|assistant|>'],
  [32002, '<|placeholder1|>'],
  [32003, '<|placeholder2|>'],
  [32004, '<|placeholder3|>'],
  [32005, '<|placeholder4|>'],
  [32006, '<|system|>'],
  [32007, '<|end|>'],
  [32008, '<|placeholder5|>'],
  [32009, '<|placeholder6|>'],
  [32010, '<|user|>'],
] as const;

function addedToken(id: number, content: string, rstrip: boolean, special = true): AddedTokenSpec {
  return { id, content, single_word: false, lstrip: false, rstrip, normalized: false, special };
}

/**
 * The current release (Phi-3 mini 4k/128k after the mid-2024 update, Phi-3.5 mini): every chat token
 * and `</s>` swallow the whitespace after them (rstrip), `</s>` is not special.
 * The first release set no strip flags, so `<|user|>\n` cost a newline token.
 */
export function phi3AddedTokens(variant: BuiltinTokenizerName): AddedTokenSpec[] {
  const current = variant === 'phi-3';
  return [
    addedToken(0, '<unk>', false),
    addedToken(1, '<s>', false),
    addedToken(2, '</s>', current, !current),
    ...PHI3_ADDED.map(([id, content]) => addedToken(id, content, current && id !== 32000)),
  ];
}

/** Renders system, user and assistant turns; ends with EOS unless a generation prompt is asked for. */
export const PHI3_CHAT_TEMPLATE =
  "{% for message in messages %}{% if message['role'] == 'system' %}{{'<|system|>\n' + message['content'] + '<|end|>\n'}}" +
  "{% elif message['role'] == 'user' %}{{'<|user|>\n' + message['content'] + '<|end|>\n'}}" +
  "{% elif message['role'] == 'assistant' %}{{'<|assistant|>\n' + message['content'] + '<|end|>\n'}}" +
  "{% endif %}{% endfor %}{% if add_generation_prompt %}{{ '<|assistant|>\n' }}{% else %}{{ eos_token }}{% endif %}";

/** The first release's template: BOS first, no system turns, each user turn opens the assistant's. */
export const PHI3_LEGACY_CHAT_TEMPLATE =
  "{{ bos_token }}{% for message in messages %}{% if (message['role'] == 'user') %}" +
  "{{'<|user|>' + '\n' + message['content'] + '<|end|>' + '\n' + '<|assistant|>' + '\n'}}" +
  "{% elif (message['role'] == 'assistant') %}{{message['content'] + '<|end|>' + '\n'}}{% endif %}{% endfor %}";

export function phi3TokenizerConfig(variant: BuiltinTokenizerName): TokenizerConfig {
  const current = variant === 'phi-3';
  return {
    add_bos_token: !current,
    add_eos_token: false,
    bos_token: '<s>',
    eos_token: '<|endoftext|>',
    unk_token: '<unk>',
    pad_token: '<|endoftext|>',
    chat_template: current ? PHI3_CHAT_TEMPLATE : PHI3_LEGACY_CHAT_TEMPLATE,
    model_max_length: current ? 4096 : 131072,
  };
}

interface LlamaTokenizerData {
  vocabById: string[];
  /** "left right" -> priority, in priority order. */
  merges: Map<string, number>;
}

/** llama-tokenizer-js decodes its embedded vocabulary when imported (~1 s of start-up), so load it only without a prebuilt file. */
async function llamaTokenizerData(): Promise<LlamaTokenizerData> {
  const { default: tokenizer } = await importModule<typeof LlamaTokenizerModule>('llama-tokenizer-js');
  return { vocabById: tokenizer.vocabById, merges: tokenizer.merges };
}

const isWhitespaceRun = (piece: string): boolean => /^\u2581+$/.test(piece);

/**
 * Llama-2's merges in Hugging Face's order. llama-tokenizer-js lists the same 61,249 merges, but
 * ranks the 120 merges of "▁" runs differently. HF's converter orders merges by (id of the merged
 * piece, id of the left piece) and puts the merges of whitespace runs last; we do the same.
 */
function hfOrderedMerges(data: LlamaTokenizerData): Array<[string, string]> {
  const idOf = new Map(data.vocabById.map((piece, id) => [piece, id]));
  const merges: Array<[string, string]> = [...data.merges.keys()].map((key) => {
    const space = key.indexOf(' ');
    return [key.slice(0, space), key.slice(space + 1)];
  });
  const order = (a: [string, string], b: [string, string]): number =>
    idOf.get(a[0] + a[1])! - idOf.get(b[0] + b[1])! || idOf.get(a[0])! - idOf.get(b[0])!;
  const runs = merges.filter(([left, right]) => isWhitespaceRun(left) && isWhitespaceRun(right));
  const words = merges.filter(([left, right]) => !(isWhitespaceRun(left) && isWhitespaceRun(right)));
  return [...words.sort(order), ...runs.sort(order)];
}

/** The base vocabulary (added tokens excluded) and its merges in HF order: all both variants need. */
export interface Phi3BaseVocabulary {
  pieces: readonly string[];
  merges: ReadonlyArray<readonly [string, string]>;
  /** (left, right, merged) ids per rank, when read from the prebuilt file. */
  mergeIds?: Int32Array;
}

/** Built from llama-tokenizer-js's embedded data: the slow path, and the source of the prebuilt file. */
export async function buildPhi3BaseVocabulary(): Promise<Phi3BaseVocabulary> {
  const data = await llamaTokenizerData();
  return { pieces: data.vocabById, merges: hfOrderedMerges(data) };
}

/** Written by `npm run build` next to the compiled phi3.js; absent when phikit runs from src/ (tsx). */
export const PREBUILT_VOCABULARY_URL = new URL('../tokenize/phi3-vocabulary.bin', import.meta.url);

// The prebuilt file, binary so a start reads it without parsing (12-15 ms against 21-28 as JSON):
// a 32-byte format name (ASCII, NUL-padded); the piece count, merge-id count and the pieces' byte
// length (uint32 LE); 4 bytes of padding; the merge ids (int32 LE: left0, right0, merged0, left1,
// ... in rank order); the pieces (UTF-8, NUL between them: no piece holds one).
const PREBUILT_FORMAT = 'phikit-phi3-vocabulary/3';
const FORMAT_BYTES = 32;
const HEADER_BYTES = 48;
const PIECE_SEPARATOR = '\u0000';

export async function writePrebuiltVocabulary(path: string | URL): Promise<void> {
  const { pieces, merges } = await buildPhi3BaseVocabulary();
  if (pieces.some((piece) => piece.includes(PIECE_SEPARATOR))) throw new Error('a piece holds a NUL');
  const idOf = new Map(pieces.map((piece, id) => [piece, id]));
  const ids = Int32Array.from(
    merges.flatMap(([left, right]) => [idOf.get(left)!, idOf.get(right)!, idOf.get(left + right)!]),
  );
  const text = Buffer.from(pieces.join(PIECE_SEPARATOR), 'utf8');
  const header = Buffer.alloc(HEADER_BYTES);
  header.write(PREBUILT_FORMAT, 0, 'ascii');
  header.writeUInt32LE(pieces.length, FORMAT_BYTES);
  header.writeUInt32LE(ids.length, FORMAT_BYTES + 4);
  header.writeUInt32LE(text.length, FORMAT_BYTES + 8);
  const idBytes = Buffer.alloc(ids.length * 4);
  ids.forEach((id, i) => idBytes.writeInt32LE(id, i * 4));
  await writeFile(path, Buffer.concat([header, idBytes, text]));
}

/** The prebuilt file's vocabulary, or undefined when there is none (or it is of another format). */
export async function readPrebuiltVocabulary(path: string | URL): Promise<Phi3BaseVocabulary | undefined> {
  let bytes: Buffer;
  try {
    bytes = await readFile(path);
  } catch {
    return undefined;
  }
  // The merge ids are read as the machine's int32s: little-endian only; elsewhere the caller builds them.
  if (endianness() !== 'LE' || bytes.length < HEADER_BYTES) return undefined;
  if (bytes.toString('ascii', 0, FORMAT_BYTES).replace(/\0+$/, '') !== PREBUILT_FORMAT) return undefined;
  const pieceCount = bytes.readUInt32LE(FORMAT_BYTES);
  const idCount = bytes.readUInt32LE(FORMAT_BYTES + 4);
  const textStart = HEADER_BYTES + idCount * 4;
  const textEnd = textStart + bytes.readUInt32LE(FORMAT_BYTES + 8);
  if (textEnd !== bytes.length) return undefined; // cut short, or not this layout
  const mergeIds = new Int32Array(
    bytes.buffer.slice(bytes.byteOffset + HEADER_BYTES, bytes.byteOffset + textStart),
  );
  const pieces = bytes.toString('utf8', textStart, textEnd).split(PIECE_SEPARATOR);
  if (pieces.length !== pieceCount) return undefined;
  let merges: Array<[string, string]> | undefined;
  return {
    pieces,
    mergeIds,
    // As strings only when asked (tokenizer.json export): the encoder takes the ids.
    get merges() {
      merges ??= Array.from({ length: mergeIds.length / 3 }, (_, rank) => [
        pieces[mergeIds[3 * rank]!]!,
        pieces[mergeIds[3 * rank + 1]!]!,
      ]);
      return merges;
    },
  };
}

let baseVocabulary: Promise<Phi3BaseVocabulary> | undefined;

/** The prebuilt file when the build wrote one, else built in memory; once per process. */
function phi3BaseVocabulary(): Promise<Phi3BaseVocabulary> {
  baseVocabulary ??= readPrebuiltVocabulary(PREBUILT_VOCABULARY_URL).then(
    (prebuilt) => prebuilt ?? buildPhi3BaseVocabulary(),
  );
  return baseVocabulary;
}

export async function phi3Vocabulary(variant: BuiltinTokenizerName): Promise<SpBpeVocabulary> {
  const base = await phi3BaseVocabulary();
  return {
    pieces: base.pieces,
    get merges() {
      return base.merges;
    },
    ...(base.mergeIds ? { mergeIds: base.mergeIds } : {}),
    addedTokens: phi3AddedTokens(variant),
  };
}

/** The built-in tokenizer as a tokenizer.json document (what the tests compare with Microsoft's). */
export async function phi3TokenizerJson(variant: BuiltinTokenizerName): Promise<TokenizerJson> {
  const { pieces, merges } = await phi3BaseVocabulary();
  const vocab: Record<string, number> = {};
  pieces.forEach((piece, id) => (vocab[piece] = id));
  return {
    version: '1.0',
    truncation: null,
    padding: null,
    added_tokens: phi3AddedTokens(variant),
    normalizer: SPM_NORMALIZER,
    pre_tokenizer: null,
    post_processor: {
      type: 'TemplateProcessing',
      single: [{ Sequence: { id: 'A', type_id: 0 } }],
      pair: [{ Sequence: { id: 'A', type_id: 0 } }, { Sequence: { id: 'B', type_id: 1 } }],
      special_tokens: {},
    },
    decoder: {
      type: 'Sequence',
      decoders: [
        { type: 'Replace', pattern: { String: '\u2581' }, content: ' ' },
        { type: 'ByteFallback' },
        { type: 'Fuse' },
        { type: 'Strip', content: ' ', start: 1, stop: 0 },
      ],
    },
    model: {
      type: 'BPE',
      dropout: null,
      unk_token: '<unk>',
      continuing_subword_prefix: null,
      end_of_word_suffix: null,
      fuse_unk: true,
      byte_fallback: true,
      vocab,
      merges: merges.map(([left, right]) => `${left} ${right}`),
    },
  };
}
