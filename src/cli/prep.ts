// `phikit prep FILE --out DIR`: flags -> prep() -> a summary on stdout.
import { Option, type Command } from 'commander';
import { formatCount } from '../core/describe.js';
import { CLEAN_RULE_DESCRIPTIONS, CLEAN_RULES, type CleanRule } from '../clean/rules.js';
import { DEFAULT_EPOCHS, DEFAULT_SEED, DEFAULT_VAL_RATIO } from '../pipeline/prep-config.js';
import { DEFAULT_LEAK_THRESHOLD, DEFAULT_NEAR_THRESHOLD, DEFAULT_SHINGLE } from '../stages/dedupe-near.js';
import { isPhikitError } from '../core/errors.js';
import { MODEL_PRESETS } from '../tokenize/presets.js';
import { parseBalance } from '../stages/balance.js';
import { prep } from '../pipeline/prep.js';
import { REASON_DESCRIPTIONS, type RejectReason } from '../core/reasons.js';
import type { Manifest } from '../core/manifest.js';
import { FORMAT_CHOICES, type PrepFlags, prepOptionsFromFlags } from './prep-flags.js';
import {
  MAX_LINE_BYTES_FLAG,
  MAX_LINE_BYTES_HELP,
  parseInteger,
  parseNonNegativeInteger,
  parsePositiveInteger,
  parseRatio,
  parseSimilarity,
} from './options.js';
import { InvalidArgumentError } from 'commander';
import { configFileOf, withConfigFile } from './config.js';
import { createProgress } from './progress.js';
import { terminalJson, terminalSafe } from './terminal.js';

export function register(program: Command): void {
  const command = program
    .command('prep')
    .description(
      'validate, clean, deduplicate and split a chat dataset into train.jsonl / validation.jsonl (/ test.jsonl)',
    )
    .argument('<file>', 'input: .jsonl, .json (one top-level array) or either .gz')
    .requiredOption('-o, --out <dir>', 'output folder (created if missing)')
    .addOption(new Option('--format <format>', 'input format').choices(FORMAT_CHOICES).default('auto'));
  for (const add of [addInputOptions, addSplitOptions, addTokenOptions, addDedupeOptions, addOutputOptions])
    add(command);
  for (const rule of CLEAN_RULES)
    command.option(`--no-clean-${rule}`, `do not ${CLEAN_RULE_DESCRIPTIONS[rule]}`);

  withConfigFile(command, { schema: 'prep-config.schema.json', argumentKeys: ['input'] });

  command.action(async (file: string, flags: PrepFlags) => {
    const progress = createProgress('prep', Boolean(flags.quiet) || Boolean(flags.json));
    const disableClean = CLEAN_RULES.filter((rule) => flags[cleanFlag(rule)] === false);
    try {
      const { manifest, outDir } = await prep(file, {
        ...prepOptionsFromFlags(flags),
        disableClean,
        configFile: configFileOf(command),
        onProgress: (p) => progress.update(p),
      });
      progress.stop();
      process.stdout.write(flags.json ? `${terminalJson(manifest, 2)}\n` : summary(manifest, outDir));
    } finally {
      progress.stop();
    }
  });
}

/** How records are read and labelled. */
function addInputOptions(command: Command): Command {
  return command
    .option(
      '--fields <mapping>',
      'read turns from these fields (dotted paths): user=PATH,assistant=PATH[,system=PATH][,context=PATH]',
    )
    .option(
      '--scenario-field <path>',
      'dotted path to the scenario label, e.g. scenario or metadata.category',
    )
    .addOption(
      new Option('--scenario-by <source>', 'scenario from the system prompt (shortened to a readable label)')
        .choices(['system'])
        .conflicts(['scenarioField', 'scenarioRules']),
    )
    .addOption(
      new Option(
        '--scenario-rules <file>',
        'scenario from ordered regex rules on the first user message (schemas/scenario-rules.schema.json)',
      ).conflicts('scenarioField'),
    );
}

/** Balancing and the train / validation / test split. */
function addSplitOptions(command: Command): Command {
  return command
    .option(
      '--balance <mode>',
      'none, cap:N (at most N per scenario) or ratio:R (at most R x the smallest)',
      checkBalance,
      'none',
    )
    .option('--min-per-scenario <n>', 'report scenarios with fewer examples', parseNonNegativeInteger)
    .option('--drop-small-scenarios', 'drop scenarios below --min-per-scenario (reason small_scenario)')
    .addOption(
      new Option('--val-ratio <ratio>', 'share of each scenario for validation')
        .argParser(parseRatio)
        .default(DEFAULT_VAL_RATIO)
        .conflicts('valSize'),
    )
    .option('--val-size <n>', 'total validation examples (instead of --val-ratio)', parseNonNegativeInteger)
    .addOption(
      new Option('--test-ratio <ratio>', 'share of each scenario for test.jsonl (default: no test split)')
        .argParser(parseRatio)
        .conflicts('testSize'),
    )
    .option('--test-size <n>', 'total test examples (instead of --test-ratio)', parseNonNegativeInteger)
    .option('--seed <n>', 'seed for every seeded choice (split, balancing)', parseInteger, DEFAULT_SEED);
}

/** The token length check. */
function addTokenOptions(command: Command): Command {
  return command
    .addOption(
      new Option('--model <preset>', 'model preset: context length and tokenizer').choices(
        Object.keys(MODEL_PRESETS),
      ),
    )
    .option(
      '--max-tokens <n>',
      'longest conversation in tokens (default: the model preset, 4096)',
      parsePositiveInteger,
    )
    .option(
      '--tokenizer <spec>',
      'tokenizer: built-in phi-3, a local Hugging Face folder, or hf:ORG/NAME (downloads once)',
    )
    .option('--epochs <n>', 'epochs, for billed tokens', parsePositiveInteger, DEFAULT_EPOCHS)
    .option(
      '--allow-special-text',
      'keep messages containing special-token strings like <|end|> (counted as text)',
    )
    .option(
      '--threads <n>',
      'worker threads for the per-record work (default: one per core from 32 MiB of input; 1: none)',
      parsePositiveInteger,
    )
    .option('--no-tokens', 'skip tokenization and the length check');
}

/** Near-duplicates, leakage clusters and holdout decontamination. */
function addDedupeOptions(command: Command): Command {
  return command
    .option(
      '--near-dup-threshold <s>',
      'estimated Jaccard similarity that makes a later example a near-duplicate',
      parseSimilarity,
      DEFAULT_NEAR_THRESHOLD,
    )
    .option('--shingle <n>', 'words per shingle for near-duplicates', parsePositiveInteger, DEFAULT_SHINGLE)
    .option('--no-near-dedup', 'skip near-duplicate removal')
    .option(
      '--leak-threshold <s>',
      'similarity at which examples form a cluster kept on one side of the split',
      parseSimilarity,
      DEFAULT_LEAK_THRESHOLD,
    )
    .option('--no-leak-split', 'split example by example, ignoring near-duplicate clusters')
    .option(
      '--holdout <file>',
      'evaluation set: drop examples near-duplicate to any of its examples (reason contaminated)',
    )
    .option(
      '--holdout-threshold <s>',
      'similarity to a holdout example that counts as contamination',
      parseSimilarity,
      // The library's default for holdoutThreshold is the leak threshold's.
      DEFAULT_LEAK_THRESHOLD,
    );
}

/** Input limits and what is written or printed. */
function addOutputOptions(command: Command): Command {
  return command
    .option(MAX_LINE_BYTES_FLAG, MAX_LINE_BYTES_HELP, parsePositiveInteger)
    .option(
      '--bom',
      'start train.jsonl and validation.jsonl with a UTF-8 byte-order mark (Azure asks for one)',
    )
    .option('--no-report', 'skip report.html (`phikit report DIR` draws it later)')
    .option('--json', 'print manifest.json to stdout instead of the summary')
    .option('-q, --quiet', 'no progress on stderr');
}

function checkBalance(value: string): string {
  try {
    parseBalance(value);
    return value;
  } catch (error) {
    if (isPhikitError(error)) throw new InvalidArgumentError(`${error.message}; ${error.hint ?? ''}`);
    throw error;
  }
}

function cleanFlag(rule: CleanRule): string {
  return `clean${rule.replace(/(^|-)([a-z])/g, (_, __, letter: string) => letter.toUpperCase())}`;
}

function summary(manifest: Manifest, outDir: string): string {
  const n = formatCount;
  const { counts } = manifest;
  // A .json array has elements, not lines ("line" in its rejections is the element's index).
  const read =
    manifest.input.container === 'json-array'
      ? `${n(counts.read)} array elements`
      : `${n(counts.read)} lines (${n(counts.blank)} blank)`;
  const lines = [
    `phikit prep: ${terminalSafe(manifest.input.name)} (${manifest.input.format}; ${manifest.input.formatDecision})`,
    `  read ${read}: ${n(counts.kept)} kept = ${n(counts.train)} train + ${n(counts.validation)} validation${counts.test === undefined ? '' : ` + ${n(counts.test)} test`}; ${n(counts.rejected)} rejected`,
  ];
  const reasons = (Object.entries(counts.rejectedByReason) as Array<[RejectReason, number]>).filter(
    ([, c]) => c > 0,
  );
  if (reasons.length > 0) {
    lines.push('  rejected by reason (details in rejected.jsonl):');
    for (const [reason, count] of reasons) {
      lines.push(`    ${reason.padEnd(22)} ${n(count).padStart(8)}  ${REASON_DESCRIPTIONS[reason]}`);
    }
  }
  if (manifest.tokens) {
    const { train } = manifest.tokens.perSplit;
    lines.push(
      `  tokens (${manifest.tokens.tokenizer}, limit ${n(manifest.tokens.maxTokens)}): train p50 ${n(train.total.p50)}, p95 ${n(train.total.p95)}, max ${n(train.total.max)}; ${n(train.assistant.sum)} assistant tokens trained; ${n(manifest.tokens.billedTokens)} billed for ${manifest.tokens.epochs} epoch(s)`,
    );
  }
  const balance = manifest.balance;
  if (balance && balance.mode !== 'none') {
    lines.push(
      `  balance ${balance.mode}: imbalance ${balance.before.imbalanceRatio} -> ${balance.after.imbalanceRatio}, normalized entropy ${balance.before.normalizedEntropy} -> ${balance.after.normalizedEntropy}`,
    );
  }
  const leakage = manifest.leakage;
  if (leakage && leakage.threshold !== false && leakage.clustersOverOneExample > 0) {
    lines.push(
      `  leakage: ${n(leakage.clustersOverOneExample)} ${leakage.clustersOverOneExample === 1 ? 'cluster' : 'clusters'} of similar examples (${n(leakage.examplesInThoseClusters)} examples, largest ${n(leakage.largestCluster)}) each kept on one side of the split`,
    );
  }
  for (const warning of manifest.warnings) lines.push(`  warning: ${terminalSafe(warning.message)}`);
  if (manifest.preflight) {
    const { status, checks } = manifest.preflight;
    const notable = checks.filter((check) => check.status === 'warn' || check.status === 'fail');
    lines.push(`  upload preflight (Azure): ${status}${notable.length > 0 ? '' : ', every check passed'}`);
    for (const check of notable)
      lines.push(`    ${check.status} ${check.file} ${check.check}: ${terminalSafe(check.message)}`);
  }
  const files =
    counts.test === undefined ? 'train,validation,rejected,index' : 'train,validation,test,rejected,index';
  const report = manifest.outputs.report ? ', report.html' : '';
  lines.push(`  wrote ${terminalSafe(outDir)}/{${files}}.jsonl, manifest.json${report}`);
  return `${lines.join('\n')}\n`;
}
