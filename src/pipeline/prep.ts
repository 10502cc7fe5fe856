// `prep`: one streaming pass through the per-record stages, a plan made from compact
// signatures (balance, leakage-free split: pipeline/plan.ts), and a second pass over the
// spilled survivors to write train / validation / test / index / plan-time rejections.
// Memory: per surviving example 29 bytes (pipeline/survivors.ts) plus the stages' own
// signature indexes; examples themselves stay on disk (spill file in the output folder).
import { performance } from 'node:perf_hooks';
import type { Envelope, KeptEnvelope } from '../core/envelope.js';
import { PhikitError } from '../core/errors.js';
import type { Manifest, StageFigures } from '../core/manifest.js';
import { OutputSet } from '../io/output-set.js';
import { buildPrepReport } from '../report/prep-report.js';
import { planSplit, type Plan } from './plan.js';
import { resolvePrepConfig, type PrepConfig, type PrepOptions } from './prep-config.js';
import { buildManifest } from './prep-manifest.js';
import { PrepOutputs, type CommittedOutputs } from './prep-outputs.js';
import { buildStages, loadPrepHoldout, type PrepStages } from './prep-stages.js';
import { readEnvelopes, type EnvelopeSource } from './read.js';
import { routeSurvivors } from './route.js';
import { SurvivorSignatures } from './survivors.js';

export {
  DEFAULT_SEED,
  DEFAULT_VAL_RATIO,
  type PrepOptions,
  type PrepProgress,
  type TokenCheckOptions,
} from './prep-config.js';

export interface PrepResult {
  outDir: string;
  manifest: Manifest;
}

/**
 * Batches in flight. In this thread alone, two: the next is read while this one is finished.
 * With front workers, two per worker, so none waits for its next batch.
 */
const inFlightLimit = (stages: PrepStages): number => (stages.front ? 2 * stages.front.threads : 2);

export async function prep(inputPath: string, options: PrepOptions): Promise<PrepResult> {
  const started = performance.now();
  const config = await resolvePrepConfig(options);
  const set = await OutputSet.open(config.outDir, 'prep');
  try {
    return await prepInto(set, inputPath, config, started);
  } finally {
    await set.close();
  }
}

async function prepInto(
  set: OutputSet,
  inputPath: string,
  config: PrepConfig,
  started: number,
): Promise<PrepResult> {
  const holdout = await loadPrepHoldout(config);
  const source = await readEnvelopes(
    inputPath,
    config.format,
    (progress) => config.onProgress?.({ ...progress, phase: 'read' }),
    { maxLineBytes: config.maxLineBytes },
  );
  const stages = await buildStages(
    config,
    { format: source.decision.format, bytes: source.input.bytes },
    holdout,
  );
  const outputs = new PrepOutputs(set, {
    keepRawLines: config.balancing,
    testSplit: config.testSplit,
    bom: config.bom,
  });
  try {
    const firstPass = await runFirstPass(source, stages, outputs, config);
    const survivors = firstPass.survivors;
    const plan = planFromSurvivors(survivors, stages, config);
    const routed = await routeSurvivors(survivors, plan, outputs, config);
    const files = await outputs.commit();
    checkAccounting(source, files, outputs.rejectedTotal);
    const manifest = buildManifest({
      inputPath,
      config,
      source,
      stages,
      stageFigures: firstPass.stageFigures,
      scenarioNames: survivors.scenarioNames,
      lineOf: (i) => survivors.lineOf(i),
      plan,
      routed,
      files,
      outputs,
      totalMs: Math.round(performance.now() - started),
    });
    if (config.report) await stageReport(set, manifest);
    manifest.outputs = { ...manifest.outputs, ...set.outputs() };
    await set.commit(`${JSON.stringify(manifest, null, 2)}\n`);
    return { outDir: config.outDir, manifest };
  } catch (error) {
    await closeStages(stages);
    await outputs.abort();
    throw error;
  }
}

interface FirstPass {
  survivors: SurvivorSignatures;
  stageFigures: StageFigures[];
}

/**
 * Streams every record through the stages: rejections go straight to rejected.jsonl,
 * survivors to the spill file, their signatures into memory. Batches are written in input order.
 */
async function runFirstPass(
  source: EnvelopeSource,
  stages: PrepStages,
  outputs: PrepOutputs,
  config: PrepConfig,
): Promise<FirstPass> {
  const survivors = new SurvivorSignatures(config.seed);
  const readFigures: StageFigures = { name: 'read', in: 0, out: 0, rejected: {}, ms: 0 };
  // Waits only when a writer's buffer is full: no promise per record.
  const sink = async (batch: Envelope[]): Promise<void> => {
    for (const envelope of batch) {
      if (envelope.rejection) {
        const full = outputs.addRejected({ line: envelope.line, raw: envelope.raw, ...envelope.rejection });
        if (full) await full;
        continue;
      }
      // The runner checked that the stages provide what a kept envelope carries.
      const kept = envelope as KeptEnvelope;
      const { line, scenario, contentKey, nearOrdinal, tokens, hasSystem, unit } = kept;
      survivors.add({ line, scenario, contentKey, nearOrdinal, tokens, hasSystem, unit });
      const full = outputs.spillSurvivor(kept);
      if (full) await full;
    }
  };
  const inFlight: Array<{ batch: Envelope[]; done: Promise<void> }> = [];
  for await (const batch of source.batches) {
    countRead(readFigures, batch);
    stages.front?.send(batch);
    const done = stages.runner.run(batch);
    done.catch(() => undefined); // handled when awaited below, in order
    inFlight.push({ batch, done });
    if (inFlight.length >= inFlightLimit(stages)) {
      const oldest = inFlight.shift()!;
      await oldest.done;
      await sink(oldest.batch);
    }
  }
  for (const { batch, done } of inFlight) {
    await done;
    await sink(batch);
  }
  await closeStages(stages);
  await outputs.closeSpill();
  return { survivors, stageFigures: [readFigures, ...stages.runner.finish()] };
}

async function closeStages(stages: PrepStages): Promise<void> {
  await stages.runner.close();
  await stages.front?.close();
}

function countRead(figures: StageFigures, batch: Envelope[]): void {
  figures.in += batch.length;
  for (const envelope of batch) {
    const reason = envelope.rejection?.reason;
    if (reason) figures.rejected[reason] = (figures.rejected[reason] ?? 0) + 1;
    else figures.out++;
  }
}

/** Balance and split from the signatures alone. */
function planFromSurvivors(survivors: SurvivorSignatures, stages: PrepStages, config: PrepConfig): Plan {
  if (stages.near) survivors.resolveClusters((ordinal) => stages.near!.clusterOf(ordinal));
  const plan = planSplit(survivors.units(), survivors.scenarioNames.length, {
    balance: {
      mode: config.balance,
      minPerScenario: config.minPerScenario,
      dropSmall: config.dropSmallScenarios,
    },
    split: config.split,
  });
  if (plan.clusters.straddling > 0)
    throw new PhikitError(
      'INTERNAL',
      `${plan.clusters.straddling} near-duplicate clusters straddle the split`,
    );
  return plan;
}

function checkAccounting(source: EnvelopeSource, files: CommittedOutputs, rejected: number): void {
  const records = source.counts.read - source.counts.blank;
  const test = files.test?.lines ?? 0;
  if (files.train.lines + files.validation.lines + test + rejected !== records) {
    throw new PhikitError(
      'INTERNAL',
      `lost records: read ${records}, wrote ${files.train.lines} train + ${files.validation.lines} validation + ${test} test + ${rejected} rejected`,
    );
  }
}

/** report.html joins the set before the manifest; it is drawn from the manifest without itself. */
async function stageReport(set: OutputSet, manifest: Manifest): Promise<void> {
  await set.writeDocument('report.html', await buildPrepReport(manifest, (name) => set.stagingPath(name)));
}
