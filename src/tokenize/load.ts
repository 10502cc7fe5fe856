// Resolves a tokenizer spec to a ChatTokenizer: the built-in Phi-3 tokenizer (offline, the default),
// a local Hugging Face tokenizer folder, or `hf:ORG/NAME` downloaded once into a cache (opt-in).
import { randomUUID } from 'node:crypto';
import { existsSync, statSync } from 'node:fs';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import type * as HfTokenizersModule from '@huggingface/tokenizers';
import { PhikitError } from '../core/errors.js';
import { AddedTokenSplitter } from './added-tokens.js';
import {
  createChatTokenizer,
  fastBackend,
  referenceBackend,
  type ChatTokenizer,
  type EncoderBackend,
} from './chat.js';
import {
  BUILTIN_TOKENIZERS,
  phi3TokenizerConfig,
  phi3TokenizerJson,
  phi3Vocabulary,
  type BuiltinTokenizerName,
} from './phi3.js';
import { createOpenAiChatTokenizer } from './openai-chat.js';
import { isPhi4TokenizerName, PHI4_MODELS, type Phi4TokenizerName } from './phi4.js';
import { isModelPresetName, MODEL_PRESETS } from './presets.js';
import { SpBpeEncoder } from './sp-bpe.js';
import { loadPlainEncoder, tiktokenBackend } from './tiktoken-bpe.js';
import {
  fastEncoderObstacle,
  mergePair,
  type BpeModelSpec,
  type TokenizerConfig,
  type TokenizerJson,
} from './tokenizer-json.js';
import { importModule } from '../core/import-module.js';

export const DEFAULT_TOKENIZER: BuiltinTokenizerName = 'phi-3';

/** GPT-4o-class targets: o200k_base ids with the OpenAI cookbook's chat overhead (an estimate). */
export const OPENAI_ESTIMATE_TOKENIZER = 'openai-o200k-estimate';

/** Every built-in tokenizer name, for messages and `--tokenizer` help. */
export const BUILTIN_TOKENIZER_NAMES: readonly string[] = [
  ...BUILTIN_TOKENIZERS,
  ...Object.keys(PHI4_MODELS),
  OPENAI_ESTIMATE_TOKENIZER,
];

export interface LoadTokenizerOptions {
  /** Where `hf:` downloads go; default $PHIKIT_CACHE_DIR, else $XDG_CACHE_HOME/phikit or ~/.cache/phikit. */
  cacheDir?: string;
  /** Default $HF_ENDPOINT, else https://huggingface.co. */
  hfEndpoint?: string;
  /** Default $HF_TOKEN (needed for gated models). */
  hfToken?: string;
  fetch?: typeof fetch;
  /** `reference` forces @huggingface/tokenizers (for comparisons and benchmarks). */
  engine?: 'fast' | 'reference';
}

const loaded = new Map<string, Promise<ChatTokenizer>>();

/**
 * `undefined`, `phi-3`, `phi-3-legacy` or a model preset name: the built-in tokenizer. A directory:
 * a Hugging Face tokenizer folder. `hf:ORG/NAME`: that model's tokenizer, downloaded on first use.
 * Loaded once per process and options.
 */
export function loadTokenizer(
  spec: string = DEFAULT_TOKENIZER,
  options: LoadTokenizerOptions = {},
): Promise<ChatTokenizer> {
  const key = JSON.stringify([spec, options.cacheDir, options.hfEndpoint, options.engine]);
  let tokenizer = loaded.get(key);
  if (tokenizer === undefined) {
    tokenizer = resolveSpec(spec, options);
    loaded.set(key, tokenizer);
    tokenizer.catch(() => loaded.delete(key));
  }
  return tokenizer;
}

async function resolveSpec(spec: string, options: LoadTokenizerOptions): Promise<ChatTokenizer> {
  const builtin = isModelPresetName(spec) ? MODEL_PRESETS[spec].tokenizer : spec;
  if ((BUILTIN_TOKENIZERS as readonly string[]).includes(builtin)) {
    return loadBuiltin(builtin as BuiltinTokenizerName, options.engine);
  }
  if (isPhi4TokenizerName(builtin)) return loadPhi4(builtin);
  if (builtin === OPENAI_ESTIMATE_TOKENIZER) {
    return createOpenAiChatTokenizer(builtin, await loadPlainEncoder('o200k_base'));
  }
  if (spec.startsWith('hf:')) {
    const folder = await downloadHfTokenizer(spec.slice(3), options);
    return loadFolder(folder, spec, options.engine);
  }
  if (existsSync(spec)) {
    // A folder, or the tokenizer.json inside one.
    const folder = statSync(spec).isDirectory() ? spec : dirname(spec);
    return loadFolder(resolve(folder), spec, options.engine);
  }
  throw new PhikitError(
    'TOKENIZER_UNAVAILABLE',
    `unknown tokenizer "${spec}": not a built-in name, a model preset, a folder or hf:ORG/NAME`,
    `use ${[...BUILTIN_TOKENIZER_NAMES, ...Object.keys(MODEL_PRESETS)].join(', ')}, a folder with tokenizer.json and tokenizer_config.json, or hf:ORG/NAME`,
  );
}

async function loadBuiltin(
  name: BuiltinTokenizerName,
  engine: LoadTokenizerOptions['engine'],
): Promise<ChatTokenizer> {
  const config = phi3TokenizerConfig(name);
  let backend: EncoderBackend;
  if (engine === 'reference') {
    backend = await referenceBackendFor(await phi3TokenizerJson(name), config);
  } else {
    backend = fastBackend(new SpBpeEncoder(await phi3Vocabulary(name)));
  }
  return createChatTokenizer({ name, backend, config, trustedTemplate: true });
}

/**
 * Phi-4 and Phi-4-mini: tiktoken ranks plus the added tokens and template in phi4.ts. There is no
 * tokenizer.json offline, so `engine: 'reference'` has nothing to run; the fast encoder serves both.
 */
async function loadPhi4(name: Phi4TokenizerName): Promise<ChatTokenizer> {
  const model = PHI4_MODELS[name];
  const backend = tiktokenBackend(await loadPlainEncoder(model.ranks), model.addedTokens);
  const tokenizer = createChatTokenizer({ name, backend, config: model.config, trustedTemplate: true });
  return name === 'phi-4-mini' ? { ...tokenizer, countsTools: true } : tokenizer;
}

/** Reads tokenizer.json and tokenizer_config.json from `folder`. */
export async function loadFolder(
  folder: string,
  name: string,
  engine?: LoadTokenizerOptions['engine'],
): Promise<ChatTokenizer> {
  const read = async <T>(file: string): Promise<T> => {
    const path = join(folder, file);
    let text: string;
    try {
      text = await readFile(path, 'utf8');
    } catch {
      throw new PhikitError(
        'TOKENIZER_UNAVAILABLE',
        `${path} not found`,
        'a tokenizer folder needs tokenizer.json and tokenizer_config.json (as on the Hugging Face Hub)',
      );
    }
    try {
      return JSON.parse(text) as T;
    } catch (error) {
      throw new PhikitError(
        'TOKENIZER_UNAVAILABLE',
        `${path} is not valid JSON: ${(error as Error).message}`,
      );
    }
  };
  const json = await read<TokenizerJson>('tokenizer.json');
  const config = await read<TokenizerConfig>('tokenizer_config.json');
  let backend: EncoderBackend | undefined;
  if (engine !== 'reference' && fastEncoderObstacle(json) === undefined) {
    try {
      backend = fastBackend(new SpBpeEncoder(fastVocabulary(json)));
    } catch {
      // The vocabulary breaks an assumption the fast encoder relies on: use the reference encoder.
      backend = undefined;
    }
  }
  backend ??= await referenceBackendFor(json, config);
  return createChatTokenizer({ name, backend, config, trustedTemplate: false });
}

function fastVocabulary(json: TokenizerJson): ConstructorParameters<typeof SpBpeEncoder>[0] {
  const model = json.model as BpeModelSpec;
  const pieces: string[] = [];
  for (const [piece, id] of Object.entries(model.vocab)) pieces[id] = piece;
  if (pieces.length !== Object.keys(model.vocab).length) throw new Error('vocabulary ids are not 0..n-1');
  return { pieces, merges: model.merges.map(mergePair), addedTokens: json.added_tokens };
}

/** @huggingface/tokenizers is imported only when the reference encoder runs, not on every start. */
async function referenceBackendFor(json: TokenizerJson, config: TokenizerConfig): Promise<EncoderBackend> {
  const { Tokenizer: HfTokenizer } = await importModule<typeof HfTokenizersModule>('@huggingface/tokenizers');
  return referenceBackend(new HfTokenizer(json, config), new AddedTokenSplitter(json.added_tokens));
}

export function defaultCacheDir(): string {
  const explicit = process.env.PHIKIT_CACHE_DIR;
  if (explicit) return explicit;
  return join(process.env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'phikit');
}

const HF_FILES = ['tokenizer.json', 'tokenizer_config.json'] as const;

/** Downloads a model's tokenizer files once; later runs read the cache and never touch the network. */
export async function downloadHfTokenizer(repo: string, options: LoadTokenizerOptions = {}): Promise<string> {
  if (!/^[\w.-]+\/[\w.-]+$/.test(repo)) {
    throw new PhikitError(
      'USAGE',
      `"hf:${repo}" is not hf:ORG/NAME`,
      'e.g. --tokenizer hf:microsoft/Phi-3.5-mini-instruct',
    );
  }
  const folder = join(options.cacheDir ?? defaultCacheDir(), 'tokenizers', repo.replace('/', '--'));
  if (HF_FILES.every((file) => existsSync(join(folder, file)))) return folder;
  const endpoint = (options.hfEndpoint ?? process.env.HF_ENDPOINT ?? 'https://huggingface.co').replace(
    /\/+$/,
    '',
  );
  const token = options.hfToken ?? process.env.HF_TOKEN;
  const fetchImpl = options.fetch ?? fetch;
  await mkdir(folder, { recursive: true });
  for (const file of HF_FILES) {
    const url = `${endpoint}/${repo}/resolve/main/${file}`;
    let body: string;
    try {
      const response = await fetchImpl(url, token ? { headers: { authorization: `Bearer ${token}` } } : {});
      if (!response.ok) {
        throw new PhikitError(
          'TOKENIZER_UNAVAILABLE',
          `downloading ${url} failed: HTTP ${response.status}`,
          response.status === 401 || response.status === 403
            ? 'the model may be gated: accept its licence on the Hub and set HF_TOKEN'
            : 'check the model name (hf:ORG/NAME) or pass a local folder with --tokenizer DIR',
        );
      }
      body = await response.text();
    } catch (error) {
      if (error instanceof PhikitError) throw error;
      throw new PhikitError(
        'TOKENIZER_UNAVAILABLE',
        `downloading ${url} failed: ${(error as Error).message}`,
        'hf: needs network access once; offline, pass a local folder with --tokenizer DIR or use the built-in phi-3',
        { cause: error },
      );
    }
    const temporary = join(folder, `${file}.${process.pid}.${randomUUID()}.tmp`);
    await writeFile(temporary, body);
    await rename(temporary, join(folder, file));
  }
  return folder;
}
