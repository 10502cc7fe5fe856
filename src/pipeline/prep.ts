// `prep`: one streaming pass through the per-record stages, a plan made from compact
// signatures, and a second pass over the spilled survivors to write train / validation.
// Memory: per surviving example a scenario index, a split unit and two token counts (20 bytes), plus the stages'
// own signature indexes; examples themselves stay on disk (spill file in the output folder,
// holding each survivor exactly as it will be written).
import { mkdir, rm, access, constants } from 'node:fs/promises';
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
import { createDedupeNearStage, type NearDedupeOptions } from '../stages/dedupe-near.js';
import { createParseStage } from '../stages/parse.js';
import { validationCounts, validationThreshold } from '../stages/split.js';
import { createValidateStage } from '../stages/validate.js';
import { createTokenLengthStage } from '../stages/token-length.js';
import { tokenFigures } from '../tokenize/figures.js';
import { modelPreset } from '../tokenize/presets.js';
import { readEnvelopes, type FormatOption, type ReadProgress } from './read.js';
import { StageRunner } from './stages.js';

export interface PrepOptions {
  /** Output folder; created if missing. */
  out: string;
  format?: FormatOption;
  scenarioField?: string;
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
  nearDedup?: NearDedupeOptions | false;
  /** More per-record stages, run last; see docs/ARCHITECTURE.md. */
  extraStages?: Stage[];
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
const TRAIN = 0;
const VALIDATION = 1;

export async function prep(inputPath: string, options: PrepOptions): Promise<PrepResult> {
  const started = performance.now();
  const seed = options.seed ?? DEFAULT_SEED;
  const valRatio = options.valRatio ?? DEFAULT_VAL_RATIO;
  checkOptions(options, valRatio);
  const outDir = resolve(options.out);
  await prepareOutDir(outDir);

  const source = await readEnvelopes(inputPath, options.format ?? 'auto', (progress) =>
    options.onProgress?.({ ...progress, phase: 'read' }),
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
  const nearStage = options.nearDedup === false ? undefined : createDedupeNearStage(options.nearDedup ?? {});
  const runner = new StageRunner([
    createParseStage(),
    createValidateStage({ format: source.decision.format, scenarioField: options.scenarioField }),
    clean,
    createDedupeExactStage(),
    ...tokenStage,
    ...(nearStage ? [nearStage] : []),
    ...(options.extraStages ?? []),
  ]);

  const rejected = new AtomicLineWriter(join(outDir, 'rejected.jsonl'));
  const spillPath = join(outDir, `.survivors.tmp-${process.pid}.jsonl`);
  const spill = new AtomicLineWriter(spillPath, { hash: false });
  const train = new AtomicLineWriter(join(outDir, 'train.jsonl'));
  const validation = new AtomicLineWriter(join(outDir, 'validation.jsonl'));
  const writers = [rejected, spill, train, validation];

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
        if (envelope.tokens) {
          survivorTotalTokens.push(envelope.tokens.total);
          survivorAssistantTokens.push(envelope.tokens.assistant);
        }
        await spill.writeLine(envelope.serialized!);
      }
    };
    // Two batches in flight: the next one is parsed and cleaned while the token workers count
    // this one. Batches are written in input order.
    const inFlight: Array<{ batch: Envelope[]; done: Promise<void> }> = [];
    for await (const batch of source.batches) {
      readFigures.in += batch.length;
      for (const envelope of batch) {
        if (envelope.rejection)
          readFigures.rejected.invalid_utf8 = (readFigures.rejected.invalid_utf8 ?? 0) + 1;
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

    // Plan the split from the signatures alone.
    const sizes = scenarioNames.map(() => 0);
    for (const index of survivorScenario.view()) sizes[index]!++;
    const counts = validationCounts(sizes, { valRatio, valSize: options.valSize });
    // One pass to bucket the units by scenario, then a threshold per scenario.
    const unitsByScenario = sizes.map((size) => new Float64Array(size));
    const filled = sizes.map(() => 0);
    for (let i = 0; i < survivorScenario.length; i++) {
      const s = survivorScenario.get(i);
      unitsByScenario[s]![filled[s]!++] = survivorUnit.get(i);
    }
    const thresholds = unitsByScenario.map((units, s) => validationThreshold(units, counts[s]!));

    // Second pass: route each survivor, in input order.
    const scenarios: Record<string, ScenarioFigures> = {};
    for (const [s, name] of scenarioNames.entries()) {
      scenarios[name] = { before: sizes[s]!, after: sizes[s]!, train: 0, validation: 0 };
    }
    const splitTokens: { train: TokenCounts[]; validation: TokenCounts[] } = { train: [], validation: [] };
    let ordinal = 0;
    for await (const { text } of readLines(createReadStream(spillPath))) {
      const s = survivorScenario.get(ordinal);
      const side = survivorUnit.get(ordinal) <= thresholds[s]! ? VALIDATION : TRAIN;
      ordinal++;
      if (tokenCheck) {
        splitTokens[side === VALIDATION ? 'validation' : 'train'].push({
          total: survivorTotalTokens.get(ordinal - 1),
          assistant: survivorAssistantTokens.get(ordinal - 1),
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
        valRatio: options.valSize === undefined ? valRatio : null,
        valSize: options.valSize ?? null,
        seed,
        disableClean: options.disableClean ?? [],
        tokens: tokenCheck ? { ...tokenCheck, threads: tokenCheck.threads ?? null } : false,
        nearDedup: options.nearDedup === false ? false : { threshold: 0.8, shingle: 3, ...options.nearDedup },
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
      ...(nearStage ? { nearDuplicates: nearStage.summary!() } : {}),
      ...(tokenCheck
        ? {
            tokens: tokenFigures(splitTokens, {
              tokenizer: tokenCheck.tokenizer,
              maxTokens: tokenCheck.maxTokens,
              epochs: tokenCheck.epochs,
            }),
          }
        : {}),
      warnings: warningsFor(
        outputs.train.lines,
        examplesWithoutSystem,
        outputs.train.lines + outputs.validation.lines,
      ),
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
    throw error;
  }
}

function checkOptions(options: PrepOptions, valRatio: number): void {
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
