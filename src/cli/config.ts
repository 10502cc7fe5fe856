// Run configuration files (`--config run.yaml`): YAML or JSON, checked against
// schemas/<command>-config.schema.json, merged under the flags the user typed. A key is the
// option's name as commander stores it (`--val-ratio` -> `valRatio`, `--no-tokens` -> `tokens`),
// so a new flag needs one schema property (test/cli/config-schema.test.ts keeps them in step).
// Paths in the file are relative to the working folder, as on the command line.
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { extname } from 'node:path';
import type { Command, Option } from 'commander';
import type { ParseError } from 'jsonc-parser';
import type { ErrorObject } from 'ajv';
import { isPhikitError, PhikitError } from '../core/errors.js';
import { loadJsonc } from '../core/jsonc.js';
import { readablePath, schemaValidator } from '../schema/registry.js';

type KeyPath = ReadonlyArray<string | number>;

export interface ConfigFileRecord {
  path: string;
  sha256: string;
}

/** A parsed configuration file: its values and where each key sits. */
export interface LoadedConfig {
  file: ConfigFileRecord;
  values: Record<string, unknown>;
  /** 1-based line of the key at `path`, when the file says. */
  lineOf(path: KeyPath): number | undefined;
}

export interface ConfigSetup {
  /** File name in schemas/, e.g. `eval-config.schema.json`. */
  schema: string;
  /** Keys that may give the positional argument (the first one given wins; two is an error). */
  argumentKeys: readonly string[];
  /** Keys that are not flags: each item converted and appended to the array option `into`. */
  arrayExtras?: Record<string, { into: string; convert: (item: unknown) => unknown }>;
}

/** What a run was started with: the flags merged over the file, and the file. */
export type ResolvedConfig = {
  file: ConfigFileRecord | null;
  options: Record<string, unknown>;
};

const loadedFiles = new WeakMap<Command, ConfigFileRecord>();

/**
 * Adds `--config <file>` to `command`. Call it after the last option: required options and the
 * positional argument become checkable after the merge (the file may give them).
 */
export function withConfigFile(command: Command, setup: ConfigSetup): Command {
  const mandatory = command.options.filter((option) => option.mandatory);
  for (const option of mandatory) option.makeOptionMandatory(false);
  const argument = command.registeredArguments[0];
  const argumentRequired = argument?.required === true;
  argument?.argOptional();
  command.option('--config <file>', 'read options from a YAML or JSON file; flags override it');
  command.hook('preAction', async () => {
    const path = command.getOptionValue('config') as string | undefined;
    if (path !== undefined) {
      const config = await loadConfig(path, setup.schema);
      mergeConfig(command, config, setup);
      loadedFiles.set(command, config.file);
    }
    for (const option of mandatory)
      if (command.getOptionValue(option.attributeName()) === undefined)
        command.error(`error: required option '${option.flags}' not specified (nor in --config)`, {
          exitCode: 2,
          code: 'commander.missingMandatoryOptionValue',
        });
    if (argumentRequired && argument && command.processedArgs[0] === undefined)
      command.error(`error: missing required argument '${argument.name()}' (nor in --config)`, {
        exitCode: 2,
        code: 'commander.missingArgument',
      });
  });
  return command;
}

/** The configuration file `command` read, if any (after parsing). */
export function configFileOf(command: Command): ConfigFileRecord | undefined {
  return loadedFiles.get(command);
}

/** Every option value after the merge, for metrics.json / manifest.json. */
export function resolvedConfig(command: Command): ResolvedConfig {
  const { config: _path, ...options } = command.opts();
  return { file: configFileOf(command) ?? null, options };
}

export async function loadConfig(path: string, schema: string): Promise<LoadedConfig> {
  const bytes = await readConfigBytes(path);
  const text = bytes.toString('utf8').replace(/^\uFEFF/, '');
  const file = { path, sha256: createHash('sha256').update(bytes).digest('hex') };
  const parsed = looksLikeJson(path, text) ? await parseJson(path, text) : await parseYaml(path, text);
  const config = { file, values: parsed.value as Record<string, unknown>, lineOf: parsed.lineOf };
  const validate = schemaValidator<Record<string, unknown>>(schema);
  if (!validate(parsed.value)) throw schemaError(config, validate.errors ?? [], schema);
  return config;
}

async function readConfigBytes(path: string): Promise<Buffer> {
  try {
    return await readFile(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new PhikitError(
      code === 'ENOENT' ? 'INPUT_NOT_FOUND' : 'INPUT_UNREADABLE',
      `cannot read config file ${path} (${code ?? String(error)})`,
      'check the path given to --config',
    );
  }
}

function looksLikeJson(path: string, text: string): boolean {
  const extension = extname(path).toLowerCase();
  if (extension === '.json') return true;
  if (extension === '.yaml' || extension === '.yml') return false;
  return text.trimStart().startsWith('{');
}

interface ParsedText {
  value: unknown;
  lineOf(path: KeyPath): number | undefined;
}

// The parsers load only when a file is given: most runs have no --config.
async function parseJson(path: string, text: string): Promise<ParsedText> {
  const { findNodeAtLocation, parseTree, printParseErrorCode } = loadJsonc();
  const errors: ParseError[] = [];
  const tree = parseTree(text, errors, { disallowComments: true, allowTrailingComma: false });
  const first = errors[0];
  if (first || !tree) {
    const where = first ? `${path}:${lineAt(text, first.offset)}` : path;
    const what = first ? printParseErrorCode(first.error) : 'empty file';
    throw invalid(`${where}: not valid JSON (${what})`, 'a .json config is one JSON object');
  }
  return {
    value: JSON.parse(text) as unknown,
    lineOf: (keyPath) => {
      const node = findNodeAtLocation(tree, [...keyPath]);
      return node ? lineAt(text, (node.parent ?? node).offset) : undefined;
    },
  };
}

async function parseYaml(path: string, text: string): Promise<ParsedText> {
  const { isMap, isScalar, parseDocument } = await import('yaml');
  const document = parseDocument(text);
  const first = document.errors[0];
  if (first) {
    const line = first.linePos?.[0].line;
    const message = first.message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '');
    throw invalid(`${path}${line ? `:${line}` : ''}: not valid YAML (${message})`, 'check the indentation');
  }
  return {
    value: document.toJS() as unknown,
    lineOf: (keyPath) => {
      const parent = keyPath.length > 1 ? document.getIn(keyPath.slice(0, -1), true) : document.contents;
      const last = keyPath[keyPath.length - 1];
      if (!isMap(parent)) return undefined;
      const pair = parent.items.find((item) => isScalar(item.key) && item.key.value === last);
      const offset = isScalar(pair?.key) ? pair.key.range?.[0] : undefined;
      return offset === undefined ? undefined : lineAt(text, offset);
    },
  };
}

function lineAt(text: string, offset: number): number {
  let line = 1;
  for (let i = 0; i < offset && i < text.length; i++) if (text.charCodeAt(i) === 10) line++;
  return line;
}

function invalid(message: string, hint: string): PhikitError {
  return new PhikitError('CONFIG_INVALID', message, hint);
}

/** One line about the first problem (an unknown key first: the likeliest typo), with its line. */
function schemaError(config: LoadedConfig, errors: ErrorObject[], schema: string): PhikitError {
  const error = errors.find((e) => e.keyword === 'additionalProperties') ?? errors[0];
  const more =
    errors.length > 1 ? ` (and ${errors.length - 1} more problem${errors.length > 2 ? 's' : ''})` : '';
  if (!error) return invalid(`${config.file.path}: does not match schemas/${schema}`, '');
  const path = keyPathOf(error.instancePath);
  if (error.keyword === 'additionalProperties') {
    const key = String((error.params as { additionalProperty: string }).additionalProperty);
    const where = at(config, [...path, key]);
    const inside = path.length > 0 ? ` in ${readablePath(error.instancePath)}` : '';
    return invalid(
      `${where}: unknown key "${key}"${inside}${more}`,
      `keys are the long flag names in camelCase (--scenario-field: scenarioField; --no-tokens: tokens: false); see schemas/${schema}`,
    );
  }
  if (path.length === 0)
    return invalid(`${config.file.path}: must be a mapping of option names to values`, 'e.g. out: runs/base');
  const allowed = (error.params as { allowedValues?: unknown[] }).allowedValues;
  const detail = allowed
    ? `must be one of ${allowed.map((v) => JSON.stringify(v)).join(', ')}`
    : error.message;
  return invalid(
    `${at(config, path)}: ${readablePath(error.instancePath)} ${detail} (got ${JSON.stringify(error.data)})${more}`,
    `see schemas/${schema}`,
  );
}

function keyPathOf(instancePath: string): Array<string | number> {
  return instancePath
    .split('/')
    .slice(1)
    .map((part) => part.replace(/~1/g, '/').replace(/~0/g, '~'))
    .map((part) => (/^\d+$/.test(part) ? Number(part) : part));
}

/** `file:line` of a key, or the file alone. */
function at(config: LoadedConfig, path: KeyPath): string {
  const line = config.lineOf(path);
  return line === undefined ? config.file.path : `${config.file.path}:${line}`;
}

/** Sets every option the file gives and no flag overrides, through the flag's own parser. */
export function mergeConfig(command: Command, config: LoadedConfig, setup: ConfigSetup): void {
  const values = config.values;
  const extras = setup.arrayExtras ?? {};
  const fromFile = new Set<string>();
  for (const [key, value] of Object.entries(values)) {
    if (key === '$schema' || setup.argumentKeys.includes(key) || key in extras) continue;
    const option = optionNamed(command, key, config);
    if (overriddenByFlags(command, option)) continue;
    checkConflictsInFile(command, option, fromFile, config);
    command.setOptionValueWithSource(key, optionValue(option, value, config), 'config');
    fromFile.add(key);
  }
  for (const [key, { into, convert }] of Object.entries(extras)) {
    const items = values[key];
    if (!Array.isArray(items) || command.getOptionValueSource(into) === 'cli') continue;
    const previous = fromFile.has(into) ? (command.getOptionValue(into) as unknown[]) : [];
    const converted = items.map((item, index) => parsed(() => convert(item), config, [key, index]));
    command.setOptionValueWithSource(into, [...previous, ...converted], 'config');
  }
  mergeArgument(command, config, setup);
}

function optionNamed(command: Command, key: string, config: LoadedConfig): Option {
  const option =
    command.options.find((o) => o.attributeName() === key && !o.negate) ??
    command.options.find((o) => o.attributeName() === key);
  if (!option) throw invalid(`${at(config, [key])}: unknown key "${key}"`, 'see phikit --help');
  return option;
}

function conflictsOf(option: Option): readonly string[] {
  return (option as Option & { conflictsWith?: string[] }).conflictsWith ?? [];
}

function conflicting(a: Option, b: Option): boolean {
  return conflictsOf(a).includes(b.attributeName()) || conflictsOf(b).includes(a.attributeName());
}

/** A flag for this option, or for one it excludes (`--val-size` over the file's valRatio), wins. */
function overriddenByFlags(command: Command, option: Option): boolean {
  return command.options.some(
    (other) =>
      command.getOptionValueSource(other.attributeName()) === 'cli' &&
      (other.attributeName() === option.attributeName() || conflicting(option, other)),
  );
}

function checkConflictsInFile(
  command: Command,
  option: Option,
  fromFile: ReadonlySet<string>,
  config: LoadedConfig,
): void {
  const clash = command.options.find(
    (other) => fromFile.has(other.attributeName()) && conflicting(option, other),
  );
  if (clash)
    throw invalid(
      `${at(config, [option.attributeName()])}: "${option.attributeName()}" and "${clash.attributeName()}" cannot be used together`,
      'keep one of them',
    );
}

/** The value as the flag would have made it: each item through the flag's parser, in order. */
function optionValue(option: Option, value: unknown, config: LoadedConfig): unknown {
  const key = option.attributeName();
  if (option.isBoolean() || typeof value === 'boolean') return value;
  const parse = option.parseArg;
  if (Array.isArray(value)) {
    let result: unknown = undefined;
    value.forEach((item, index) => {
      result = parsed(
        () => (parse ? parse(String(item), result) : [...((result as unknown[]) ?? []), item]),
        config,
        [key, index],
      );
    });
    return result;
  }
  return parsed(() => (parse ? parse(String(value), undefined) : value), config, [key]);
}

/** Runs a flag parser, turning its complaint into a config error at the key's line. */
function parsed(run: () => unknown, config: LoadedConfig, path: KeyPath): unknown {
  try {
    return run();
  } catch (error) {
    const message = isPhikitError(error) || error instanceof Error ? error.message : String(error);
    const flag = `--${String(path[0]).replace(/[A-Z]/g, (letter) => `-${letter.toLowerCase()}`)}`;
    throw invalid(
      `${at(config, path)}: ${readablePath(pointer(path))}: ${message}`,
      `the values ${flag} accepts`,
    );
  }
}

function pointer(path: KeyPath): string {
  return path.map((part) => `/${part}`).join('');
}

function mergeArgument(command: Command, config: LoadedConfig, setup: ConfigSetup): void {
  const given = setup.argumentKeys.filter((key) => config.values[key] !== undefined);
  if (given.length > 1)
    throw invalid(`${at(config, [given[1]!])}: give either "${given[0]}" or "${given[1]}", not both`, '');
  const key = given[0];
  if (key === undefined || command.processedArgs[0] !== undefined) return;
  command.processedArgs[0] = config.values[key];
}
