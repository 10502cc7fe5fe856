// Commander flags of `prep` -> PrepOptions: one mapping for every flag group (tokens,
// near-duplicates, balance, holdout).
import type { FormatOption } from '../pipeline/read.js';
import type { PrepOptions } from '../pipeline/prep.js';
import { FORMATS as INPUT_FORMATS } from '../formats/detect.js';

/** `fields` is not a choice: `--fields` names the mapping and implies it. */
export const FORMAT_CHOICES = ['auto', ...INPUT_FORMATS];

export interface PrepFlags {
  out: string;
  format: FormatOption;
  fields?: string;
  scenarioField?: string;
  scenarioBy?: 'system';
  scenarioRules?: string;
  balance: string;
  minPerScenario?: number;
  dropSmallScenarios?: boolean;
  leakSplit: boolean;
  leakThreshold: number;
  holdout?: string;
  holdoutThreshold: number;
  valRatio: number;
  valSize?: number;
  testRatio?: number;
  testSize?: number;
  seed: number;
  tokens: boolean;
  nearDedup: boolean;
  nearDupThreshold: number;
  shingle: number;
  model?: string;
  tokenizer?: string;
  maxTokens?: number;
  epochs?: number;
  allowSpecialText?: boolean;
  threads?: number;
  maxLineBytes?: number;
  bom?: boolean;
  report: boolean;
  json?: boolean;
  quiet?: boolean;
  [flag: string]: unknown;
}

export function prepOptionsFromFlags(flags: PrepFlags): PrepOptions {
  return {
    out: flags.out,
    format: flags.format,
    fields: flags.fields,
    scenarioField: flags.scenarioField,
    scenarioBy: flags.scenarioBy,
    scenarioRules: flags.scenarioRules,
    balance: flags.balance,
    minPerScenario: flags.minPerScenario,
    dropSmallScenarios: flags.dropSmallScenarios,
    leakThreshold: flags.leakSplit ? flags.leakThreshold : false,
    holdout: flags.holdout,
    holdoutThreshold: flags.holdoutThreshold,
    valRatio: flags.valRatio,
    valSize: flags.valSize,
    testRatio: flags.testRatio,
    testSize: flags.testSize,
    seed: flags.seed,
    tokens: flags.tokens
      ? {
          model: flags.model,
          tokenizer: flags.tokenizer,
          maxTokens: flags.maxTokens,
          epochs: flags.epochs,
          allowSpecialText: flags.allowSpecialText,
        }
      : false,
    threads: flags.threads,
    nearDedup: flags.nearDedup ? { threshold: flags.nearDupThreshold, shingle: flags.shingle } : false,
    maxLineBytes: flags.maxLineBytes,
    bom: flags.bom === true,
    report: flags.report,
  };
}
