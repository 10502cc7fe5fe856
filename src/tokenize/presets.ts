// Model presets for `--model`: the context length to check against and the tokenizer to count with.
import { PhikitError } from '../core/errors.js';

const OPENAI_ESTIMATE = 'openai-o200k-estimate';
const OPENAI_DOCS = 'OpenAI fine-tuning guide (tokens per training example)';

export interface ModelPreset {
  /** Longest conversation the model trains on, in tokens (`--max-tokens` default). */
  maxTokens: number;
  /** Tokenizer spec for loadTokenizer: the Phi-3 family shares the Phi-3 tokenizer. */
  tokenizer: string;
  /** Where the figures come from: the Hugging Face model, or OpenAI's fine-tuning documentation. */
  source: string;
  /** The chat template renders tool definitions and calls, so tool-calling examples can be counted. */
  supportsTools: boolean;
}

export const MODEL_PRESETS = {
  'phi-3-mini-4k': {
    maxTokens: 4096,
    tokenizer: 'phi-3',
    source: 'microsoft/Phi-3-mini-4k-instruct',
    supportsTools: false,
  },
  'phi-3-mini-128k': {
    maxTokens: 131072,
    tokenizer: 'phi-3',
    source: 'microsoft/Phi-3-mini-128k-instruct',
    supportsTools: false,
  },
  'phi-3-medium-4k': {
    maxTokens: 4096,
    tokenizer: 'phi-3',
    source: 'microsoft/Phi-3-medium-4k-instruct',
    supportsTools: false,
  },
  'phi-3.5-mini': {
    maxTokens: 131072,
    tokenizer: 'phi-3',
    source: 'microsoft/Phi-3.5-mini-instruct',
    supportsTools: false,
  },
  'phi-4': { maxTokens: 16384, tokenizer: 'phi-4', source: 'microsoft/phi-4', supportsTools: false },
  'phi-4-mini': {
    maxTokens: 131072,
    tokenizer: 'phi-4-mini',
    source: 'microsoft/Phi-4-mini-instruct',
    supportsTools: true,
  },
  // OpenAI's limit per training example; token counts are the cookbook's estimate (see openai-chat.ts).
  'gpt-4o': { maxTokens: 65536, tokenizer: OPENAI_ESTIMATE, source: OPENAI_DOCS, supportsTools: false },
  'gpt-4o-mini': { maxTokens: 65536, tokenizer: OPENAI_ESTIMATE, source: OPENAI_DOCS, supportsTools: false },
  'gpt-4.1': { maxTokens: 65536, tokenizer: OPENAI_ESTIMATE, source: OPENAI_DOCS, supportsTools: false },
  'gpt-4.1-mini': { maxTokens: 65536, tokenizer: OPENAI_ESTIMATE, source: OPENAI_DOCS, supportsTools: false },
  'gpt-4.1-nano': { maxTokens: 32768, tokenizer: OPENAI_ESTIMATE, source: OPENAI_DOCS, supportsTools: false },
} as const satisfies Record<string, ModelPreset>;

export type ModelPresetName = keyof typeof MODEL_PRESETS;

export const DEFAULT_MODEL: ModelPresetName = 'phi-3-mini-4k';

export function isModelPresetName(name: string): name is ModelPresetName {
  return Object.hasOwn(MODEL_PRESETS, name);
}

export function modelPreset(name: string = DEFAULT_MODEL): ModelPreset {
  if (!isModelPresetName(name)) {
    throw new PhikitError(
      'USAGE',
      `unknown --model "${name}"`,
      `use one of ${Object.keys(MODEL_PRESETS).join(', ')}, or set --max-tokens and --tokenizer yourself`,
    );
  }
  return MODEL_PRESETS[name];
}
