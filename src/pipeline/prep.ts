// `prep`: one streaming pass through the per-record stages, a plan made from compact
// signatures (balance, leakage-free split: pipeline/plan.ts), and a second pass over the
// spilled survivors to write train / validation / plan-time rejections.
// Memory: per surviving example a scenario index, a split unit, its line, its near-duplicate
// store ordinal and two token counts (28 bytes), plus the stages' own signature indexes;
// examples themselves stay on disk (spill file in the output folder, holding each survivor
// exactly as it will be written).
import { mkdir, rm, access, constants, readFile } from 'node:fs/promises';
import { createReadStream } from 'node:fs';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import type { Envelope, Stage, TokenCounts } from '../core/envelope.js';
import { PhikitError } from '../core/errors.js';
import { GrowableFloat64, GrowableUint32 } from '../core/growable.js';
import { seededUnit } from '../core/hash.js';
import type { InputFormat, Manifest, ScenarioFigures, StageFigures, Warning } from '../core/manifest.js';
import { REJECT_REASONS, type RejectReason } from '../core/reasons.js';
import { VERSION } from '../core/version.js';
import type { CleanRule } from '../clean/rules.js';
import { AtomicLineWriter, writeFileAtomic } from '../io/atomic-writer.js';
import { readLines } from '../io/line-reader.js';
import { writePrepReport } from '../report/prep-report.js';
import { createCleanStage } from '../stages/clean.js';
import { createDedupeExactStage } from '../stages/dedupe-exact.js';
import {
  createDedupeNearStage,
  DEFAULT_LEAK_THRESHOLD,
  DEFAULT_NEAR_THRESHOLD,
  DEFAULT_SHINGLE,
} from '../stages/dedupe-near.js';
import { createDecontaminateStage } from '../stages/decontaminate.js';
import { createParseStage } from '../stages/parse.js';
import { distributionFigures, formatBalance, parseBalance, type BalanceMode } from '../stages/balance.js';
import { compileScenarioRules, type ScenarioRulesFile, type ScenarioSource } from '../stages/scenario.js';
import { createValidateStage } from '../stages/validate.js';
import { createTokenLengthStage } from '../stages/token-length.js';
import { tokenFigures } from '../tokenize/figures.js';
import { modelPreset } from '../tokenize/presets.js';
import { loadHoldout } from './holdout.js';
import { BALANCED_OUT, planSplit, SMALL_SCENARIO, VALIDATION, type Plan } from './plan.js';
import { readEnvelopes, type FormatOption, type ReadProgress } from './read.js';
import { StageRunner } from './stages.js';

export interface PrepOptions {
  /** Output folder; created if missing. */
  out: string;
  format?: FormatOption;
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
  /** Longest input line kept, in bytes (default 16 MiB); a longer one is `too_large`. */
  maxLineBytes?: number;
  /** Write report.html (default true). */
  report?: boolean;
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

export interface PrepResult {
  outDir: string;
  manifest: Manifest;
}

export const DEFAULT_SEED = 42;
export const DEFAULT_VAL_RATIO = 0.1;

const BATCHES_IN_FLIGHT = 2;

export async function prep(inputPath: string, options: PrepOptions): Promise<PrepResult> {
  const started = performance.now();
  const seed = options.seed ?? DEFAULT_SEED;
  const valRatio = options.valRatio ?? DEFAULT_VAL_RATIO;
  checkOptions(options, valRatio);
  const balance =
    typeof options.balance === 'string'
      ? parseBalance(options.balance)
      : (options.balance ?? { kind: 'none' });
  const scenarioSource = await resolveScenarioSource(options);
  const near = resolveNear(options);
  const outDir = resolve(options.out);
  await prepareOutDir(outDir);
  const holdout = options.holdout
    ? await loadHoldout(options.holdout, {
        threshold: near.holdoutThreshold,
        shingle: near.shingle,
        disableClean: options.disableClean,
      })
    : undefined;

  const source = await readEnvelopes(
    inputPath,
    options.format ?? 'auto',
    (progress) => options.onProgress?.({ ...progress, phase: 'read' }),
    { maxLineBytes: options.maxLineBytes },
  );
  const clean = createCleanStage({ disabled: options.disableClean ?? [] });
  const tokenCheck = resolveTokenCheck(options.tokens);
  const tokenStage = tokenCheck
    ? [
        await createTokenLengthStage({
          tokenizer: tokenCheck.tokenizer,
          maxTokens: tokenCheck.maxTokens,
          allowSpecialText: tokenCheck.allowSpecialText,
          threads: tokenCheck.threads,
        }),
      ]
    : [];
  const decontaminate = holdout ? createDecontaminateStage(holdout, near.shingle) : undefined;
  const nearStage =
    near.threshold === false && near.leakThreshold === false
      ? undefined
      : createDedupeNearStage({
          threshold: near.threshold,
          shingle: near.shingle,
          leakThreshold: near.leakThreshold,
        });
  const runner = new StageRunner([
    createParseStage(),
    createValidateStage({ format: source.decision.format, scenario: scenarioSource }),
    clean,
    createDedupeExactStage(),
    ...tokenStage,
    ...(decontaminate ? [decontaminate] : []),
    ...(nearStage ? [nearStage] : []),
    ...(options.extraStages ?? []),
  ]);

  const rejected = new AtomicLineWriter(join(outDir, 'rejected.jsonl'));
  const spillPath = join(outDir, `.survivors.tmp-${process.pid}.jsonl`);
  const spill = new AtomicLineWriter(spillPath, { hash: false });
  // When balancing may drop survivors, their original lines are spilled too, so rejected.jsonl
  // carries them exactly as read (JSON-quoted: array elements may span lines).
  const balancing = balance.kind !== 'none' || options.dropSmallScenarios === true;
  const rawSpillPath = join(outDir, `.survivors-raw.tmp-${process.pid}.jsonl`);
  const rawSpill = balancing ? new AtomicLineWriter(rawSpillPath, { hash: false }) : undefined;
  const train = new AtomicLineWriter(join(outDir, 'train.jsonl'));
  const validation = new AtomicLineWriter(join(outDir, 'validation.jsonl'));
  const writers = [rejected, spill, train, validation, ...(rawSpill ? [rawSpill] : [])];

  const rejectedByReason = Object.fromEntries(REJECT_REASONS.map((reason) => [reason, 0])) as Record<
    RejectReason,
    number
  >;
  const writeRejection = async (
    line: number,
    raw: string,
    reason: RejectReason,
    message: string,
    detail?: object,
  ) => {
    rejectedByReason[reason]++;
    await rejected.writeLine(JSON.stringify({ line, reason, message, raw, ...(detail ? { detail } : {}) }));
  };

  // Compact signatures of the survivors, in input order.
  const scenarioIndex = new Map<string, number>();
  const scenarioNames: string[] = [];
  const survivorScenario = new GrowableUint32();
  const survivorUnit = new GrowableFloat64();
  const survivorLine = new GrowableUint32();
  const survivorCluster = new GrowableUint32();
  const survivorTotalTokens = new GrowableUint32();
  const survivorAssistantTokens = new GrowableUint32();
  const readFigures: StageFigures = { name: 'read', in: 0, out: 0, rejected: {}, ms: 0 };
  let examplesWithoutSystem = 0;

  try {
    const sink = async (batch: Envelope[]): Promise<void> => {
      for (const envelope of batch) {
        if (envelope.rejection) {
          const { reason, message, detail } = envelope.rejection;
          await writeRejection(envelope.line, envelope.raw, reason, message, detail);
          continue;
        }
        const example = envelope.example!;
        if (example.messages[0]?.role !== 'system') examplesWithoutSystem++;
        let index = scenarioIndex.get(envelope.scenario);
        if (index === undefined) {
          index = scenarioNames.length;
          scenarioIndex.set(envelope.scenario, index);
          scenarioNames.push(envelope.scenario);
        }
        survivorScenario.push(index);
        survivorUnit.push(seededUnit(seed, envelope.scenario, envelope.contentKey!));
        survivorLine.push(envelope.line);
        // Store ordinal now, its cluster once all similar pairs are known; else its own.
        survivorCluster.push(envelope.nearOrdinal ?? survivorLine.length - 1);
        if (envelope.tokens) {
          survivorTotalTokens.push(envelope.tokens.total);
          survivorAssistantTokens.push(envelope.tokens.assistant);
        }
        await spill.writeLine(envelope.serialized!);
        await rawSpill?.writeLine(JSON.stringify(envelope.raw));
      }
    };
    // Two batches in flight: the next one is parsed and cleaned while the token workers count
    // this one. Batches are written in input order.
    const inFlight: Array<{ batch: Envelope[]; done: Promise<void> }> = [];
    for await (const batch of source.batches) {
      readFigures.in += batch.length;
      for (const envelope of batch) {
        const readReason = envelope.rejection?.reason;
        if (readReason) readFigures.rejected[readReason] = (readFigures.rejected[readReason] ?? 0) + 1;
        else readFigures.out++;
      }
      const done = runner.run(batch);
      done.catch(() => undefined); // handled when awaited below, in order
      inFlight.push({ batch, done });
      if (inFlight.length >= BATCHES_IN_FLIGHT) {
        const oldest = inFlight.shift()!;
        await oldest.done;
        await sink(oldest.batch);
      }
    }
    for (const { batch, done } of inFlight) {
      await done;
      await sink(batch);
    }
    await runner.close();
    await spill.commit();
    await rawSpill?.commit();

    // Plan balance and split from the signatures alone.
    if (nearStage) {
      for (let i = 0; i < survivorCluster.length; i++)
        survivorCluster.set(i, nearStage.clusterOf(survivorCluster.get(i)));
    }
    const plan = planSplit(
      {
        count: survivorScenario.length,
        scenario: (i) => survivorScenario.get(i),
        unit: (i) => survivorUnit.get(i),
        cluster: (i) => survivorCluster.get(i),
        clusterIds: survivorCluster.view().reduce((max, c) => Math.max(max, c + 1), 0),
      },
      scenarioNames.length,
      {
        balance: {
          mode: balance,
          minPerScenario: options.minPerScenario,
          dropSmall: options.dropSmallScenarios,
        },
        split: { valRatio, valSize: options.valSize },
      },
    );
    if (plan.clusters.straddling > 0)
      throw new PhikitError(
        'INTERNAL',
        `${plan.clusters.straddling} near-duplicate clusters straddle the split`,
      );

    // Second pass: route each survivor, in input order.
    const scenarios: Record<string, ScenarioFigures> = {};
    for (const [s, name] of scenarioNames.entries()) {
      scenarios[name] = { before: plan.sizes[s]!, after: plan.keep[s]!, train: 0, validation: 0 };
    }
    const splitTokens: { train: TokenCounts[]; validation: TokenCounts[] } = { train: [], validation: [] };
    let ordinal = 0;
    const rawLines = rawSpill ? readLines(createReadStream(rawSpillPath))[Symbol.asyncIterator]() : undefined;
    for await (const { text } of readLines(createReadStream(spillPath))) {
      const i = ordinal++;
      const s = survivorScenario.get(i);
      const side = plan.side[i]!;
      const raw = await rawLines?.next();
      if (side === BALANCED_OUT || side === SMALL_SCENARIO) {
        const { reason, message, detail } = planRejection(side, scenarioNames[s]!, s, plan, balance, options);
        await writeRejection(
          survivorLine.get(i),
          JSON.parse(raw!.value!.text) as string,
          reason,
          message,
          detail,
        );
        continue;
      }
      if (tokenCheck) {
        splitTokens[side === VALIDATION ? 'validation' : 'train'].push({
          total: survivorTotalTokens.get(i),
          assistant: survivorAssistantTokens.get(i),
        });
      }
      const figures = scenarios[scenarioNames[s]!]!;
      if (side === VALIDATION) {
        figures.validation++;
        await validation.writeLine(text);
      } else {
        figures.train++;
        await train.writeLine(text);
      }
    }
    await rm(spillPath, { force: true });
    await rm(rawSpillPath, { force: true });

    const outputs = {
      train: await train.commit(),
      validation: await validation.commit(),
      rejected: await rejected.commit(),
    };
    const records = source.counts.read - source.counts.blank;
    const rejectedTotal = Object.values(rejectedByReason).reduce((sum, n) => sum + n, 0);
    if (outputs.train.lines + outputs.validation.lines + rejectedTotal !== records) {
      throw new PhikitError(
        'INTERNAL',
        `lost records: read ${records}, wrote ${outputs.train.lines} train + ${outputs.validation.lines} validation + ${rejectedTotal} rejected`,
      );
    }
    const cleanSummary = clean.cleanSummary();
    const manifest: Manifest = {
      phikit: { version: VERSION, node: process.version },
      input: {
        path: inputPath,
        name: source.input.name,
        bytes: source.input.bytes,
        sha256: source.input.sha256(),
        format: source.decision.format as InputFormat,
        formatDecision: source.decision.reason,
        container: source.input.container,
        gzip: source.input.gzip,
      },
      options: {
        format: options.format ?? 'auto',
        scenarioField: options.scenarioField ?? null,
        scenarioBy: options.scenarioBy ?? null,
        scenarioRules:
          typeof options.scenarioRules === 'string'
            ? options.scenarioRules
            : options.scenarioRules
              ? 'inline'
              : null,
        balance: formatBalance(balance),
        minPerScenario: options.minPerScenario ?? null,
        dropSmallScenarios: options.dropSmallScenarios ?? false,
        valRatio: options.valSize === undefined ? valRatio : null,
        valSize: options.valSize ?? null,
        seed,
        disableClean: options.disableClean ?? [],
        tokens: tokenCheck ? { ...tokenCheck, threads: tokenCheck.threads ?? null } : false,
        nearDedup: near.threshold === false ? false : { threshold: near.threshold, shingle: near.shingle },
        leakThreshold: near.leakThreshold,
        holdout: options.holdout ?? null,
        holdoutThreshold: options.holdout ? near.holdoutThreshold : null,
      },
      seed,
      counts: {
        read: source.counts.read,
        blank: source.counts.blank,
        records,
        kept: outputs.train.lines + outputs.validation.lines,
        train: outputs.train.lines,
        validation: outputs.validation.lines,
        rejected: rejectedTotal,
        rejectedByReason,
      },
      cleaning: cleanSummary.cleaning,
      cleaningSamples: cleanSummary.cleaningSamples,
      stages: [readFigures, ...runner.finish()],
      scenarios,
      ...(nearStage && near.threshold !== false ? { nearDuplicates: nearStage.summary!() } : {}),
      balance: balanceFigures(plan, scenarioNames, balance, options),
      leakage: leakageFigures(plan, scenarioNames, near.leakThreshold),
      ...(decontaminate ? { holdout: decontaminate.summary!() } : {}),
      ...(tokenCheck
        ? {
            tokens: tokenFigures(splitTokens, {
              tokenizer: tokenCheck.tokenizer,
              maxTokens: tokenCheck.maxTokens,
              epochs: tokenCheck.epochs,
            }),
          }
        : {}),
      warnings: [
        ...warningsFor(
          outputs.train.lines,
          examplesWithoutSystem,
          outputs.train.lines + outputs.validation.lines,
        ),
        ...planWarnings(plan, scenarioNames, options),
      ],
      outputs: {
        train: { ...outputs.train, path: 'train.jsonl' },
        validation: { ...outputs.validation, path: 'validation.jsonl' },
        rejected: { ...outputs.rejected, path: 'rejected.jsonl' },
      },
      timings: { totalMs: Math.round(performance.now() - started) },
    };
    await writeFileAtomic(join(outDir, 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`);
    if (options.report !== false) await writePrepReport(outDir);
    return { outDir, manifest };
  } catch (error) {
    await runner.close();
    for (const writer of writers) await writer.abort();
    await rm(spillPath, { force: true });
    await rm(rawSpillPath, { force: true });
    throw error;
  }
}

interface ResolvedNear {
  threshold: number | false;
  shingle: number;
  leakThreshold: number | false;
  holdoutThreshold: number;
}

function resolveNear(options: PrepOptions): ResolvedNear {
  const nearOptions = options.nearDedup === false ? undefined : options.nearDedup;
  const resolved: ResolvedNear = {
    threshold: options.nearDedup === false ? false : (nearOptions?.threshold ?? DEFAULT_NEAR_THRESHOLD),
    shingle: nearOptions?.shingle ?? DEFAULT_SHINGLE,
    leakThreshold: options.leakThreshold ?? DEFAULT_LEAK_THRESHOLD,
    holdoutThreshold: options.holdoutThreshold ?? DEFAULT_LEAK_THRESHOLD,
  };
  const similarity = (flag: string, value: number | false) => {
    if (value !== false && !(value > 0 && value <= 1))
      throw new PhikitError(
        'USAGE',
        `${flag} must be above 0 and at most 1 (got ${value})`,
        `e.g. ${flag} 0.8`,
      );
  };
  similarity('--near-dup-threshold', resolved.threshold);
  similarity('--leak-threshold', resolved.leakThreshold);
  similarity('--holdout-threshold', resolved.holdoutThreshold);
  if (!(Number.isInteger(resolved.shingle) && resolved.shingle >= 1))
    throw new PhikitError('USAGE', `--shingle must be a whole number >= 1 (got ${resolved.shingle})`);
  return resolved;
}

async function resolveScenarioSource(options: PrepOptions): Promise<ScenarioSource | undefined> {
  const given = [
    options.scenarioField !== undefined && '--scenario-field',
    options.scenarioBy !== undefined && '--scenario-by',
    options.scenarioRules !== undefined && '--scenario-rules',
  ].filter(Boolean);
  if (given.length > 1)
    throw new PhikitError('USAGE', `${given.join(' and ')} both name the scenario; give one`);
  if (options.scenarioField !== undefined) return { by: 'field', path: options.scenarioField };
  if (options.scenarioBy !== undefined) {
    if (options.scenarioBy !== 'system')
      throw new PhikitError('USAGE', `--scenario-by must be system (got ${String(options.scenarioBy)})`);
    return { by: 'system' };
  }
  if (options.scenarioRules === undefined) return undefined;
  if (typeof options.scenarioRules !== 'string')
    return { by: 'rules', rules: compileScenarioRules(options.scenarioRules, 'scenario rules') };
  const path = options.scenarioRules;
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new PhikitError(
      'INPUT_NOT_FOUND',
      `cannot read --scenario-rules ${path} (${(error as NodeJS.ErrnoException).code ?? 'error'})`,
      'give the path of a rules.json file',
    );
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new PhikitError('CONFIG_INVALID', `${path} is not valid JSON (${(error as Error).message})`);
  }
  return { by: 'rules', rules: compileScenarioRules(value, path) };
}

function planRejection(
  side: number,
  name: string,
  s: number,
  plan: Plan,
  balance: BalanceMode,
  options: PrepOptions,
): { reason: RejectReason; message: string; detail: Record<string, unknown> } {
  const size = plan.sizes[s]!;
  const label = JSON.stringify(name);
  if (side === SMALL_SCENARIO) {
    return {
      reason: 'small_scenario',
      message: `scenario ${label} has ${size} examples, fewer than --min-per-scenario ${options.minPerScenario} (--drop-small-scenarios drops it)`,
      detail: { scenario: name, examples: size, minPerScenario: options.minPerScenario },
    };
  }
  const why =
    balance.kind === 'ratio'
      ? `--balance ${formatBalance(balance)}: at most ${balance.r} x the smallest scenario`
      : `--balance ${formatBalance(balance)}`;
  return {
    reason: 'balanced_out',
    message: `scenario ${label} balanced down to ${plan.keep[s]} of ${size} examples (${why}); a seeded choice, stable across runs`,
    detail: { scenario: name, kept: plan.keep[s], of: size },
  };
}

function balanceFigures(
  plan: Plan,
  names: string[],
  balance: BalanceMode,
  options: PrepOptions,
): Record<string, unknown> {
  let balancedOut = 0;
  let smallDropped = 0;
  for (const side of plan.side) {
    if (side === BALANCED_OUT) balancedOut++;
    else if (side === SMALL_SCENARIO) smallDropped++;
  }
  return {
    mode: formatBalance(balance),
    minPerScenario: options.minPerScenario ?? null,
    dropSmallScenarios: options.dropSmallScenarios ?? false,
    smallScenarios: names.filter((_, s) => plan.small[s]),
    balancedOut,
    smallScenarioDropped: smallDropped,
    before: distributionFigures(names, plan.sizes),
    after: distributionFigures(names, plan.keep),
  };
}

function leakageFigures(plan: Plan, names: string[], threshold: number | false): Record<string, unknown> {
  return {
    threshold,
    clustersOverOneExample: plan.clusters.multi,
    examplesInThoseClusters: plan.clusters.examples,
    largestCluster: plan.clusters.largest,
    clustersStraddlingSplit: plan.clusters.straddling,
    validationShortfall: names
      .map((scenario, s) => ({ scenario, target: plan.targets[s]!, validation: plan.validation[s]! }))
      .filter(({ target, validation }) => validation < target),
  };
}

function planWarnings(plan: Plan, names: string[], options: PrepOptions): Warning[] {
  const warnings: Warning[] = [];
  const small = names.filter((_, s) => plan.small[s]);
  if (small.length > 0 && !options.dropSmallScenarios) {
    warnings.push({
      code: 'small_scenario',
      message: `${small.length} scenario(s) have fewer than --min-per-scenario ${options.minPerScenario} examples (kept; --drop-small-scenarios drops them): ${small.map((name) => JSON.stringify(name)).join(', ')}`,
      count: small.length,
    });
  }
  const short = names.filter((_, s) => plan.validation[s]! < plan.targets[s]!);
  if (short.length > 0) {
    const missing = names.reduce((sum, _, s) => sum + plan.targets[s]! - plan.validation[s]!, 0);
    warnings.push({
      code: 'validation_shortfall',
      message: `validation has ${missing} fewer examples than planned in ${short.length} scenario(s), because their near-duplicate clusters are too large to move whole`,
      count: missing,
    });
  }
  return warnings;
}

function checkOptions(options: PrepOptions, valRatio: number): void {
  if (
    options.minPerScenario !== undefined &&
    !(Number.isInteger(options.minPerScenario) && options.minPerScenario >= 0)
  ) {
    throw new PhikitError(
      'USAGE',
      `--min-per-scenario must be a whole number >= 0 (got ${options.minPerScenario})`,
    );
  }
  if (options.dropSmallScenarios && options.minPerScenario === undefined) {
    throw new PhikitError(
      'USAGE',
      '--drop-small-scenarios needs --min-per-scenario N',
      'e.g. --min-per-scenario 20 --drop-small-scenarios',
    );
  }
  if (!(valRatio >= 0 && valRatio < 1)) {
    throw new PhikitError(
      'USAGE',
      `--val-ratio must be at least 0 and below 1 (got ${valRatio})`,
      'e.g. --val-ratio 0.1',
    );
  }
  if (options.valSize !== undefined && !(Number.isInteger(options.valSize) && options.valSize >= 0)) {
    throw new PhikitError('USAGE', `--val-size must be a whole number >= 0 (got ${options.valSize})`);
  }
  if (options.seed !== undefined && !Number.isInteger(options.seed)) {
    throw new PhikitError('USAGE', `--seed must be an integer (got ${options.seed})`);
  }
}

async function prepareOutDir(outDir: string): Promise<void> {
  try {
    await mkdir(outDir, { recursive: true });
    await access(outDir, constants.W_OK);
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code ?? 'error';
    throw new PhikitError(
      'OUTPUT_UNWRITABLE',
      `cannot write to ${outDir} (${reason})`,
      'choose another --out folder, or fix its permissions',
    );
  }
}

interface ResolvedTokenCheck {
  model: string;
  tokenizer: string;
  maxTokens: number;
  epochs: number;
  allowSpecialText: boolean;
  threads?: number;
}

function resolveTokenCheck(options: TokenCheckOptions | false | undefined): ResolvedTokenCheck | undefined {
  if (options === false) return undefined;
  const model = options?.model ?? 'phi-3-mini-4k';
  const preset = modelPreset(model);
  const resolved: ResolvedTokenCheck = {
    model,
    tokenizer: options?.tokenizer ?? preset.tokenizer,
    maxTokens: options?.maxTokens ?? preset.maxTokens,
    epochs: options?.epochs ?? 1,
    allowSpecialText: options?.allowSpecialText ?? false,
    threads: options?.threads,
  };
  if (!(Number.isInteger(resolved.maxTokens) && resolved.maxTokens > 0)) {
    throw new PhikitError('USAGE', `--max-tokens must be a whole number >= 1 (got ${resolved.maxTokens})`);
  }
  if (!(Number.isInteger(resolved.epochs) && resolved.epochs > 0)) {
    throw new PhikitError('USAGE', `--epochs must be a whole number >= 1 (got ${resolved.epochs})`);
  }
  return resolved;
}

function warningsFor(train: number, withoutSystem: number, kept: number): Warning[] {
  const warnings: Warning[] = [];
  if (train < 10) {
    warnings.push({
      code: 'few_examples',
      message: `only ${train} training examples: fine-tuning needs at least 10, and usually 50-100 or more`,
      count: train,
    });
  }
  if (withoutSystem > 0) {
    warnings.push({
      code: 'missing_system',
      message: `${withoutSystem} of ${kept} examples have no system message`,
      count: withoutSystem,
    });
  }
  return warnings;
}
