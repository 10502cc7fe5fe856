// Model presets for `--model`: the context length to check against and the tokenizer to count with.
import { PhikitError } from '../core/errors.js';

export interface ModelPreset {
  /** Longest conversation the model trains on, in tokens (`--max-tokens` default). */
  maxTokens: number;
  /** Tokenizer spec for loadTokenizer: all Phi-3 family models share the Phi-3 tokenizer. */
  tokenizer: string;
  /** The Hugging Face model the figures come from. */
  source: string;
  /** Whether the model's chat template renders tools and tool calls (Phi-3's does not). */
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
