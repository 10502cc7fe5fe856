// Upload preflight: the checks Azure AI Foundry applies to a fine-tuning file, each a pass/warn/fail
// line with its rule and source. `preflight()` reads a JSONL file ready to upload; prep builds the
// same checks from the figures it already has (`prepPreflight`). Memory: one token count per
// example (for the context check) plus the first problem lines of each check.
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { formatCount } from '../core/describe.js';
import { PhikitError } from '../core/errors.js';
import type { PreflightCheck, PreflightCost, PreflightFigures } from '../core/manifest.js';
import { readLines } from '../io/line-reader.js';
import { DEFAULT_MODEL, modelPreset, type ModelPreset } from '../tokenize/presets.js';
import { countTokens } from './tokens.js';

const MIB = 1024 * 1024;

/** Azure's limits; the tests inject smaller ones to avoid writing hundreds of megabytes. */
export interface PreflightLimits {
  minExamples: number;
  recommendedExamples: number;
  maxFileBytes: number;
  portalUploadBytes: number;
  maxBilledTokens: number;
}

export const AZURE_LIMITS: PreflightLimits = {
  minExamples: 10,
  recommendedExamples: 50,
  maxFileBytes: 512 * MIB,
  portalUploadBytes: 200 * MIB,
  maxBilledTokens: 2_000_000_000,
};

export const SOURCES = {
  dataPreparation: 'Azure AI Foundry fine-tuning docs: data preparation',
  fileSize: 'Azure AI Foundry fine-tuning docs: quotas and limits (training file size)',
  tokens: 'Azure AI Foundry fine-tuning docs: quotas and limits (tokens per training job)',
  format: 'Azure AI Foundry fine-tuning docs: chat completion file format',
  encoding: 'Azure AI Foundry fine-tuning docs: data preparation (JSONL in UTF-8 with a byte-order mark)',
} as const;

/** Keys the chat fine-tuning format accepts, per message and at the top level. */
const MESSAGE_KEYS = new Set([
  'role',
  'content',
  'name',
  'weight',
  'tool_calls',
  'tool_call_id',
  'function_call',
]);
const TOP_LEVEL_KEYS = new Set(['messages', 'tools', 'functions', 'parallel_tool_calls']);
const TOOL_KEYS = new Set([
  'tools',
  'functions',
  'parallel_tool_calls',
  'tool_calls',
  'tool_call_id',
  'function_call',
]);

/** Lines listed per check. */
const FIRST_LINES = 10;

export interface PreflightOptions {
  /** Model preset (`--model`): context length, tokenizer, tool support. Default phi-3-mini-4k. */
  model?: string;
  /** Epochs the job will train (default 1): billed tokens = training tokens x epochs. */
  epochs?: number;
  validationFile?: string;
  /** Price per 1,000 billed tokens, for the cost line (no built-in prices). */
  pricePer1kTokens?: number;
  /** Tokenizer spec instead of the preset's. */
  tokenizer?: string;
  threads?: number;
  limits?: Partial<PreflightLimits>;
}

export interface PreflightResult extends PreflightFigures {
  file: string;
  validationFile: string | null;
  epochs: number;
}

const n = formatCount;
const mb = (bytes: number) => `${(bytes / MIB).toFixed(1)} MB`;

export function exampleCountCheck(examples: number, limits: PreflightLimits = AZURE_LIMITS): PreflightCheck {
  const rule = `at least ${limits.minExamples} training examples (fail below), ${limits.recommendedExamples} or more recommended (warn below)`;
  const base = { check: 'examples', file: 'train' as const, rule, source: SOURCES.dataPreparation };
  if (examples < limits.minExamples)
    return {
      ...base,
      status: 'fail',
      message: `${n(examples)} training examples: Azure refuses fewer than ${limits.minExamples}`,
    };
  if (examples < limits.recommendedExamples)
    return {
      ...base,
      status: 'warn',
      message: `${n(examples)} training examples: enough to start, but ${limits.recommendedExamples} or more usually train better`,
    };
  return { ...base, status: 'pass', message: `${n(examples)} training examples` };
}

export function fileSizeCheck(
  bytes: number,
  file: 'train' | 'validation',
  limits: PreflightLimits = AZURE_LIMITS,
): PreflightCheck {
  const rule = `file under ${mb(limits.maxFileBytes)} (fail above); over ${mb(limits.portalUploadBytes)} the Foundry portal's upload refuses it, upload with the API (warn)`;
  const base = { check: 'file_size', file, rule, source: SOURCES.fileSize };
  if (bytes > limits.maxFileBytes)
    return {
      ...base,
      status: 'fail',
      message: `${mb(bytes)}: over the ${mb(limits.maxFileBytes)} limit; split the data or shorten examples`,
    };
  if (bytes > limits.portalUploadBytes)
    return {
      ...base,
      status: 'warn',
      message: `${mb(bytes)}: over the portal's ${mb(limits.portalUploadBytes)} upload limit; upload it with the API or SDK`,
    };
  return { ...base, status: 'pass', message: `${mb(bytes)} (${n(bytes)} bytes)` };
}

export function tokenBudgetCheck(
  trainingTokens: number,
  epochs: number,
  limits: PreflightLimits = AZURE_LIMITS,
): PreflightCheck {
  const billed = trainingTokens * epochs;
  const rule = `training tokens x epochs under ${n(limits.maxBilledTokens)}`;
  const base = { check: 'token_budget', file: 'train' as const, rule, source: SOURCES.tokens };
  const figures = `${n(trainingTokens)} tokens x ${epochs} epoch(s) = ${n(billed)}`;
  if (billed >= limits.maxBilledTokens)
    return { ...base, status: 'fail', message: `${figures}: over the limit; fewer epochs or fewer examples` };
  return { ...base, status: 'pass', message: figures };
}

export function contextCheck(
  over: { count: number; lines: number[] },
  maxTokens: number,
  model: string,
  file: 'train' | 'validation',
): PreflightCheck {
  const base = {
    check: 'context',
    file,
    rule: `every example within ${model}'s context of ${n(maxTokens)} tokens (chat template included)`,
    source: `model card: ${modelPreset(model).source}`,
  };
  if (over.count === 0)
    return { ...base, status: 'pass', message: `every example fits in ${n(maxTokens)} tokens` };
  return {
    ...base,
    status: 'fail',
    message: `${n(over.count)} example(s) over ${n(maxTokens)} tokens, first at line(s) ${over.lines.join(', ')}`,
    lines: over.lines,
  };
}

export function keysCheck(
  problems: { count: number; lines: number[]; first: string | undefined },
  model: string,
  file: 'train' | 'validation',
): PreflightCheck {
  const tools = supportsTools(modelPreset(model));
  const base = {
    check: 'keys',
    file,
    rule: `only messages${tools ? ', tools, functions, parallel_tool_calls' : ''} at the top level; per message only role, content, name, weight${tools ? ', tool_calls, tool_call_id, function_call' : ''}; weight 0 or 1 on assistant messages only${tools ? '' : `; no tool calls (${model} does not take them)`}`,
    source: SOURCES.format,
  };
  if (problems.count === 0) return { ...base, status: 'pass', message: 'only keys the format accepts' };
  return {
    ...base,
    status: 'fail',
    message: `${n(problems.count)} line(s) with keys or values Azure refuses, first at line(s) ${problems.lines.join(', ')}: ${problems.first}`,
    lines: problems.lines,
  };
}

export function encodingCheck(
  invalid: { count: number; lines: number[] },
  bom: boolean,
  file: 'train' | 'validation',
): PreflightCheck {
  const base = {
    check: 'encoding',
    file,
    rule: "UTF-8; Azure's docs ask for a byte-order mark (prep --bom writes one)",
    source: SOURCES.encoding,
  };
  if (invalid.count > 0)
    return {
      ...base,
      status: 'fail',
      message: `${n(invalid.count)} line(s) not valid UTF-8, first at line(s) ${invalid.lines.join(', ')}; re-save the file as UTF-8`,
      lines: invalid.lines,
    };
  return {
    ...base,
    status: 'pass',
    message: bom ? 'UTF-8 with a byte-order mark' : 'UTF-8, no byte-order mark',
  };
}

export function preflightCost(
  trainingTokens: number,
  epochs: number,
  pricePer1kTokens?: number,
): PreflightCost {
  const billedTokens = trainingTokens * epochs;
  return {
    trainingTokens,
    epochs,
    billedTokens,
    pricePer1kTokens: pricePer1kTokens ?? null,
    price: pricePer1kTokens === undefined ? null : (billedTokens / 1000) * pricePer1kTokens,
  };
}

export function overallStatus(checks: readonly PreflightCheck[]): PreflightFigures['status'] {
  if (checks.some((check) => check.status === 'fail')) return 'fail';
  return checks.some((check) => check.status === 'warn') ? 'warn' : 'pass';
}

/** Tool calls only where the preset says so; a preset without the field takes none. */
export function supportsTools(preset: ModelPreset): boolean {
  return (preset as ModelPreset & { supportsTools?: boolean }).supportsTools === true;
}

/** What Azure would refuse in one parsed line, or undefined. */
export function keyProblem(record: unknown, tools: boolean): string | undefined {
  if (typeof record !== 'object' || record === null || Array.isArray(record)) return 'not a JSON object';
  for (const key of Object.keys(record)) {
    if (!TOP_LEVEL_KEYS.has(key)) return `top-level key "${key}" is not accepted`;
    if (!tools && TOOL_KEYS.has(key)) return `top-level key "${key}": the model takes no tools`;
  }
  const messages = (record as { messages?: unknown }).messages;
  if (!Array.isArray(messages)) return 'no messages array';
  for (const [index, message] of messages.entries()) {
    if (typeof message !== 'object' || message === null) return `messages[${index}] is not an object`;
    for (const key of Object.keys(message)) {
      if (!MESSAGE_KEYS.has(key)) return `messages[${index}] key "${key}" is not accepted`;
      if (!tools && TOOL_KEYS.has(key)) return `messages[${index}] key "${key}": the model takes no tools`;
    }
    const { role, weight } = message as { role?: unknown; weight?: unknown };
    if (weight !== undefined && role !== 'assistant')
      return `messages[${index}] has weight on a ${JSON.stringify(role)} message (assistant only)`;
    if (weight !== undefined && weight !== 0 && weight !== 1)
      return `messages[${index}] weight must be 0 or 1 (got ${JSON.stringify(weight)})`;
  }
  return undefined;
}

interface LineScan {
  bytes: number;
  examples: number;
  bom: boolean;
  invalidUtf8: { count: number; lines: number[] };
  keys: { count: number; lines: number[]; first: string | undefined };
}

/** One pass over the raw lines: size, BOM, UTF-8, keys. */
async function scanLines(path: string, tools: boolean): Promise<LineScan> {
  const scan: LineScan = {
    bytes: (await statFile(path)).size,
    examples: 0,
    bom: false,
    invalidUtf8: { count: 0, lines: [] },
    keys: { count: 0, lines: [], first: undefined },
  };
  const note = (target: { count: number; lines: number[] }, line: number) => {
    target.count++;
    if (target.lines.length < FIRST_LINES) target.lines.push(line);
  };
  const stream = createReadStream(path);
  stream.once('data', (chunk) => {
    scan.bom = (chunk as Buffer).subarray(0, 3).equals(Buffer.from([0xef, 0xbb, 0xbf]));
  });
  for await (const { line, text, validUtf8, tooLarge } of readLines(stream)) {
    if (!tooLarge && text.trim() === '') continue;
    scan.examples++;
    if (!validUtf8) {
      note(scan.invalidUtf8, line);
      continue;
    }
    const problem = tooLarge ? 'line too large to read' : keyProblem(parseOrUndefined(text), tools);
    if (problem === undefined) continue;
    note(scan.keys, line);
    scan.keys.first ??= `line ${line}: ${problem}`;
  }
  return scan;
}

function parseOrUndefined(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

async function statFile(path: string): Promise<{ size: number }> {
  try {
    return await stat(path);
  } catch (error) {
    throw new PhikitError(
      'INPUT_NOT_FOUND',
      `cannot read ${path} (${(error as NodeJS.ErrnoException).code ?? 'error'})`,
      'give the path of the JSONL file you will upload, e.g. out/train.jsonl',
    );
  }
}

/** Token totals of a file and the lines over the model's context. */
async function tokenScan(
  path: string,
  options: { model: string; tokenizer?: string; threads?: number },
): Promise<{ tokens: number; over: { count: number; lines: number[] }; contextTokens: number }> {
  const contextTokens = modelPreset(options.model).maxTokens;
  const over = { count: 0, lines: [] as number[] };
  const summary = await countTokens(
    path,
    { model: options.model, tokenizer: options.tokenizer, threads: options.threads },
    (row) => {
      if (!('total' in row) || row.total <= contextTokens) return;
      over.count++;
      if (over.lines.length < FIRST_LINES) over.lines.push(row.line);
    },
  );
  return { tokens: summary.total.sum, over, contextTokens };
}

async function fileChecks(
  path: string,
  file: 'train' | 'validation',
  options: PreflightOptions & { model: string },
  limits: PreflightLimits,
): Promise<{ checks: PreflightCheck[]; examples: number; tokens: number }> {
  const scan = await scanLines(path, supportsTools(modelPreset(options.model)));
  const counted = await tokenScan(path, options);
  return {
    examples: scan.examples,
    tokens: counted.tokens,
    checks: [
      fileSizeCheck(scan.bytes, file, limits),
      encodingCheck(scan.invalidUtf8, scan.bom, file),
      keysCheck(scan.keys, options.model, file),
      contextCheck(counted.over, counted.contextTokens, options.model, file),
    ],
  };
}

function checkOptions(options: PreflightOptions): void {
  const { epochs, pricePer1kTokens } = options;
  if (epochs !== undefined && !(Number.isInteger(epochs) && epochs >= 1))
    throw new PhikitError('USAGE', `epochs must be a whole number >= 1 (got ${epochs})`, undefined, {
      options: ['epochs'],
    });
  if (pricePer1kTokens !== undefined && !(Number.isFinite(pricePer1kTokens) && pricePer1kTokens >= 0))
    throw new PhikitError(
      'USAGE',
      `pricePer1kTokens must be a number >= 0 (got ${pricePer1kTokens})`,
      undefined,
      {
        options: ['pricePer1kTokens'],
      },
    );
}

/** Checks a JSONL file (and its validation file) the way Azure will when it is uploaded. */
export async function preflight(path: string, options: PreflightOptions = {}): Promise<PreflightResult> {
  checkOptions(options);
  const model = options.model ?? DEFAULT_MODEL;
  modelPreset(model);
  const epochs = options.epochs ?? 1;
  const limits = { ...AZURE_LIMITS, ...options.limits };
  const train = await fileChecks(path, 'train', { ...options, model }, limits);
  const checks = [
    exampleCountCheck(train.examples, limits),
    ...train.checks,
    tokenBudgetCheck(train.tokens, epochs, limits),
  ];
  if (options.validationFile !== undefined)
    checks.push(
      ...(await fileChecks(options.validationFile, 'validation', { ...options, model }, limits)).checks,
    );
  return {
    file: path,
    validationFile: options.validationFile ?? null,
    model,
    epochs,
    status: overallStatus(checks),
    checks,
    cost: preflightCost(train.tokens, epochs, options.pricePer1kTokens),
  };
}

/** What prep knows after writing its outputs: enough for the same checks without reading them again. */
export interface PrepPreflightFacts {
  model: string;
  train: { lines: number; bytes: number };
  validation: { lines: number; bytes: number };
  bom: boolean;
  /** Present when tokens were counted: epochs, and total tokens per train / validation example in file order. */
  tokens?: { epochs: number; train: readonly number[]; validation: readonly number[] };
}

export function prepPreflight(
  facts: PrepPreflightFacts,
  limits: PreflightLimits = AZURE_LIMITS,
): PreflightFigures {
  const { model } = facts;
  const contextLimit = modelPreset(model).maxTokens;
  const overContext = (totals: readonly number[]) => {
    const lines = totals.flatMap((total, index) => (total > contextLimit ? [index + 1] : []));
    return { count: lines.length, lines: lines.slice(0, FIRST_LINES) };
  };
  const noKeyProblems = { count: 0, lines: [], first: undefined };
  const valid = { count: 0, lines: [] };
  const checks: PreflightCheck[] = [exampleCountCheck(facts.train.lines, limits)];
  for (const file of ['train', 'validation'] as const) {
    if (file === 'validation' && facts.validation.lines === 0) continue;
    checks.push(
      fileSizeCheck(facts[file].bytes, file, limits),
      // prep writes UTF-8 and only role, content, name and weight.
      encodingCheck(valid, facts.bom, file),
      keysCheck(noKeyProblems, model, file),
      facts.tokens
        ? contextCheck(overContext(facts.tokens[file]), contextLimit, model, file)
        : skipped('context', file, 'tokens were not counted (--no-tokens)'),
    );
  }
  const trainingTokens = facts.tokens?.train.reduce((sum, total) => sum + total, 0);
  checks.push(
    facts.tokens && trainingTokens !== undefined
      ? tokenBudgetCheck(trainingTokens, facts.tokens.epochs, limits)
      : skipped('token_budget', 'train', 'tokens were not counted (--no-tokens)'),
  );
  return {
    model,
    status: overallStatus(checks),
    checks,
    cost:
      facts.tokens && trainingTokens !== undefined
        ? preflightCost(trainingTokens, facts.tokens.epochs)
        : null,
  };
}

function skipped(check: string, file: 'train' | 'validation', why: string): PreflightCheck {
  return { check, status: 'skip', file, message: `not checked: ${why}`, rule: '', source: '' };
}
