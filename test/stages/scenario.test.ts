import { describe, expect, it } from 'vitest';
import {
  compileScenarioRules,
  NO_SYSTEM_PROMPT,
  scenarioFromMessages,
  systemPromptLabel,
} from '../../src/stages/scenario.js';
import { createValidateStage } from '../../src/stages/validate.js';
import type { Envelope } from '../../src/core/envelope.js';

const example = (system: string | undefined, user: string) => ({
  messages: [
    ...(system === undefined ? [] : [{ role: 'system' as const, content: system }]),
    { role: 'user' as const, content: user },
    { role: 'assistant' as const, content: 'ok' },
  ],
});

describe('scenario labels', () => {
  it('shortens a system prompt to its first sentence, keeping different prompts apart', () => {
    expect(systemPromptLabel('You are a travel agent.')).toBe('You are a travel agent.');
    const a = systemPromptLabel('You are a travel agent. Answer in French.');
    const b = systemPromptLabel('You are a travel agent. Answer in German.');
    expect(a).toMatch(/^You are a travel agent\. #[0-9a-f]{4}$/);
    expect(a).not.toBe(b);
    const long = systemPromptLabel(
      'You are the customer support assistant of a large online store that sells electronics and garden tools',
    );
    expect(long).toMatch(/^You are the customer support assistant of a…/);
    expect(long.length).toBeLessThan(60);
    // Whitespace differences do not make a new scenario.
    expect(systemPromptLabel('You  are a\ntravel agent. Answer in French.')).toBe(a);
    expect(scenarioFromMessages(example(undefined, 'hi'), { by: 'system' })).toBe(NO_SYSTEM_PROMPT);
  });

  it('applies ordered rules to the first user message, first match wins, default otherwise', () => {
    const rules = compileScenarioRules(
      {
        rules: [
          { pattern: 'refund|return', scenario: 'returns' },
          { pattern: '^how', scenario: 'how-to' },
          { pattern: 'Invoice', flags: '', scenario: 'billing' },
        ],
        default: 'other',
      },
      'rules.json',
    );
    const source = { by: 'rules' as const, rules };
    expect(scenarioFromMessages(example('s', 'How do I return this?'), source)).toBe('returns');
    expect(scenarioFromMessages(example('s', 'How do I log in?'), source)).toBe('how-to');
    expect(scenarioFromMessages(example('s', 'my invoice'), source)).toBe('other');
    expect(scenarioFromMessages(example('s', 'my Invoice'), source)).toBe('billing');
  });

  it('explains a bad rules file with the rule it concerns', () => {
    expect(() => compileScenarioRules({ rules: [{ pattern: 'a(', scenario: 'x' }] }, 'r.json')).toThrow(
      /r\.json: rules\[0\]\.pattern is not a valid regular expression/,
    );
    expect(() => compileScenarioRules({ rules: [{ pattern: 'a' }] }, 'r.json')).toThrow(
      /r\.json: rules\[0\] must have required property 'scenario'/,
    );
    expect(() =>
      compileScenarioRules({ rules: [{ pattern: 'a', scenario: 'x', flags: 'g' }] }, 'r.json'),
    ).toThrow(/rules\[0\]\.flags must match pattern/);
    expect(() => compileScenarioRules([], 'r.json')).toThrow(/r\.json: the file must be object/);
  });

  it('is set by the validate stage', () => {
    const envelope: Envelope = {
      line: 1,
      raw: '',
      scenario: 'unlabeled',
      record: example('You are a chef.', 'Soup?'),
    };
    createValidateStage({ format: 'messages', scenario: { by: 'system' } }).run([envelope]);
    expect(envelope.scenario).toBe('You are a chef.');
  });
});
