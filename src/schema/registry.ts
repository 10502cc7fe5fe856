// Validators of the schemas in schemas/, each made once. The build writes them as standalone code
// (scripts/build-schemas.mjs), so a run loads plain functions and never compiles or loads Ajv;
// from sources, or when a schema changed since the build, Ajv compiles it on first use.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import type { Options, ValidateFunction } from 'ajv';
import type * as Ajv2020Module from 'ajv/dist/2020.js';
import { sha256Hex } from '../core/hash.js';

export type ValidatorMode = 'explain' | 'fast';

export const SCHEMAS_DIR_URL = new URL('../../schemas/', import.meta.url);
/** Where the build writes the standalone validators (dist/schema/prebuilt/). */
export const PREBUILT_DIR_URL = new URL('../schema/prebuilt/', import.meta.url);

const strictness: Options = {
  // Unknown keywords are errors; the type/tuple/required lints reject valid idioms (if/then on a ref).
  strictSchema: true,
  strictTypes: false,
  strictTuples: false,
  strictRequired: false,
  allowUnionTypes: true,
};

/**
 * Ajv's options per mode, shared with the build. Two validators of each schema: a fast one that
 * stops at the first error, for the common valid record, and one that collects every error with
 * its data, to explain a bad record.
 */
export function ajvOptions(mode: ValidatorMode): Options {
  return mode === 'fast' ? strictness : { ...strictness, allErrors: true, verbose: true };
}

/** File name of a prebuilt validator, e.g. `chat.schema.fast.cjs`. */
export function prebuiltFileName(name: string, mode: ValidatorMode): string {
  return `${name.replace(/\.json$/, '')}.${mode}.cjs`;
}

// CommonJS so that a validator loads synchronously where a record is checked.
const require = createRequire(import.meta.url);
const made = new Map<string, ValidateFunction>();

/**
 * The validator of `schemas/<name>`, e.g. `chat.schema.json`. `fast` stops at the first error and
 * keeps no data; the default collects every error (allErrors, verbose).
 */
export function schemaValidator<T>(name: string, mode: ValidatorMode = 'explain'): ValidateFunction<T> {
  const key = `${mode}:${name}`;
  let validate = made.get(key);
  if (!validate) {
    const text = readFileSync(new URL(name, SCHEMAS_DIR_URL), 'utf8');
    validate = prebuiltValidator(name, mode, sha256Hex(text)) ?? compileWithAjv(text, mode);
    made.set(key, validate);
  }
  return validate as ValidateFunction<T>;
}

type PrebuiltModule = ValidateFunction & { schemaSha256?: string };

/** The build's validator, if there is one and it was made from this very schema text. */
function prebuiltValidator(
  name: string,
  mode: ValidatorMode,
  schemaSha256: string,
): ValidateFunction | undefined {
  let prebuilt: PrebuiltModule;
  try {
    prebuilt = require(
      fileURLToPath(new URL(prebuiltFileName(name, mode), PREBUILT_DIR_URL)),
    ) as PrebuiltModule;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'MODULE_NOT_FOUND') return undefined;
    throw error;
  }
  return prebuilt.schemaSha256 === schemaSha256 ? prebuilt : undefined;
}

type Ajv = InstanceType<typeof Ajv2020Module.Ajv2020>;
const ajvByMode = new Map<ValidatorMode, Ajv>();

function compileWithAjv(schemaText: string, mode: ValidatorMode): ValidateFunction {
  let ajv = ajvByMode.get(mode);
  if (!ajv) {
    const { Ajv2020 } = require('ajv/dist/2020.js') as typeof Ajv2020Module;
    ajv = new Ajv2020(ajvOptions(mode));
    ajvByMode.set(mode, ajv);
  }
  return ajv.compile(JSON.parse(schemaText) as object);
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
