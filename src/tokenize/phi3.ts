// The built-in Phi-3 tokenizer, offline: the Llama-2 vocabulary and merges that the npm package
// llama-tokenizer-js carries, plus what Phi-3 adds (written here): added tokens and their strip flags,
// the normalizer, the chat template, BOS/EOS. Tests prove it equal to Microsoft's tokenizer.json.
// `npm run build` writes the vocabulary and merges in the form the encoder needs (phi3-vocabulary.bin),
// so a start-up reads one binary file instead of decoding and re-sorting llama-tokenizer-js's data.
import { readFile, writeFile } from 'node:fs/promises';
import { endianness } from 'node:os';
import type * as LlamaTokenizerModule from 'llama-tokenizer-js';
import type { SpBpeVocabulary } from './sp-bpe.js';
import { buildSpBpeTables, tableSections, tablesFromSections, type SpBpeTables } from './sp-bpe-tables.js';
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
  /** The encoder's tables, when read from the prebuilt file. */
  tables?: SpBpeTables;
}

/** Built from llama-tokenizer-js's embedded data: the slow path, and the source of the prebuilt file. */
export async function buildPhi3BaseVocabulary(): Promise<Phi3BaseVocabulary> {
  const data = await llamaTokenizerData();
  return { pieces: data.vocabById, merges: hfOrderedMerges(data) };
}

/** Written by `npm run build` next to the compiled phi3.js; absent when phikit runs from src/ (tsx). */
export const PREBUILT_VOCABULARY_URL = new URL('../tokenize/phi3-vocabulary.bin', import.meta.url);

// The prebuilt file, binary so a start maps it without parsing or deriving anything (~4 ms against
// ~40 for the pieces and merge ids, decoded, then turned into the encoder's tables):
// a 32-byte format name (ASCII, NUL-padded); the piece count, the pieces' byte length and the
// number of int32 sections (uint32 LE); each section's length in int32s; the sections (int32 LE):
// the merge ids (left0, right0, merged0, left1, ... in rank order), then the encoder's tables
// (sp-bpe-tables.ts `tableSections`); the pieces (UTF-8, NUL between them: no piece holds one).
const PREBUILT_FORMAT = 'phikit-phi3-vocabulary/4';
const FORMAT_BYTES = 32;
const PIECE_SEPARATOR = '\u0000';

export async function writePrebuiltVocabulary(path: string | URL): Promise<void> {
  const { pieces, merges } = await buildPhi3BaseVocabulary();
  if (pieces.some((piece) => piece.includes(PIECE_SEPARATOR))) throw new Error('a piece holds a NUL');
  const idOf = new Map(pieces.map((piece, id) => [piece, id]));
  const mergeIds = Int32Array.from(
    merges.flatMap(([left, right]) => [idOf.get(left)!, idOf.get(right)!, idOf.get(left + right)!]),
  );
  const sections = [mergeIds, ...tableSections(buildSpBpeTables({ pieces, merges, mergeIds }))];
  const text = Buffer.from(pieces.join(PIECE_SEPARATOR), 'utf8');
  const header = Buffer.alloc(FORMAT_BYTES + 12 + sections.length * 4);
  header.write(PREBUILT_FORMAT, 0, 'ascii');
  header.writeUInt32LE(pieces.length, FORMAT_BYTES);
  header.writeUInt32LE(text.length, FORMAT_BYTES + 4);
  header.writeUInt32LE(sections.length, FORMAT_BYTES + 8);
  sections.forEach((section, i) => header.writeUInt32LE(section.length, FORMAT_BYTES + 12 + i * 4));
  const bodies = sections.map((section) => {
    const bytes = Buffer.alloc(section.length * 4);
    section.forEach((value, i) => bytes.writeInt32LE(value, i * 4));
    return bytes;
  });
  await writeFile(path, Buffer.concat([header, ...bodies, text]));
}

/** The int32 sections of the prebuilt file and where its pieces start, or undefined when it is not of this layout. */
function prebuiltSections(bytes: Buffer): { sections: Int32Array[]; textStart: number } | undefined {
  // The sections are read as the machine's int32s: little-endian only; elsewhere the caller builds them.
  if (endianness() !== 'LE' || bytes.length < FORMAT_BYTES + 12) return undefined;
  if (bytes.toString('ascii', 0, FORMAT_BYTES).replace(/\0+$/, '') !== PREBUILT_FORMAT) return undefined;
  const count = bytes.readUInt32LE(FORMAT_BYTES + 8);
  let at = FORMAT_BYTES + 12 + count * 4;
  if (at > bytes.length) return undefined;
  const lengths = Array.from({ length: count }, (_, i) => bytes.readUInt32LE(FORMAT_BYTES + 12 + i * 4));
  const textStart = at + lengths.reduce((sum, length) => sum + length * 4, 0);
  if (textStart + bytes.readUInt32LE(FORMAT_BYTES + 4) !== bytes.length) return undefined; // cut short
  // Views into the file's memory when it is 4-byte aligned (readFile's own buffer is), else copies.
  const aligned = bytes.byteOffset % 4 === 0;
  const sections = lengths.map((length) => {
    const start = bytes.byteOffset + at;
    at += length * 4;
    return aligned
      ? new Int32Array(bytes.buffer, start, length)
      : new Int32Array(bytes.buffer.slice(start, start + length * 4));
  });
  return { sections, textStart };
}

/** The prebuilt file's vocabulary, or undefined when there is none (or it is of another format). */
export async function readPrebuiltVocabulary(path: string | URL): Promise<Phi3BaseVocabulary | undefined> {
  let bytes: Buffer;
  try {
    bytes = await readFile(path);
  } catch {
    return undefined;
  }
  const layout = prebuiltSections(bytes);
  if (layout === undefined) return undefined;
  const [mergeIds, ...tableParts] = layout.sections;
  const tables = tablesFromSections(tableParts);
  const pieceCount = bytes.readUInt32LE(FORMAT_BYTES);
  if (mergeIds === undefined || tables === undefined || tables.pieceLength.length !== pieceCount)
    return undefined;
  let pieces: string[] | undefined;
  let merges: Array<[string, string]> | undefined;
  // Pieces and merges as strings only when asked (tokenizer.json export, tests): the encoder takes the tables.
  const piecesOf = (): string[] =>
    (pieces ??= bytes.toString('utf8', layout.textStart).split(PIECE_SEPARATOR));
  return {
    get pieces() {
      return piecesOf();
    },
    mergeIds,
    tables,
    get merges() {
      merges ??= Array.from({ length: mergeIds.length / 3 }, (_, rank) => [
        piecesOf()[mergeIds[3 * rank]!]!,
        piecesOf()[mergeIds[3 * rank + 1]!]!,
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
    get pieces() {
      return base.pieces;
    },
    get merges() {
      return base.merges;
    },
    ...(base.mergeIds ? { mergeIds: base.mergeIds } : {}),
    ...(base.tables ? { tables: base.tables } : {}),
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
