// Turns `--scorer` specs into scorers: built-ins from metrics/scorers.ts, JSON Schema files read
// and compiled once with Ajv, and user modules loaded with a dynamic import from a path resolved
// against the current directory.
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { PhikitError } from '../core/errors.js';
import {
  builtInScorer,
  jsonSchemaScorer,
  moduleScorer,
  parseScorerSpec,
  type Scorer,
  type ScorerFunction,
} from '../metrics/scorers.js';
import { importModule } from '../core/import-module.js';

export async function loadScorers(specs: readonly string[] = []): Promise<Scorer[]> {
  const names = new Set<string>();
  const scorers: Scorer[] = [];
  for (const text of specs) {
    if (names.has(text)) continue;
    names.add(text);
    const spec = parseScorerSpec(text);
    if (spec.kind === 'json-schema') scorers.push(await loadJsonSchemaScorer(spec.name, spec.arg!));
    else if (spec.kind === 'module') scorers.push(await loadModuleScorer(spec.name, spec.arg!));
    else scorers.push(builtInScorer(spec));
  }
  return scorers;
}

async function loadJsonSchemaScorer(name: string, file: string): Promise<Scorer> {
  let schema: unknown;
  try {
    schema = JSON.parse(await readFile(resolve(file), 'utf8'));
  } catch (error) {
    throw new PhikitError(
      'CONFIG_INVALID',
      `scorer ${name}: cannot read the JSON Schema ${file} (${(error as Error).message.split('\n')[0]})`,
      'give the path of a JSON Schema file, relative to the current directory',
    );
  }
  try {
    const validate = new Ajv2020({ strict: false, validateSchema: false }).compile(schema as object);
    return jsonSchemaScorer(name, file, (value) => validate(value));
  } catch (error) {
    throw new PhikitError(
      'CONFIG_INVALID',
      `scorer ${name}: ${file} is not a valid JSON Schema (${(error as Error).message.split('\n')[0]})`,
      'check the schema with a JSON Schema validator (draft 2020-12 and draft-07 keywords work)',
    );
  }
}

async function loadModuleScorer(name: string, path: string): Promise<Scorer> {
  let loaded: { default?: unknown };
  try {
    loaded = await importModule<{ default?: unknown }>(pathToFileURL(resolve(path)).href);
  } catch (error) {
    throw new PhikitError(
      'CONFIG_INVALID',
      `scorer ${name}: cannot import ${path} (${(error as Error).message.split('\n')[0]})`,
      'give the path of an ES module, relative to the current directory',
    );
  }
  if (typeof loaded.default !== 'function') {
    throw new PhikitError(
      'CONFIG_INVALID',
      `scorer ${name}: ${path} has no default export function`,
      'export default (prediction, reference, example) => score in [0, 1]',
    );
  }
  return moduleScorer(name, loaded.default as ScorerFunction);
}
