// The parts of a Hugging Face tokenizer folder phikit reads (tokenizer.json, tokenizer_config.json),
// and the check that decides whether phikit's fast SentencePiece-BPE encoder can run a tokenizer.json.

export interface AddedTokenSpec {
  id: number;
  content: string;
  single_word: boolean;
  lstrip: boolean;
  rstrip: boolean;
  normalized: boolean;
  special: boolean;
}

export interface BpeModelSpec {
  type: 'BPE';
  dropout: number | null;
  unk_token: string | null;
  continuing_subword_prefix: string | null;
  end_of_word_suffix: string | null;
  fuse_unk: boolean;
  byte_fallback: boolean;
  ignore_merges?: boolean;
  vocab: Record<string, number>;
  /** Older files write "a b", newer ones ["a", "b"]. */
  merges: Array<string | [string, string]>;
}

export interface TokenizerJson {
  version: string;
  truncation: unknown;
  padding: unknown;
  added_tokens: AddedTokenSpec[];
  normalizer: unknown;
  pre_tokenizer: unknown;
  post_processor: unknown;
  decoder: unknown;
  model: BpeModelSpec | { type: string };
}

/** Special-token fields are a string or an AddedToken-like object. */
export type TokenField = string | { content: string } | null | undefined;

export interface TokenizerConfig {
  add_bos_token?: boolean;
  add_eos_token?: boolean;
  bos_token?: TokenField;
  eos_token?: TokenField;
  unk_token?: TokenField;
  pad_token?: TokenField;
  chat_template?: string | Array<{ name: string; template: string }>;
  model_max_length?: number;
  [key: string]: unknown;
}

export function tokenFieldText(field: TokenField): string | undefined {
  if (field === null || field === undefined) return undefined;
  return typeof field === 'string' ? field : field.content;
}

/** The Llama-2 style normalizer: prepend "▁", then every space becomes "▁". */
export const SPM_NORMALIZER = {
  type: 'Sequence',
  normalizers: [
    { type: 'Prepend', prepend: '\u2581' },
    { type: 'Replace', pattern: { String: ' ' }, content: '\u2581' },
  ],
} as const;

/**
 * Why the fast encoder cannot run this tokenizer.json, or undefined when it can: a BPE model with
 * byte fallback, the Llama-2 normalizer, no pre-tokenizer and plain added tokens. Anything else
 * (Phi-4's byte-level BPE, WordPiece, ...) runs on @huggingface/tokenizers instead.
 */
export function fastEncoderObstacle(json: TokenizerJson): string | undefined {
  const model = json.model;
  if (model.type !== 'BPE') return `model type ${model.type}`;
  const bpe = model as BpeModelSpec;
  if (!bpe.byte_fallback) return 'no byte fallback';
  if (bpe.dropout !== null && bpe.dropout !== undefined && bpe.dropout !== 0) return 'BPE dropout';
  if (bpe.continuing_subword_prefix || bpe.end_of_word_suffix) return 'subword prefix/suffix';
  if (bpe.ignore_merges) return 'ignore_merges';
  if (json.pre_tokenizer !== null && json.pre_tokenizer !== undefined) return 'a pre-tokenizer';
  if (JSON.stringify(json.normalizer) !== JSON.stringify(SPM_NORMALIZER)) return 'a different normalizer';
  for (const token of json.added_tokens) {
    if (token.normalized || token.single_word)
      return `added token ${token.content} is normalized or single_word`;
  }
  return undefined;
}

export function mergePair(merge: string | [string, string]): [string, string] {
  if (Array.isArray(merge)) return merge;
  const space = merge.indexOf(' ');
  return [merge.slice(0, space), merge.slice(space + 1)];
}
