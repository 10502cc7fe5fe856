// Every `prep` option validated and defaulted once, in library words (the CLI turns option
// names into flag names). The rest of prep reads only the resolved `PrepConfig`.
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { CleanRule } from '../clean/rules.js';
import type { Stage } from '../core/envelope.js';
import { PhikitError } from '../core/errors.js';
import type { ManifestOptions } from '../core/manifest.js';
import { formatBalance, parseBalance, type BalanceMode } from '../stages/balance.js';
import { DEFAULT_LEAK_THRESHOLD, DEFAULT_NEAR_THRESHOLD, DEFAULT_SHINGLE } from '../stages/dedupe-near.js';
import { compileScenarioRules, type ScenarioRulesFile, type ScenarioSource } from '../stages/scenario.js';
import { modelPreset } from '../tokenize/presets.js';
import { formatFieldMapping, parseFieldMapping, type FieldMapping } from '../formats/fields.js';
import type { FormatOption, ReadProgress } from './read.js';

export interface PrepOptions {
  /** Output folder; created if missing. */
  out: string;
  format?: FormatOption;
  /**
   * Read each record's turns from these fields (dotted paths), for records that are neither
   * chats nor a known pair: `user=q,assistant=a.text,system=sys` or an object. Implies format `fields`.
   */
  fields?: string | FieldMapping;
  /** Scenario label from a dotted field path (at most one of scenarioField, scenarioBy, scenarioRules). */
  scenarioField?: string;
  /** Scenario label from the system prompt, shortened to a readable label. */
  scenarioBy?: 'system';
  /** Scenario label from ordered regex rules on the first user message: a rules.json path or its content. */
  scenarioRules?: string | ScenarioRulesFile;
  /** `none` (default), `cap:N` or `ratio:R`. */
  balance?: string | BalanceMode;
  /** Scenarios with fewer examples are reported as small (default: none). */
  minPerScenario?: number;
  /** Drop small scenarios (`small_scenario`) instead of only reporting them. */
  dropSmallScenarios?: boolean;
  /** Share of each scenario for validation (default 0.1). */
  valRatio?: number;
  /** Total validation examples instead of a ratio. */
  valSize?: number;
  /** Share of each scenario for test.jsonl (default: no test split). */
  testRatio?: number;
  /** Total test examples instead of a ratio. */
  testSize?: number;
  seed?: number;
  /** Cleaning rules to switch off. */
  disableClean?: CleanRule[];
  /** The token length check (on by default, with the phi-3-mini-4k preset); `false` skips it. */
  tokens?: TokenCheckOptions | false;
  /** Near-duplicate removal (on by default: threshold 0.8, 3-word shingles); `false` skips it. */
  nearDedup?: { threshold?: number; shingle?: number } | false;
  /**
   * Similarity at which kept examples form a leakage cluster that stays on one side of the
   * split (default 0.6); `false` splits example by example.
   */
  leakThreshold?: number | false;
  /** An evaluation set: examples near-duplicate to any of its examples are `contaminated`. */
  holdout?: string;
  /** Similarity to a holdout example that makes an example contaminated (default: 0.6). */
  holdoutThreshold?: number;
  /** More per-record stages, run last; see docs/ARCHITECTURE.md. */
  extraStages?: Stage[];
  /**
   * Worker threads for the per-record work (default: one per core from 32 MiB of input, none below).
   * 1 runs everything in this thread. Outputs do not depend on it.
   */
  threads?: number;
  /** Longest input line kept, in bytes (default 16 MiB); a longer one is `too_large`. */
  maxLineBytes?: number;
  /** Write report.html (default true). */
  report?: boolean;
  /** Start train.jsonl and validation.jsonl with a UTF-8 byte-order mark, as Azure's docs ask (default false). */
  bom?: boolean;
  /** The configuration file the options came from, recorded in manifest.json's options. */
  configFile?: { path: string; sha256: string };
  onProgress?: (progress: PrepProgress) => void;
}

export interface TokenCheckOptions {
  /** `--model` preset: its context length and tokenizer are the defaults below. */
  model?: string;
  /** Tokenizer spec: built-in name, a local Hugging Face folder, or `hf:ORG/NAME`. */
  tokenizer?: string;
  maxTokens?: number;
  /** For billed tokens: train tokens x epochs (default 1). */
  epochs?: number;
  /** Keep messages that contain special-token strings (counted as plain text). */
  allowSpecialText?: boolean;
  /** Worker threads for counting (default: one per core). */
  threads?: number;
}

export interface PrepProgress extends ReadProgress {
  phase: 'read' | 'write';
}

export const DEFAULT_SEED = 42;
export const DEFAULT_VAL_RATIO = 0.1;
export const DEFAULT_EPOCHS = 1;

export interface ResolvedTokenCheck {
  model: string;
  tokenizer: string;
  maxTokens: number;
  epochs: number;
  allowSpecialText: boolean;
  threads?: number;
}

export interface ResolvedNear {
  threshold: number | false;
  shingle: number;
  leakThreshold: number | false;
  holdoutThreshold: number;
}

export interface PrepConfig {
  outDir: string;
  format: FormatOption;
  fields: FieldMapping | undefined;
  /** The model whose template cannot render tools (tool examples are `tools_unsupported`); unset: tools kept. */
  toolsUnsupportedBy: string | undefined;
  seed: number;
  scenario: ScenarioSource | undefined;
  balance: BalanceMode;
  minPerScenario: number | undefined;
  dropSmallScenarios: boolean;
  /** Balancing may drop survivors, so their original lines are kept for rejected.jsonl. */
  balancing: boolean;
  split: {
    valRatio: number;
    valSize: number | undefined;
    testRatio: number | undefined;
    testSize: number | undefined;
  };
  /** A test split was asked for (testRatio or testSize, even 0): test.jsonl is written. */
  testSplit: boolean;
  disableClean: CleanRule[];
  tokens: ResolvedTokenCheck | undefined;
  near: ResolvedNear;
  holdout: string | undefined;
  extraStages: Stage[];
  /** Worker threads asked for (`threads`, or the older `tokens.threads`); undefined: by input size. */
  threads: number | undefined;
  maxLineBytes: number | undefined;
  report: boolean;
  bom: boolean;
  onProgress: ((progress: PrepProgress) => void) | undefined;
  /** The resolved options as manifest.json records them. */
  recorded: ManifestOptions;
}

export async function resolvePrepConfig(options: PrepOptions): Promise<PrepConfig> {
  const seed = options.seed ?? DEFAULT_SEED;
  const valRatio = options.valRatio ?? DEFAULT_VAL_RATIO;
  checkSplitOptions(options, valRatio, seed);
  const balance =
    typeof options.balance === 'string'
      ? parseBalance(options.balance)
      : (options.balance ?? { kind: 'none' });
  const near = resolveNear(options);
  const tokens = resolveTokenCheck(options.tokens);
  const fields = resolveFields(options);
  const config: Omit<PrepConfig, 'recorded'> = {
    outDir: resolve(options.out),
    format: fields ? 'fields' : (options.format ?? 'auto'),
    fields,
    // Without token counting no chat template is applied, so tool calling is kept as it is.
    toolsUnsupportedBy: tokens && !modelPreset(tokens.model).supportsTools ? tokens.model : undefined,
    seed,
    scenario: await resolveScenarioSource(options),
    balance,
    minPerScenario: options.minPerScenario,
    dropSmallScenarios: options.dropSmallScenarios ?? false,
    balancing: balance.kind !== 'none' || options.dropSmallScenarios === true,
    split: { valRatio, valSize: options.valSize, testRatio: options.testRatio, testSize: options.testSize },
    testSplit: options.testRatio !== undefined || options.testSize !== undefined,
    disableClean: options.disableClean ?? [],
    tokens,
    near,
    holdout: options.holdout,
    extraStages: options.extraStages ?? [],
    threads: options.threads ?? (options.tokens ? options.tokens.threads : undefined),
    maxLineBytes: options.maxLineBytes,
    report: options.report !== false,
    bom: options.bom === true,
    onProgress: options.onProgress,
  };
  if (config.threads !== undefined && !(Number.isInteger(config.threads) && config.threads >= 1))
    throw usage(`threads must be a whole number >= 1 (got ${config.threads})`, ['threads']);
  return { ...config, recorded: recordedOptions(config, options) };
}

function recordedOptions(config: Omit<PrepConfig, 'recorded'>, options: PrepOptions): ManifestOptions {
  const { near, tokens } = config;
  return {
    format: config.format,
    scenarioField: options.scenarioField ?? null,
    scenarioBy: options.scenarioBy ?? null,
    scenarioRules:
      typeof options.scenarioRules === 'string'
        ? options.scenarioRules
        : options.scenarioRules
          ? 'inline'
          : null,
    balance: formatBalance(config.balance),
    minPerScenario: config.minPerScenario ?? null,
    dropSmallScenarios: config.dropSmallScenarios,
    valRatio: config.split.valSize === undefined ? config.split.valRatio : null,
    valSize: config.split.valSize ?? null,
    // Recorded only with a test split, so runs without one keep their manifest byte for byte.
    ...(config.testSplit
      ? {
          testRatio: config.split.testSize === undefined ? (config.split.testRatio ?? null) : null,
          testSize: config.split.testSize ?? null,
        }
      : {}),
    seed: config.seed,
    disableClean: config.disableClean,
    tokens: tokens ? { ...tokens, threads: config.threads ?? null } : false,
    nearDedup: near.threshold === false ? false : { threshold: near.threshold, shingle: near.shingle },
    leakThreshold: near.leakThreshold,
    holdout: config.holdout ?? null,
    holdoutThreshold: config.holdout ? near.holdoutThreshold : null,
    fields: config.fields ? formatFieldMapping(config.fields) : null,
    tools: config.toolsUnsupportedBy === undefined,
    bom: config.bom,
    ...(options.configFile ? { configFile: options.configFile } : {}),
  };
}

function usage(message: string, options: string[], hint?: string): PhikitError {
  return new PhikitError('USAGE', message, hint, { options });
}

function resolveFields(options: PrepOptions): FieldMapping | undefined {
  if (options.fields === undefined) return undefined;
  if (options.format !== undefined && options.format !== 'auto' && options.format !== 'fields')
    throw usage(`fields maps the turns itself; it cannot be combined with format ${options.format}`, [
      'fields',
      'format',
    ]);
  return parseFieldMapping(options.fields);
}

function checkSplitOptions(options: PrepOptions, valRatio: number, seed: number): void {
  const { minPerScenario, valSize } = options;
  if (minPerScenario !== undefined && !(Number.isInteger(minPerScenario) && minPerScenario >= 0))
    throw usage(`minPerScenario must be a whole number >= 0 (got ${minPerScenario})`, ['minPerScenario']);
  if (options.dropSmallScenarios && minPerScenario === undefined)
    throw usage(
      'dropSmallScenarios needs minPerScenario N',
      ['dropSmallScenarios', 'minPerScenario'],
      'e.g. minPerScenario 20 with dropSmallScenarios',
    );
  if (!(valRatio >= 0 && valRatio < 1))
    throw usage(
      `valRatio must be at least 0 and below 1 (got ${valRatio})`,
      ['valRatio'],
      'e.g. valRatio 0.1',
    );
  if (valSize !== undefined && !(Number.isInteger(valSize) && valSize >= 0))
    throw usage(`valSize must be a whole number >= 0 (got ${valSize})`, ['valSize']);
  checkTestOptions(options, valRatio);
  if (!Number.isInteger(seed)) throw usage(`seed must be an integer (got ${seed})`, ['seed']);
}

function checkTestOptions({ testRatio, testSize, valSize }: PrepOptions, valRatio: number): void {
  if (testRatio !== undefined && testSize !== undefined)
    throw usage('testRatio and testSize both size the test split; give one', ['testRatio', 'testSize']);
  if (testRatio !== undefined && !(testRatio >= 0 && testRatio < 1))
    throw usage(
      `testRatio must be at least 0 and below 1 (got ${testRatio})`,
      ['testRatio'],
      'e.g. testRatio 0.1',
    );
  if (testRatio !== undefined && valSize === undefined && !(valRatio + testRatio < 1))
    throw usage(
      `valRatio + testRatio must be below 1 (got ${valRatio} + ${testRatio}): train needs examples`,
      ['valRatio', 'testRatio'],
    );
  if (testSize !== undefined && !(Number.isInteger(testSize) && testSize >= 0))
    throw usage(`testSize must be a whole number >= 0 (got ${testSize})`, ['testSize']);
}

function resolveNear(options: PrepOptions): ResolvedNear {
  const nearOptions = options.nearDedup === false ? undefined : options.nearDedup;
  const resolved: ResolvedNear = {
    threshold: options.nearDedup === false ? false : (nearOptions?.threshold ?? DEFAULT_NEAR_THRESHOLD),
    shingle: nearOptions?.shingle ?? DEFAULT_SHINGLE,
    leakThreshold: options.leakThreshold ?? DEFAULT_LEAK_THRESHOLD,
    holdoutThreshold: options.holdoutThreshold ?? DEFAULT_LEAK_THRESHOLD,
  };
  const similarity = (option: string, value: number | false) => {
    if (value !== false && !(value > 0 && value <= 1))
      throw usage(`${option} must be above 0 and at most 1 (got ${value})`, [option], `e.g. ${option} 0.8`);
  };
  similarity('nearDupThreshold', resolved.threshold);
  similarity('leakThreshold', resolved.leakThreshold);
  similarity('holdoutThreshold', resolved.holdoutThreshold);
  if (!(Number.isInteger(resolved.shingle) && resolved.shingle >= 1))
    throw usage(`shingle must be a whole number >= 1 (got ${resolved.shingle})`, ['shingle']);
  return resolved;
}

function resolveTokenCheck(options: TokenCheckOptions | false | undefined): ResolvedTokenCheck | undefined {
  if (options === false) return undefined;
  const model = options?.model ?? 'phi-3-mini-4k';
  const preset = modelPreset(model);
  const resolved: ResolvedTokenCheck = {
    model,
    tokenizer: options?.tokenizer ?? preset.tokenizer,
    maxTokens: options?.maxTokens ?? preset.maxTokens,
    epochs: options?.epochs ?? DEFAULT_EPOCHS,
    allowSpecialText: options?.allowSpecialText ?? false,
    threads: options?.threads,
  };
  if (!(Number.isInteger(resolved.maxTokens) && resolved.maxTokens > 0))
    throw usage(`maxTokens must be a whole number >= 1 (got ${resolved.maxTokens})`, ['maxTokens']);
  if (!(Number.isInteger(resolved.epochs) && resolved.epochs > 0))
    throw usage(`epochs must be a whole number >= 1 (got ${resolved.epochs})`, ['epochs']);
  return resolved;
}

/** Where scenario labels come from (at most one source); also used by `evaluate`. */
export async function resolveScenarioSource(
  options: Pick<PrepOptions, 'scenarioField' | 'scenarioBy' | 'scenarioRules'>,
): Promise<ScenarioSource | undefined> {
  const given = (['scenarioField', 'scenarioBy', 'scenarioRules'] as const).filter(
    (option) => options[option] !== undefined,
  );
  if (given.length > 1) throw usage(`${given.join(' and ')} both name the scenario; give one`, [...given]);
  if (options.scenarioField !== undefined) return { by: 'field', path: options.scenarioField };
  if (options.scenarioBy !== undefined) {
    if (options.scenarioBy !== 'system')
      throw usage(`scenarioBy must be system (got ${String(options.scenarioBy)})`, ['scenarioBy']);
    return { by: 'system' };
  }
  if (options.scenarioRules === undefined) return undefined;
  if (typeof options.scenarioRules !== 'string')
    return { by: 'rules', rules: compileScenarioRules(options.scenarioRules, 'scenario rules') };
  return {
    by: 'rules',
    rules: compileScenarioRules(await readRulesFile(options.scenarioRules), options.scenarioRules),
  };
}

async function readRulesFile(path: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new PhikitError(
      'INPUT_NOT_FOUND',
      `cannot read scenarioRules ${path} (${(error as NodeJS.ErrnoException).code ?? 'error'})`,
      'give the path of a rules.json file',
      { options: ['scenarioRules'] },
    );
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new PhikitError('CONFIG_INVALID', `${path} is not valid JSON (${(error as Error).message})`);
  }
}
