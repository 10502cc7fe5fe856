// Where an example's scenario label comes from: a field of the record (`--scenario-field`),
// its system prompt (`--scenario-by system`) or ordered regex rules on the first user message
// (`--scenario-rules rules.json`, schemas/scenario-rules.schema.json).
import { createHash } from 'node:crypto';
import type { ChatExample } from '../core/example.js';
import { UNLABELED } from '../core/envelope.js';
import { PhikitError } from '../core/errors.js';
import { readablePath, schemaValidator } from '../schema/registry.js';

export type ScenarioSource =
  { by: 'field'; path: string } | { by: 'system' } | { by: 'rules'; rules: ScenarioRules };

export interface ScenarioRulesFile {
  rules: Array<{ pattern: string; flags?: string; scenario: string }>;
  default?: string;
}

export interface ScenarioRules {
  rules: Array<{ regex: RegExp; scenario: string }>;
  fallback: string;
}

export const NO_SYSTEM_PROMPT = '(no system prompt)';
const LABEL_LENGTH = 48;

/**
 * A readable label for a system prompt: its first sentence, whitespace collapsed, cut at a word
 * boundary. A shortened label ends in `#` and 4 hex digits of the whole prompt's hash, so
 * prompts that start alike stay apart.
 */
export function systemPromptLabel(content: string): string {
  const text = content.replace(/\s+/g, ' ').trim();
  if (text === '') return NO_SYSTEM_PROMPT;
  const sentence = /^.+?[.!?](?= |$)/.exec(text)?.[0] ?? text;
  let label = sentence;
  if (label.length > LABEL_LENGTH) {
    const cut = label.slice(0, LABEL_LENGTH);
    const space = cut.lastIndexOf(' ');
    label = `${(space > LABEL_LENGTH / 2 ? cut.slice(0, space) : cut).trimEnd()}…`;
  }
  if (label === text) return label;
  return `${label} #${createHash('sha256').update(text).digest('hex').slice(0, 4)}`;
}

/** Checks a rules file against its schema and compiles its patterns; errors name the rule. */
export function compileScenarioRules(value: unknown, source: string): ScenarioRules {
  const validate = schemaValidator<ScenarioRulesFile>('scenario-rules.schema.json');
  if (!validate(value)) {
    const error = validate.errors![0]!;
    const where = readablePath(error.instancePath) || 'the file';
    throw new PhikitError(
      'CONFIG_INVALID',
      `${source}: ${where} ${error.message ?? 'is invalid'}`,
      'expected {"rules": [{"pattern": "refund|return", "scenario": "returns"}], "default": "other"}',
    );
  }
  const rules = value.rules.map((rule, i) => {
    try {
      return { regex: new RegExp(rule.pattern, rule.flags ?? 'i'), scenario: rule.scenario };
    } catch (error) {
      throw new PhikitError(
        'CONFIG_INVALID',
        `${source}: rules[${i}].pattern is not a valid regular expression (${(error as Error).message})`,
        'patterns use JavaScript RegExp syntax; escape special characters with \\\\',
      );
    }
  });
  return { rules, fallback: value.default ?? UNLABELED };
}

/** The scenario of a converted example for the sources that look at its messages. */
export function scenarioFromMessages(example: ChatExample, source: ScenarioSource): string {
  if (source.by === 'system') {
    const system = example.messages.find((message) => message.role === 'system');
    return system?.content ? systemPromptLabel(system.content) : NO_SYSTEM_PROMPT;
  }
  if (source.by === 'rules') {
    const user = example.messages.find((message) => message.role === 'user')?.content ?? '';
    for (const rule of source.rules.rules) if (rule.regex.test(user)) return rule.scenario;
    return source.rules.fallback;
  }
  return UNLABELED;
}
