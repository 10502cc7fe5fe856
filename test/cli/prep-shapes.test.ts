// Real public datasets of every common shape through the CLI: each record ends in exactly one
// output, tool-calling examples keep their tools intact, and what cannot be trained on text says why.
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Manifest } from '../../src/core/manifest.js';
import { runCli } from '../helpers/cli.js';
import { hasShared, reference, sharedSkipMessage } from '../helpers/shared.js';

const tempDir = () => mkdtempSync(join(tmpdir(), 'phikit-shapes-cli-'));
const readJsonLines = (path: string) =>
  readFileSync(path, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as Record<string, unknown>);

function prepCli(path: string, flags: string[] = []) {
  const out = tempDir();
  const run = runCli(['prep', reference('datasets', path), '--out', out, '--json', ...flags]);
  expect(run.stderr).toBe('');
  expect(run.code).toBe(0);
  const manifest = JSON.parse(run.stdout) as Manifest;
  const kept = [...readJsonLines(join(out, 'train.jsonl')), ...readJsonLines(join(out, 'validation.jsonl'))];
  const rejected = readJsonLines(join(out, 'rejected.jsonl'));
  expect(kept.length + rejected.length).toBe(manifest.counts.records);
  expect(manifest.counts.train + manifest.counts.validation + manifest.counts.rejected).toBe(
    manifest.counts.records,
  );
  return { manifest, kept, rejected };
}

describe.skipIf(!hasShared)('phikit prep on real datasets of every shape', () => {
  if (!hasShared) console.warn(sharedSkipMessage);

  const cases: Array<[string, string, number]> = [
    ['azure-foundry-samples/DistillingSarcasm_qa.jsonl', 'question-answer', 500],
    ['phi3-cookbook/olive_data_sample_travel_subset.jsonl', 'prompt-response', 12],
    ['phi3-cookbook/mlx_train_subset.jsonl', 'template', 3],
    ['llamafactory/v1_sft_demo.jsonl', 'messages', 500],
  ];
  it.each(cases)('%s is read as %s, no record rejected as schema', (path, format, records) => {
    const { manifest, kept } = prepCli(path, ['--no-tokens']);
    expect(manifest.input.format).toBe(format);
    expect(manifest.counts.records).toBe(records);
    expect(manifest.counts.rejectedByReason.schema).toBe(0);
    expect(kept.length).toBeGreaterThan(0);
  });

  it('keeps the Azure tool-calling sample with its tools intact (--no-tokens)', () => {
    const path = 'azure-foundry-samples/Tool-Calling_stock_toolcall_training.jsonl';
    const source = readJsonLines(reference('datasets', path));
    const { manifest, kept } = prepCli(path, ['--no-tokens', '--no-near-dedup']);
    expect(manifest.options.tools).toBe(true);
    // Cleaning may trim a system prompt; tools and tool calls are kept byte for byte.
    const toolParts = (record: Record<string, unknown>) =>
      JSON.stringify([record.tools, (record.messages as unknown[]).slice(-1)]);
    const sourceParts = new Set(source.map(toolParts));
    expect(kept.length).toBe(manifest.counts.records - manifest.counts.rejectedByReason.duplicate);
    for (const example of kept) expect(sourceParts.has(toolParts(example))).toBe(true);
  });

  it('rejects the Azure tool-calling sample for Phi-3 as tools_unsupported, every line', () => {
    const { manifest, rejected } = prepCli(
      'azure-foundry-samples/Tool-Calling_stock_toolcall_validation.jsonl',
    );
    expect(manifest.counts.rejectedByReason.tools_unsupported).toBe(manifest.counts.records);
    expect(rejected[0]!.message).toContain('no tool-calling chat template');
  });

  it('maps glaive function_call / observation turns to tool calls with the tools of the record', () => {
    const path = 'llamafactory/glaive_toolcall_en_demo.json';
    const { manifest, kept } = prepCli(path, ['--no-tokens']);
    expect(manifest.input.format).toBe('sharegpt');
    expect(manifest.counts.rejectedByReason.schema).toBe(0);
    const withCalls = kept.filter((example) =>
      (example.messages as Array<Record<string, unknown>>).some((message) => 'tool_calls' in message),
    );
    expect(withCalls.length).toBeGreaterThan(0);
    const source = JSON.parse(readFileSync(reference('datasets', path), 'utf8')) as Array<{ tools: string }>;
    const toolLists = new Set(
      source.map((record) =>
        JSON.stringify(
          (JSON.parse(record.tools) as unknown[]).map((fn) => ({ type: 'function', function: fn })),
        ),
      ),
    );
    for (const example of withCalls) expect(toolLists.has(JSON.stringify(example.tools))).toBe(true);
  });

  it('rejects image content parts as non_text_content, line by line', () => {
    const { manifest, rejected } = prepCli('azure-foundry-samples/Multimodal-chartqa_validation.jsonl');
    expect(manifest.counts.rejectedByReason.non_text_content).toBe(manifest.counts.records);
    expect(rejected[0]).toMatchObject({ line: 1, reason: 'non_text_content' });
    expect(rejected[0]!.message).toContain('"image_url" part');
  });
});
