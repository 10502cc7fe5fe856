// Real text and conversations from ../shared/reference/datasets, in every format found there,
// for tests that compare phikit's tokenizer with the reference implementation.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Tokenizer } from '@huggingface/tokenizers';
import type { ChatMessage, Role } from '../../src/core/example.js';
import { reference } from '../helpers/shared.js';

function datasetFiles(): string[] {
  const root = reference('datasets');
  return readdirSync(root)
    .sort()
    .flatMap((folder) =>
      readdirSync(join(root, folder))
        .sort()
        .filter((file) => /\.jsonl?$/.test(file))
        .map((file) => join(root, folder, file)),
    );
}

/** Every JSON value of every dataset file (one per JSONL line, one per .json file). */
function datasetValues(): unknown[] {
  return datasetFiles().flatMap((path) => {
    const text = readFileSync(path, 'utf8');
    return path.endsWith('.jsonl')
      ? text
          .split('\n')
          .filter((line) => line.trim() !== '')
          .map((line) => JSON.parse(line) as unknown)
      : [JSON.parse(text) as unknown];
  });
}

/** Every string anywhere in the datasets: message contents, instructions, answers, tool calls, keys aside. */
export function datasetStrings(): string[] {
  const strings: string[] = [];
  const walk = (value: unknown): void => {
    if (typeof value === 'string') strings.push(value);
    else if (Array.isArray(value)) value.forEach(walk);
    else if (value !== null && typeof value === 'object') Object.values(value).forEach(walk);
  };
  datasetValues().forEach(walk);
  return strings;
}

const ROLE_OF: Record<string, Role> = {
  human: 'user',
  user: 'user',
  observation: 'user',
  gpt: 'assistant',
  assistant: 'assistant',
  function_call: 'assistant',
  system: 'system',
};

const text = (content: unknown): string =>
  typeof content === 'string'
    ? content
    : Array.isArray(content)
      ? content.map((part: { value?: string; text?: string }) => part.value ?? part.text ?? '').join('')
      : '';

/** Every conversation in the datasets, converted to chat messages (ShareGPT, Alpaca, messages, MT-bench, prompt/completion). */
export function datasetConversations(): ChatMessage[][] {
  const conversations: ChatMessage[][] = [];
  const visit = (record: Record<string, unknown>): void => {
    const messages: ChatMessage[] = [];
    if (typeof record.system === 'string' && record.system !== '')
      messages.push({ role: 'system', content: record.system });
    if (Array.isArray(record.messages)) {
      for (const message of record.messages as Array<Record<string, unknown>>) {
        const role = ROLE_OF[String(message.role)] ?? 'user';
        const weight = role === 'assistant' && message.loss_weight === 0 ? { weight: 0 as const } : {};
        messages.push({ role, content: text(message.content), ...weight });
      }
    } else if (Array.isArray(record.conversations)) {
      for (const turn of record.conversations as Array<Record<string, unknown>>) {
        messages.push({ role: ROLE_OF[String(turn.from)] ?? 'user', content: text(turn.value) });
      }
    } else if (typeof record.instruction === 'string') {
      const input = typeof record.input === 'string' && record.input !== '' ? `\n${record.input}` : '';
      messages.push(
        { role: 'user', content: record.instruction + input },
        { role: 'assistant', content: text(record.output) },
      );
    } else if (Array.isArray(record.turns) || Array.isArray(record.choices)) {
      const turns = (record.turns ??
        (record.choices as Array<{ turns: unknown[] }>)[0]?.turns ??
        []) as unknown[];
      turns.forEach((turn, index) =>
        messages.push({ role: index % 2 === 0 ? 'user' : 'assistant', content: text(turn) }),
      );
    } else if (typeof record.prompt === 'string') {
      messages.push(
        { role: 'user', content: record.prompt },
        { role: 'assistant', content: text(record.completion) },
      );
    } else {
      return;
    }
    if (messages.length > 0) conversations.push(messages);
  };
  for (const value of datasetValues()) {
    for (const record of Array.isArray(value) ? value : [value]) {
      if (record !== null && typeof record === 'object') visit(record as Record<string, unknown>);
    }
  }
  return conversations;
}

/** @huggingface/tokenizers on Microsoft's files: the reference encoder. */
export function referenceTokenizer(folder: 'phi3-mini' | 'phi3'): Tokenizer {
  const read = (file: string): object => JSON.parse(readFileSync(reference(folder, file), 'utf8')) as object;
  return new Tokenizer(read('tokenizer.json'), read('tokenizer_config.json'));
}

export function referenceConfig(folder: 'phi3-mini' | 'phi3'): Record<string, unknown> {
  return JSON.parse(readFileSync(reference(folder, 'tokenizer_config.json'), 'utf8')) as Record<
    string,
    unknown
  >;
}

/** The 46 llama.cpp test cases: text and expected ids (no BOS). */
export function llamaCppVectors(): Array<{ text: string; ids: number[] }> {
  const inputs = readFileSync(reference('llamacpp-vectors', 'ggml-vocab-phi-3.gguf.inp'), 'utf8').split(
    '\n__ggml_vocab_test__\n',
  );
  const outputs = readFileSync(reference('llamacpp-vectors', 'ggml-vocab-phi-3.gguf.out'), 'utf8').split(
    '\n',
  );
  // The input file ends with a separator line, which leaves one empty piece after the last case.
  const lines = outputs.length > 0 && outputs[outputs.length - 1] === '' ? outputs.slice(0, -1) : outputs;
  return lines.map((line, index) => ({
    text: inputs[index]!,
    ids: line.trim().split(/\s+/).filter(Boolean).map(Number),
  }));
}
