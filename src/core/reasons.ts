// The closed set of reasons a line can be dropped for. Codes are stable: they appear in
// rejected.jsonl and manifest.json, and users filter on them.
export const REJECT_REASONS = [
  'invalid_utf8',
  'too_large',
  'invalid_json',
  'schema',
  'non_text_content',
  'tools_unsupported',
  'invalid_unicode',
  'empty_after_clean',
  'duplicate',
  'special_token_in_text',
  'too_long',
  'near_duplicate',
  'contaminated',
  'balanced_out',
  'small_scenario',
] as const;

export type RejectReason = (typeof REJECT_REASONS)[number];

/** One-line explanations shown in reports and `--help`. */
export const REASON_DESCRIPTIONS: Record<RejectReason, string> = {
  invalid_utf8: 'the line is not valid UTF-8',
  too_large: 'the line is longer than --max-line-bytes (not copied to rejected.jsonl)',
  invalid_json: 'the line is not valid JSON',
  schema: 'the record does not follow the chat fine-tuning format',
  non_text_content:
    'a message holds an image, audio or other non-text part; the model is trained on text only',
  tools_unsupported:
    "the example uses tool calling, which the model's chat template does not support (--model phi-4-mini does)",
  invalid_unicode:
    "a message holds a lone surrogate (not valid Unicode; Python's .encode('utf-8') fails on it)",
  empty_after_clean: 'a message became empty after cleaning',
  duplicate: 'exact duplicate of an earlier example (after cleaning)',
  special_token_in_text: 'a message contains a literal special-token string such as <|end|>',
  too_long: 'the conversation is longer than --max-tokens',
  near_duplicate: 'near-duplicate of an earlier example',
  contaminated: 'near-duplicate of an example in the --holdout set',
  balanced_out: 'dropped to balance scenarios',
  small_scenario: 'scenario smaller than --min-per-scenario (with --drop-small-scenarios)',
};
