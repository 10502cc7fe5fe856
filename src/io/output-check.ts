// Checks that a prep output folder is one whole set: manifest.json is there and every file it
// lists has the size and sha256 it records (streamed, one file at a time). A folder without
// manifest.json, or with a file of another run, is refused as INPUT_UNREADABLE.
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { PhikitError } from '../core/errors.js';
import type { OutputFile } from '../core/manifest.js';
import { isPlainName, MANIFEST_NAME } from './output-set.js';

const RERUN = 'run `phikit prep` into this folder again (an interrupted or failed run leaves it incomplete)';

/** The outputs manifest.json lists, or undefined when `dir` has no manifest.json. */
export async function readListedOutputs(dir: string): Promise<OutputFile[] | undefined> {
  let text: string;
  try {
    text = await readFile(join(dir, MANIFEST_NAME), 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw unreadable(`cannot read ${join(dir, MANIFEST_NAME)} (${(error as NodeJS.ErrnoException).code})`);
  }
  let outputs: unknown;
  try {
    outputs = (JSON.parse(text) as { outputs?: unknown }).outputs;
  } catch {
    throw unreadable(`${join(dir, MANIFEST_NAME)} is not JSON`);
  }
  if (typeof outputs !== 'object' || outputs === null)
    throw unreadable(`${join(dir, MANIFEST_NAME)} lists no outputs`);
  return Object.values(outputs as Record<string, OutputFile>);
}

/** Whether `dir` holds the manifest.json of a prep run (one that lists its outputs). */
export async function isPrepOutputFolder(dir: string): Promise<boolean> {
  try {
    const manifest = JSON.parse(await readFile(join(dir, MANIFEST_NAME), 'utf8')) as { outputs?: unknown };
    return typeof manifest.outputs === 'object' && manifest.outputs !== null;
  } catch {
    return false;
  }
}

/**
 * Refuses `dir` unless it holds the whole set its manifest.json lists (`except`: names not
 * checked, such as the report `phikit report` rebuilds).
 */
export async function checkOutputSet(dir: string, except: readonly string[] = []): Promise<void> {
  const listed = await readListedOutputs(dir);
  if (listed === undefined) throw await missingManifest(dir);
  for (const file of listed) {
    if (except.includes(file.path)) continue;
    const problem = await mismatch(dir, file);
    if (problem) throw unreadable(`${dir} is a mixed or incomplete prep output: ${problem}`);
  }
}

/** What is wrong with one listed file, or undefined when it matches. */
async function mismatch(dir: string, file: OutputFile): Promise<string | undefined> {
  if (typeof file.path !== 'string' || !isPlainName(file.path))
    return `manifest.json lists ${JSON.stringify(file.path)}, which is not a file of this folder`;
  const path = join(dir, file.path);
  let bytes: number;
  try {
    bytes = (await stat(path)).size;
  } catch {
    return `${file.path} is missing`;
  }
  if (bytes !== file.bytes) return `${file.path} has ${bytes} bytes, manifest.json says ${file.bytes}`;
  const hash = createHash('sha256');
  await pipeline(createReadStream(path), hash);
  if (hash.digest('hex') !== file.sha256)
    return `${file.path} differs from the one manifest.json lists (sha256)`;
  return undefined;
}

async function missingManifest(dir: string): Promise<PhikitError> {
  const entries = await readdir(dir).catch(() => undefined);
  if (entries === undefined)
    return new PhikitError(
      'INPUT_NOT_FOUND',
      `no prep output folder at ${dir}`,
      'point `phikit report` at the --out folder of a finished `phikit prep` run',
    );
  if (entries.some((name) => name.endsWith('.jsonl') || name.startsWith('.staging-')))
    return unreadable(`${dir} is incomplete: it has no manifest.json`);
  return new PhikitError(
    'INPUT_NOT_FOUND',
    `no readable manifest.json in ${dir}`,
    'point `phikit report` at the --out folder of a finished `phikit prep` run',
  );
}

function unreadable(message: string): PhikitError {
  return new PhikitError('INPUT_UNREADABLE', message, RERUN);
}
