// The standalone validators the build writes (scripts/build-schemas.mjs) against Ajv compiling the
// same schema at run time: the same verdict and the same errors, so every message stays as it was.
import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import type { ValidateFunction } from 'ajv';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { describe, expect, it } from 'vitest';
import { sha256Hex } from '../../src/core/hash.js';
import { ajvOptions, prebuiltFileName, type ValidatorMode } from '../../src/schema/registry.js';
import { repoRoot } from '../helpers/shared.js';

const require = createRequire(import.meta.url);
const MODES: ValidatorMode[] = ['fast', 'explain'];
const schemaNames = readdirSync(join(repoRoot, 'schemas')).filter((name) => name.endsWith('.schema.json'));

function schemaText(name: string): string {
  return readFileSync(join(repoRoot, 'schemas', name), 'utf8');
}

function prebuilt(name: string, mode: ValidatorMode): ValidateFunction & { schemaSha256: string } {
  return require(join(repoRoot, 'dist/schema/prebuilt', prebuiltFileName(name, mode))) as ValidateFunction & {
    schemaSha256: string;
  };
}

function compiled(name: string, mode: ValidatorMode): ValidateFunction {
  return new Ajv2020(ajvOptions(mode)).compile(JSON.parse(schemaText(name)) as object);
}

/** Every parseable line of every fixture, and records that reach each kind of error. */
function chatRecords(): unknown[] {
  const records: unknown[] = [];
  for (const file of readdirSync(join(repoRoot, 'fixtures')).filter((name) => name.endsWith('.jsonl')))
    for (const line of readFileSync(join(repoRoot, 'fixtures', file), 'utf8').split('\n'))
      try {
        records.push(JSON.parse(line));
      } catch {
        // not JSON: the parse stage's business
      }
  const user = { role: 'user', content: '你好 👋' };
  return [
    ...records,
    null,
    'text',
    { messages: [] },
    { messages: [user, { role: 'assistant', content: '' }] },
    { messages: [user, { role: 'assistant', content: [{ type: 'text', text: '' }] }] },
    { messages: [user, { role: 'assistant', content: 'a', tool_call_id: 'x' }] },
    { messages: [user, { role: 'assistant', content: null, tool_calls: [{ id: 1 }] }] },
    { messages: [{ role: 'tool', content: 'x' }, user], tools: 'none' },
  ];
}

describe('prebuilt schema validators', () => {
  it.each(schemaNames)('%s: the build wrote both modes from the current schema', (name) => {
    for (const mode of MODES) expect(prebuilt(name, mode).schemaSha256).toBe(sha256Hex(schemaText(name)));
  });

  it.each(MODES)('chat.schema.json (%s): same verdict and errors as Ajv on every record', (mode) => {
    const built = prebuilt('chat.schema.json', mode);
    const ajv = compiled('chat.schema.json', mode);
    for (const record of chatRecords()) {
      expect(built(record)).toBe(ajv(record));
      expect(built.errors).toEqual(ajv.errors);
    }
  });

  it.each(['prep-config.schema.json', 'eval-config.schema.json', 'scenario-rules.schema.json'])(
    '%s: same errors as Ajv on bad files',
    (name) => {
      const built = prebuilt(name, 'explain');
      const ajv = compiled(name, 'explain');
      const files = [
        {},
        [],
        { rules: 5 },
        { rules: [{ pattern: '' }] },
        { valRatio: 'x', nope: 1 },
        { seed: -1 },
      ];
      for (const file of files) {
        expect(built(file)).toBe(ajv(file));
        expect(built.errors).toEqual(ajv.errors);
      }
    },
  );
});
