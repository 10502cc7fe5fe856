// Messages whose `content` is a list of parts (OpenAI/Azure, LLaMA-Factory v1) become text
// messages: the text parts are concatenated as the model reads them, with nothing in between
// (OpenAI renders the parts of one message back to back). Any other part (image_url,
// input_audio, file) has no place in a text model's training: `non_text_content`.
// LLaMA-Factory v1's per-message `loss_weight` becomes the assistant's `weight`.
import { describeValue } from '../core/describe.js';
import type { Conversion } from './conversion.js';

export function withTextContent(record: object): Conversion {
  const messages = (record as { messages?: unknown }).messages;
  if (!Array.isArray(messages) || !messages.some(needsRewrite)) return { ok: true, value: record };
  const rewritten: unknown[] = [];
  for (const [index, message] of messages.entries()) {
    if (!needsRewrite(message)) {
      rewritten.push(message);
      continue;
    }
    const { loss_weight: lossWeight, ...rest } = message as Record<string, unknown>;
    const content = Array.isArray(rest.content) ? textOfParts(rest.content, index) : { text: rest.content };
    if ('error' in content) return content.error;
    const weight = weightFromLoss(lossWeight, rest.role, index);
    if (typeof weight === 'object') return weight;
    rewritten.push({ ...rest, content: content.text, ...(weight === undefined ? {} : { weight }) });
  }
  return { ok: true, value: { ...record, messages: rewritten } };
}

function needsRewrite(message: unknown): message is object {
  return (
    typeof message === 'object' &&
    message !== null &&
    (Array.isArray((message as { content?: unknown }).content) || 'loss_weight' in message)
  );
}

function textOfParts(parts: unknown[], index: number): { text: string } | { error: Conversion } {
  let text = '';
  for (const [at, part] of parts.entries()) {
    const where = `messages[${index}].content[${at}]`;
    const type = (part as { type?: unknown } | null)?.type;
    if (type !== 'text') {
      const kind = typeof type === 'string' ? `an ${JSON.stringify(type)} part` : `a part without "type"`;
      if (typeof type !== 'string')
        return { error: { ok: false, error: `${where} is ${kind}: each part needs "type"` } };
      return {
        error: {
          ok: false,
          reason: 'non_text_content',
          error: `${where} is ${kind}: Phi-3 is trained on text only; remove the part or use a multimodal fine-tune`,
        },
      };
    }
    // OpenAI names the text `text`; LLaMA-Factory v1 names it `value`.
    const value = (part as { text?: unknown; value?: unknown }).text ?? (part as { value?: unknown }).value;
    if (typeof value !== 'string')
      return {
        error: { ok: false, error: `${where}.text must be a string (got ${describeValue(value ?? null)})` },
      };
    text += value;
  }
  return { text };
}

/** loss_weight 0 on an assistant turn is weight 0; other turns are never trained on. */
function weightFromLoss(lossWeight: unknown, role: unknown, index: number): 0 | undefined | Conversion {
  if (lossWeight === undefined) return undefined;
  if (lossWeight !== 0 && lossWeight !== 1)
    return {
      ok: false,
      error: `messages[${index}].loss_weight must be 0 or 1 (got ${describeValue(lossWeight)})`,
    };
  return role === 'assistant' && lossWeight === 0 ? 0 : undefined;
}
