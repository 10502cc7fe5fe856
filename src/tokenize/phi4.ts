// The built-in Phi-4 (14B) and Phi-4-mini-instruct tokenizers, offline: tiktoken's cl100k_base and
// o200k_base ranks (the base vocabularies the Phi-4 technical reports name) plus what each model adds,
// written here from Microsoft's tokenizer_config.json: added tokens with ids and strip flags, the chat
// template, BOS/EOS. A test compares these tables and the rendered prompts with Microsoft's files.
import type { AddedTokenSpec, TokenizerConfig } from './tokenizer-json.js';

export type TiktokenRanks = 'cl100k_base' | 'o200k_base';

export interface TiktokenModelSpec {
  ranks: TiktokenRanks;
  addedTokens: AddedTokenSpec[];
  config: TokenizerConfig;
}

function addedToken(
  id: number,
  content: string,
  strip: { lstrip: boolean; rstrip: boolean },
  special = true,
) {
  return { id, content, single_word: false, normalized: false, special, ...strip };
}

/** Phi-4's named added tokens; every other id from 100256 to 100351 is `<|dummy_N|>`. */
const PHI4_NAMED: ReadonlyMap<number, string> = new Map([
  [100257, '<|endoftext|>'],
  [100258, '<|fim_prefix|>'],
  [100259, '<|fim_middle|>'],
  [100260, '<|fim_suffix|>'],
  [100264, '<|im_start|>'],
  [100265, '<|im_end|>'],
  [100266, '<|im_sep|>'],
  [100276, '<|endofprompt|>'],
]);

/** Ids 100256-100351 (the vocabulary padded to 100,352); all strip whitespace on both sides. */
export function phi4AddedTokens(): AddedTokenSpec[] {
  const tokens: AddedTokenSpec[] = [];
  let dummy = 0;
  for (let id = 100256; id < 100352; id++) {
    const content = PHI4_NAMED.get(id) ?? `<|dummy_${dummy++}|>`;
    tokens.push(addedToken(id, content, { lstrip: true, rstrip: true }));
  }
  return tokens;
}

/** `<|im_start|>ROLE<|im_sep|>CONTENT<|im_end|>`, no newlines, no EOS at the end. */
export const PHI4_CHAT_TEMPLATE =
  "{% for message in messages %}{% if message['role'] in ['system', 'user', 'assistant'] %}" +
  "{{ '<|im_start|>' + message['role'] + '<|im_sep|>' + message['content'] + '<|im_end|>' }}" +
  "{% endif %}{% endfor %}{% if add_generation_prompt %}{{ '<|im_start|>assistant<|im_sep|>' }}{% endif %}";

/** Phi-4-mini's added tokens: the chat and tool markers swallow whitespace after them (rstrip). */
const PHI4_MINI_ADDED = [
  [199999, '<|endoftext|>', false, true],
  [200018, '<|endofprompt|>', false, true],
  [200019, '<|assistant|>', true, true],
  [200020, '<|end|>', true, true],
  [200021, '<|user|>', true, true],
  [200022, '<|system|>', true, true],
  [200023, '<|tool|>', true, false],
  [200024, '<|/tool|>', true, false],
  [200025, '<|tool_call|>', true, false],
  [200026, '<|/tool_call|>', true, false],
  [200027, '<|tool_response|>', true, false],
  [200028, '<|tag|>', true, true],
] as const;

export function phi4MiniAddedTokens(): AddedTokenSpec[] {
  return PHI4_MINI_ADDED.map(([id, content, rstrip, special]) =>
    addedToken(id, content, { lstrip: false, rstrip }, special),
  );
}

/**
 * `<|ROLE|>CONTENT<|end|>` for every role, tools (a JSON string on the system message) between
 * `<|tool|>` and `<|/tool|>`, EOS at the end unless a generation prompt is asked for.
 */
export const PHI4_MINI_CHAT_TEMPLATE =
  "{% for message in messages %}{{ '<|' + message['role'] + '|>' + message['content'] }}" +
  "{% if message['role'] == 'system' and message['tools'] %}{{ '<|tool|>' + message['tools'] + '<|/tool|>' }}{% endif %}" +
  "{{ '<|end|>' }}{% endfor %}{% if add_generation_prompt %}{{ '<|assistant|>' }}{% else %}{{ eos_token }}{% endif %}";

export const PHI4_MODELS = {
  'phi-4': {
    ranks: 'cl100k_base',
    addedTokens: phi4AddedTokens(),
    config: {
      bos_token: '<|endoftext|>',
      eos_token: '<|im_end|>',
      pad_token: '<|dummy_85|>',
      chat_template: PHI4_CHAT_TEMPLATE,
      model_max_length: 16384,
    },
  },
  'phi-4-mini': {
    ranks: 'o200k_base',
    addedTokens: phi4MiniAddedTokens(),
    config: {
      add_bos_token: false,
      add_eos_token: false,
      bos_token: '<|endoftext|>',
      eos_token: '<|endoftext|>',
      unk_token: '<|endoftext|>',
      pad_token: '<|endoftext|>',
      chat_template: PHI4_MINI_CHAT_TEMPLATE,
      model_max_length: 131072,
    },
  },
} as const satisfies Record<string, TiktokenModelSpec>;

export type Phi4TokenizerName = keyof typeof PHI4_MODELS;

export function isPhi4TokenizerName(name: string): name is Phi4TokenizerName {
  return Object.hasOwn(PHI4_MODELS, name);
}
