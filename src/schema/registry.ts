// Ajv, set up once: each schema in schemas/ is compiled the first time it is asked for.
import { readFileSync } from 'node:fs';
import { Ajv2020 } from 'ajv/dist/2020.js';
import type { ValidateFunction } from 'ajv';

const schemasDir = new URL('../../schemas/', import.meta.url);
const strictness = {
  // Unknown keywords are errors; the type/tuple/required lints reject valid idioms (if/then on a ref).
  strictSchema: true,
  strictTypes: false,
  strictTuples: false,
  strictRequired: false,
  allowUnionTypes: true,
};
// Two compilations of each schema: a fast one that stops at the first error, for the common
// valid record, and one that collects every error with its data, to explain a bad record.
const explaining = new Ajv2020({ ...strictness, allErrors: true, verbose: true });
const fast = new Ajv2020(strictness);
const compiled = new Map<string, ValidateFunction>();

/**
 * The compiled validator of `schemas/<name>`, e.g. `chat.schema.json`. `fast` stops at the first
 * error and keeps no data; the default collects every error (allErrors, verbose).
 */
export function schemaValidator<T>(name: string, mode: 'explain' | 'fast' = 'explain'): ValidateFunction<T> {
  const key = `${mode}:${name}`;
  let validate = compiled.get(key);
  if (!validate) {
    const schema = JSON.parse(readFileSync(new URL(name, schemasDir), 'utf8')) as object;
    validate = (mode === 'fast' ? fast : explaining).compile(schema);
    compiled.set(key, validate);
  }
  return validate as ValidateFunction<T>;
}

/** "/messages/2/role" -> "messages[2].role" */
export function readablePath(instancePath: string): string {
  let out = '';
  for (const part of instancePath.split('/').slice(1)) {
    const key = part.replace(/~1/g, '/').replace(/~0/g, '~');
    out += /^\d+$/.test(key) ? `[${key}]` : out === '' ? key : `.${key}`;
  }
  return out;
}
