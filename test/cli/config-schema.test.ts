// The config schemas list exactly the flags of their command: a flag added without a schema
// property (or a property left behind by a removed flag) fails here, so files and flags stay in step.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { register as registerEval } from '../../src/cli/eval.js';
import { register as registerPrep } from '../../src/cli/prep.js';
import { repoRoot } from '../helpers/shared.js';

interface PropertySchema {
  type?: string | string[];
  enum?: unknown[];
}

/** Keys that are not flags: the positional argument, endpoint objects, an editor's `$schema`. */
const NOT_FLAGS: Record<string, string[]> = {
  prep: ['$schema', 'input'],
  eval: ['$schema', 'examples', 'input', 'endpoints'],
};

function commandNamed(name: 'prep' | 'eval'): Command {
  const program = new Command('phikit');
  (name === 'prep' ? registerPrep : registerEval)(program);
  return program.commands.find((command) => command.name() === name)!;
}

function schemaProperties(name: string): Record<string, PropertySchema> {
  const path = join(repoRoot, 'schemas', `${name}-config.schema.json`);
  return (JSON.parse(readFileSync(path, 'utf8')) as { properties: Record<string, PropertySchema> })
    .properties;
}

describe.each(['prep', 'eval'] as const)('schemas/%s-config.schema.json', (name) => {
  const command = commandNamed(name);
  const options = command.options.filter((option) => option.long !== '--config');
  const properties = schemaProperties(name);

  it('has one property per flag, named as commander stores it, and no other', () => {
    const flagKeys = options.map((option) => option.attributeName()).sort();
    const schemaKeys = Object.keys(properties)
      .filter((key) => !NOT_FLAGS[name]!.includes(key))
      .sort();
    expect(schemaKeys).toEqual(flagKeys);
  });

  it('types switches as booleans and flags with a value as values', () => {
    const mismatched = options.filter((option) => {
      const type = properties[option.attributeName()]?.type;
      const switchOnly = !option.required && !option.optional; // --json, --no-tokens
      return switchOnly !== (type === 'boolean');
    });
    expect(mismatched.map((option) => option.long)).toEqual([]);
  });

  it('keeps the positional argument as a key', () => {
    expect(Object.keys(properties)).toContain(name === 'prep' ? 'input' : 'examples');
  });
});
