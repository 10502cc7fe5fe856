// Stage 2, validate: converts the record from its input format to chat messages, reads its
// scenario label, and checks it against schemas/chat.schema.json. All errors are kept; the first is shown.
import type { ChatExample, ChatMessage } from '../core/example.js';
import { UNLABELED, type Envelope, type Stage } from '../core/envelope.js';
import type { InputFormat } from '../core/manifest.js';
import { toChat } from '../formats/convert.js';
import { checkChatExample } from '../schema/chat.js';
import { scenarioFromMessages, type ScenarioSource } from './scenario.js';

export interface ValidateOptions {
  format: InputFormat;
  /** Dotted path to the scenario label, e.g. `scenario` or `metadata.category`. */
  scenarioField?: string;
  /** Where the scenario comes from otherwise: the system prompt or rules (see scenario.ts). */
  scenario?: ScenarioSource;
}

export function createValidateStage(options: ValidateOptions): Stage {
  const source = options.scenario;
  const field = options.scenarioField ?? (source?.by === 'field' ? source.path : undefined);
  const scenarioPath = field?.split('.');
  const fromMessages = source && source.by !== 'field' ? source : undefined;
  return {
    name: 'validate',
    needs: ['record'],
    provides: ['example'],
    run(batch: Envelope[]) {
      for (const envelope of batch) {
        if (envelope.rejection) continue;
        if (scenarioPath) envelope.scenario = scenarioOf(envelope.record, scenarioPath);
        const converted = toChat(envelope.record, options.format);
        if (!converted.ok) {
          envelope.rejection = {
            reason: 'schema',
            message: converted.error,
            detail: { errors: [converted.error] },
          };
          continue;
        }
        const check = checkChatExample(converted.value);
        if (!check.ok) {
          const errors = check.errors;
          const more = errors.length > 1 ? ` (and ${errors.length - 1} more)` : '';
          envelope.rejection = { reason: 'schema', message: `${errors[0]}${more}`, detail: { errors } };
          continue;
        }
        envelope.example = onlyAzureKeys(check.example);
        if (fromMessages) envelope.scenario = scenarioFromMessages(envelope.example, fromMessages);
      }
    },
  };
}

/** A label from a dotted path; missing, empty or non-scalar values mean `unlabeled`. */
export function scenarioOf(record: unknown, path: readonly string[]): string {
  let value: unknown = record;
  for (const key of path) {
    if (typeof value !== 'object' || value === null) return UNLABELED;
    value = (value as Record<string, unknown>)[key];
  }
  if (typeof value === 'string' && value.trim() !== '') return value.trim();
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return UNLABELED;
}

/** The written example carries only what the Azure format allows, so it uploads unchanged. */
function onlyAzureKeys(example: ChatExample): ChatExample {
  return {
    messages: example.messages.map((message) => {
      const kept: ChatMessage = { role: message.role, content: message.content };
      if (message.name !== undefined) kept.name = message.name;
      if (message.weight !== undefined) kept.weight = message.weight;
      return kept;
    }),
  };
}
