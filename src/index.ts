// The public API of phikit. The CLI (src/cli) is a thin layer over these functions.
export { prep } from './pipeline/prep.js';
export { DEFAULT_SEED, DEFAULT_VAL_RATIO, DEFAULT_EPOCHS } from './pipeline/prep-config.js';
export { DEFAULT_NEAR_THRESHOLD, DEFAULT_LEAK_THRESHOLD, DEFAULT_SHINGLE } from './stages/dedupe-near.js';
export type { PrepOptions, PrepResult, PrepProgress, TokenCheckOptions } from './pipeline/prep.js';
export { validate, DEFAULT_MAX_ERRORS } from './pipeline/validate.js';
export type { ValidateOptions, ValidateResult, LineProblem } from './pipeline/validate.js';
export type { FormatOption } from './pipeline/read.js';
export { parseBalance } from './stages/balance.js';
export type { BalanceMode } from './stages/balance.js';
export { systemPromptLabel } from './stages/scenario.js';
export type { ScenarioRulesFile } from './stages/scenario.js';
export { PhikitError, isPhikitError } from './core/errors.js';
export type { PhikitErrorCode } from './core/errors.js';
export { REJECT_REASONS, REASON_DESCRIPTIONS } from './core/reasons.js';
export type { RejectReason } from './core/reasons.js';
export type { ChatExample, ChatMessage, Role } from './core/example.js';
export type { Envelope, Stage, Rejection, TokenCounts } from './core/envelope.js';
export type { Manifest, InputFormat, TokenFigures, StageFigures } from './core/manifest.js';
export { CLEAN_RULES, CLEAN_RULE_DESCRIPTIONS } from './clean/rules.js';
export type { CleanRule } from './clean/rules.js';
export { checkChatExample } from './schema/chat.js';
export { loadTokenizer } from './tokenize/load.js';
export type { ChatTokenizer } from './tokenize/chat.js';
export { MODEL_PRESETS } from './tokenize/presets.js';
export { VERSION } from './core/version.js';
export { countTokens } from './pipeline/tokens.js';
export { preflight, AZURE_LIMITS } from './pipeline/preflight.js';
export type { PreflightOptions, PreflightResult, PreflightLimits } from './pipeline/preflight.js';
export type { TokensOptions, TokenRow, TokensSummary } from './pipeline/tokens.js';
export type { DifferentialSummary, TokenizerDifference } from './tokenize/differential.js';
export { tokenFigures } from './tokenize/figures.js';
export { createTokenLengthStage } from './stages/token-length.js';
export { evaluate } from './eval/run.js';
export type { EvaluateOptions, EvaluateResult } from './eval/run.js';
export { rescore } from './eval/rescore.js';
export type { RescoreOptions, RescoreResult } from './eval/rescore.js';
export { BUILT_IN_SCORERS } from './metrics/scorers.js';
export type { Scorer, ScorerFunction, ScoredExample, LabelDetail } from './metrics/scorers.js';
export type { ClassificationSummary } from './metrics/classification.js';
export { createEndpoint, parseEndpointSpec } from './eval/endpoint.js';
export { EndpointError } from './core/endpoint.js';
export type {
  Endpoint,
  EndpointSpec,
  EndpointOptions,
  ChatRequest,
  ChatAnswer,
  ReferenceScore,
} from './core/endpoint.js';
export type {
  DamagedLine,
  EvalExample,
  EvalResult,
  PerplexityKind,
  ScorerOutcome,
} from './core/eval-types.js';
export { compare, compareResults } from './compare/compare.js';
export type {
  Comparison,
  PairwiseComparison,
  GateCheck,
  GateMetric,
  GateOptions,
  GateResult,
  JudgePairResult,
  PairwiseJudgeSummary,
} from './report/comparison.js';
export type { CompareOptions } from './compare/compare.js';
export { GATE_METRICS } from './report/comparison.js';
export { scorePrediction, normalizeAnswer, exactMatchScore, f1Score } from './metrics/squad.js';
export { summarizeResults } from './metrics/summary.js';
export type { EvalMetrics } from './metrics/summary.js';
export type { JudgeSummary, JudgeGroup } from './metrics/judge-summary.js';
export type { JudgeOptions } from './eval/judge.js';
export { BUILTIN_RUBRIC_TEMPLATE } from './eval/judge-rubric.js';
export { writePrepReport } from './report/prep-report.js';
export { GgufModel, GgufRequestError } from './gguf/model.js';
export type { GgufModelOptions, GenerateOptions, Generation } from './gguf/model.js';
export { serveModel } from './serve/server.js';
export type { ServeOptions, RunningServer } from './serve/server.js';
export { FORMATS as INPUT_FORMATS } from './formats/detect.js';
