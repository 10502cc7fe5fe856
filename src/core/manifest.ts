// The shape of manifest.json: the provenance and figures of one `phikit prep` run.
// schemas/manifest.schema.json describes the same document for other tools; a test keeps them in step.
import type { RejectReason } from './reasons.js';

export type InputFormat =
  | 'messages'
  | 'sharegpt'
  | 'alpaca'
  | 'prompt-completion'
  | 'prompt-response'
  | 'question-answer'
  | 'dolly'
  | 'query-response'
  | 'input-output'
  | 'template'
  /** Turns read from the fields named by `--fields`. */
  | 'fields';

export interface StageFigures {
  name: string;
  /** Envelopes that reached the stage without a rejection. */
  in: number;
  /** Envelopes that left it without a rejection. */
  out: number;
  rejected: Partial<Record<RejectReason, number>>;
  ms: number;
  /** Stage-specific figures (cleaning actions, near-duplicate index size, ...). */
  details?: Record<string, unknown>;
}

export interface Distribution {
  p50: number;
  p90: number;
  p95: number;
  p99: number;
  max: number;
  mean: number;
  sum: number;
  n: number;
}

export interface TokenSplitFigures {
  total: Distribution;
  assistant: Distribution;
  /** Histogram of total tokens per example: `edges.length === counts.length + 1`. */
  histogram: { edges: number[]; counts: number[] };
}

export interface TokenFigures {
  tokenizer: string;
  maxTokens: number;
  epochs: number;
  perSplit: { train: TokenSplitFigures; validation: TokenSplitFigures };
  /** Training tokens billed: total tokens of train examples x epochs. */
  billedTokens: number;
}

export interface ScenarioFigures {
  /** Examples before balancing (after all per-record stages). */
  before: number;
  /** Examples after balancing. */
  after: number;
  train: number;
  validation: number;
  /** With a test split only. */
  test?: number;
}

export interface Warning {
  code: string;
  message: string;
  count: number;
  /** The first input lines concerned, when the warning is about lines. */
  lines?: number[];
}

/** A run of a character-level diff: kept, removed or added characters. */
export interface DiffPart {
  op: 'same' | 'removed' | 'added';
  text: string;
}

/** What one cleaning rule did over the run. */
export interface CleaningRuleFigures {
  enabled: boolean;
  /** Messages and examples it changed. */
  messages: number;
  examples: number;
  /** html only: messages with markup it kept as content, by reason (src/clean/html.ts). */
  kept?: Record<string, number>;
}

/** One change of one rule to one message, cut to a window around the change. */
export interface CleaningSample {
  line: number;
  /** Index of the message in the conversation, and its role. */
  message: number;
  role: string;
  /** The rule this sample shows. */
  rule: string;
  /** Every rule that changed this message, in order. */
  rules: string[];
  /** Where the window starts in the rule's input, in characters (0: the start). */
  at: number;
  /** Lengths of the rule's whole input and output, in characters. */
  beforeLength: number;
  afterLength: number;
  /** The rule's input and output inside the window. */
  before: string;
  after: string;
  /** before → after, character by character. */
  diff: DiffPart[];
}

export interface OutputFile {
  path: string;
  lines: number;
  bytes: number;
  sha256: string;
}

/** The resolved options of a run, every default filled in (`null`: not set). */
export type ManifestOptions = {
  format: 'auto' | InputFormat;
  scenarioField: string | null;
  scenarioBy: 'system' | null;
  /** The rules file's path, `inline` for rules given as an object. */
  scenarioRules: string | null;
  balance: string;
  minPerScenario: number | null;
  dropSmallScenarios: boolean;
  valRatio: number | null;
  valSize: number | null;
  /** With a test split only. */
  testRatio?: number | null;
  testSize?: number | null;
  seed: number;
  disableClean: string[];
  tokens:
    | {
        model: string;
        tokenizer: string;
        maxTokens: number;
        epochs: number;
        allowSpecialText: boolean;
        threads: number | null;
      }
    | false;
  nearDedup: { threshold: number; shingle: number } | false;
  leakThreshold: number | false;
  holdout: string | null;
  holdoutThreshold: number | null;
  /** `--fields` mapping as given (`user=q,assistant=a`), null when not set. */
  fields: string | null;
  /** Whether examples that use tool calling are kept (the model's template supports tools, or no tokens are counted). */
  tools: boolean;
  /** A UTF-8 byte-order mark at the start of train.jsonl and validation.jsonl. */
  bom: boolean;
  /** `--config`: the file's path as given and its sha256 (absent without one). */
  configFile?: { path: string; sha256: string };
};

/** A `near_duplicate` drop: the input lines of the kept and the dropped example. */
export type NearDuplicatePair = { kept: number; dropped: number; similarity: number };

/** The near-duplicate index: parameters, what it dropped, its memory. */
export type NearDuplicateFigures = {
  threshold: number | false;
  shingle: number;
  permutations: number;
  bands: number;
  rows: number;
  kept: number;
  /** Kept examples too short to compare by MinHash (never near-duplicates, never clustered). */
  keptWithTooFewShingles: number;
  minShingles: number;
  /** Characters per shingle in scripts written without spaces. */
  characterShingle: number;
  dropped: number;
  candidatePairs: number;
  leakThreshold: number | false;
  similarPairsJoined: number;
  indexBytes: number;
  bytesPerKeptExample: number;
  /** The first flagged pairs, in input order (absent in manifests from before it). */
  pairs?: NearDuplicatePair[];
};

export type DistributionFigures = {
  /** Examples per scenario. */
  distribution: Record<string, number>;
  /** Largest / smallest non-empty scenario (1 with one scenario, 0 with none). */
  imbalanceRatio: number;
  /** Shannon entropy over scenarios divided by ln(scenarios): 1 = even, -> 0 = one dominates. */
  normalizedEntropy: number;
};

export type BalanceFigures = {
  mode: string;
  minPerScenario: number | null;
  dropSmallScenarios: boolean;
  smallScenarios: string[];
  balancedOut: number;
  smallScenarioDropped: number;
  before: DistributionFigures;
  after: DistributionFigures;
};

/** A leakage cluster: its size, the input lines of its first members, the split it landed in. */
export type LeakageCluster = { size: number; lines: number[]; split: 'train' | 'validation' | 'test' };

export type LeakageFigures = {
  threshold: number | false;
  clustersOverOneExample: number;
  examplesInThoseClusters: number;
  largestCluster: number;
  clustersStraddlingSplit: number;
  validationShortfall: Array<{ scenario: string; target: number; validation: number }>;
  /** With a test split only. */
  testShortfall?: Array<{ scenario: string; target: number; test: number }>;
  /** The largest clusters, largest first (absent in manifests from before it). */
  largest?: LeakageCluster[];
};

export type HoldoutFigures = {
  path: string;
  threshold: number;
  holdoutExamples: number;
  holdoutUnreadable: number;
  holdoutTooFewShingles: number;
  contaminated: number;
};

export type PreflightStatus = 'pass' | 'warn' | 'fail' | 'skip';

/** One check Azure applies to an upload, with the rule and where the rule comes from. */
export interface PreflightCheck {
  check: string;
  status: PreflightStatus;
  /** Which upload file it is about. */
  file: 'train' | 'validation';
  message: string;
  rule: string;
  source: string;
  /** The first lines concerned (1-based lines of the uploaded file). */
  lines?: number[];
}

/** Billed tokens: training tokens x epochs, and their price when one was given. */
export interface PreflightCost {
  trainingTokens: number;
  epochs: number;
  billedTokens: number;
  pricePer1kTokens: number | null;
  price: number | null;
}

export interface PreflightFigures {
  model: string;
  /** The worst status of the checks (`skip` counts as pass). */
  status: 'pass' | 'warn' | 'fail';
  checks: PreflightCheck[];
  /** null when tokens were not counted. */
  cost: PreflightCost | null;
}

export interface Manifest {
  phikit: { version: string; node: string };
  input: {
    path: string;
    name: string;
    bytes: number;
    sha256: string;
    /** The format records were read as, and how it was decided. */
    format: InputFormat;
    formatDecision: string;
    container: 'jsonl' | 'json-array';
    gzip: boolean;
  };
  options: ManifestOptions;
  seed: number;
  counts: {
    /** Lines (or array elements) read, blank ones included. */
    read: number;
    blank: number;
    /** Non-blank lines: the ones that each end in exactly one output. */
    records: number;
    kept: number;
    train: number;
    validation: number;
    /** With a test split only. */
    test?: number;
    rejected: number;
    rejectedByReason: Record<RejectReason, number>;
  };
  /** Cleaning actions: how many messages each rule changed. */
  cleaning: Record<string, CleaningRuleFigures>;
  /** Per rule the first samples and then a spread over the file, in line order. */
  cleaningSamples: CleaningSample[];
  stages: StageFigures[];
  scenarios: Record<string, ScenarioFigures>;
  tokens?: TokenFigures;
  nearDuplicates?: NearDuplicateFigures;
  balance?: BalanceFigures;
  leakage?: LeakageFigures;
  /** `--holdout` decontamination figures. */
  holdout?: HoldoutFigures;
  /** Top-level keys phikit does not use (not written to the outputs) -> examples that had them. */
  unknownKeys: Record<string, number>;
  /** The upload checks Azure applies to train.jsonl and validation.jsonl. */
  preflight?: PreflightFigures;
  warnings: Warning[];
  /**
   * Every file of the set but manifest.json itself, keyed by name without extension
   * (`report` for report.html): readers check them against the folder (io/output-check.ts).
   */
  outputs: { train: OutputFile; validation: OutputFile; rejected: OutputFile; [name: string]: OutputFile };
  timings: { totalMs: number };
}
