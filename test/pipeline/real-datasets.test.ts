// Real public datasets through the library: each read in its format, every record in one output.
// (The CLI's own wiring is tested once on the bundled sample in test/cli/prep.test.ts.)
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Manifest } from '../../src/core/manifest.js';
import { prep } from '../../src/index.js';
import { hasShared, reference, sharedSkipMessage } from '../helpers/shared.js';

const lineCount = (path: string) => readFileSync(path, 'utf8').split('\n').filter(Boolean).length;

describe.skipIf(!hasShared)('prep on real public datasets', () => {
  if (!hasShared) console.warn(sharedSkipMessage);
  const cases: Array<[string, string, Partial<Manifest['input']>]> = [
    ['openai-cookbook-toy/toy_chat_fine_tuning.jsonl', 'messages', { container: 'jsonl' }],
    ['fastchat/dummy_conversation.json', 'sharegpt', { container: 'json-array' }],
    ['llamafactory/alpaca_en_demo.json', 'alpaca', { container: 'json-array' }],
    ['azure-samples-legacy/generated_labels_context_switching_prepared_train.jsonl', 'prompt-completion', {}],
    ['llamafactory/glaive_toolcall_en_demo.json', 'sharegpt', {}],
  ];
  it.each(cases)('%s is read as %s and every record ends in one output', async (path, format, input) => {
    const out = mkdtempSync(join(tmpdir(), 'phikit-real-'));
    const { manifest } = await prep(reference('datasets', path), { out });
    expect(manifest.input).toMatchObject({ format, ...input });
    const { counts } = manifest;
    expect(counts.train + counts.validation + counts.rejected).toBe(counts.records);
    expect(lineCount(join(out, 'train.jsonl'))).toBe(counts.train);
    expect(lineCount(join(out, 'validation.jsonl'))).toBe(counts.validation);
    expect(counts.kept).toBeGreaterThan(0);
  });
});
