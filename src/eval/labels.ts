// Scenario labels for an evaluated prep output, from prep's index.jsonl: one line per kept example,
// `{"file": "validation.jsonl", "row": N, "line": L, "scenario": "…", "unit": …}` (row = 1-based
// line in that output file). Memory: one label per row of the evaluated file, not of the index.
import { createReadStream } from 'node:fs';
import { access } from 'node:fs/promises';
import { basename } from 'node:path';
import { PhikitError } from '../core/errors.js';
import { readLines } from '../io/line-reader.js';

export interface ScenarioLabels {
  /** The index file read. */
  path: string;
  /** The output file name the rows belong to (the evaluated file's basename). */
  file: string;
  /** row -> scenario. */
  byRow: Map<number, string>;
}

interface IndexEntry {
  file: string;
  row: number;
  scenario: string;
}

/** The labels of `examplesPath`'s rows, matched by its basename. */
export async function readScenarioLabels(indexPath: string, examplesPath: string): Promise<ScenarioLabels> {
  await assertReadable(indexPath);
  const file = basename(examplesPath);
  const byRow = new Map<number, string>();
  for await (const { line, text } of readLines(createReadStream(indexPath))) {
    if (text.trim() === '') continue;
    const entry = indexEntry(text);
    if (entry === undefined) {
      throw new PhikitError(
        'INPUT_UNREADABLE',
        `${indexPath}:${line} is not an index line ({"file", "row", "scenario", …})`,
        'give the index.jsonl that `phikit prep` wrote next to the file you evaluate',
        { options: ['labels'] },
      );
    }
    if (entry.file === file) byRow.set(entry.row, entry.scenario);
  }
  return { path: indexPath, file, byRow };
}

function indexEntry(text: string): IndexEntry | undefined {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof value !== 'object' || value === null) return undefined;
  const { file, row, scenario } = value as Record<string, unknown>;
  if (typeof file !== 'string' || !Number.isInteger(row) || typeof scenario !== 'string') return undefined;
  return { file, row: row as number, scenario };
}

async function assertReadable(path: string): Promise<void> {
  try {
    await access(path);
  } catch (error) {
    throw new PhikitError(
      'INPUT_NOT_FOUND',
      `cannot read the scenario index ${path} (${(error as NodeJS.ErrnoException).code ?? 'error'})`,
      'give the index.jsonl that `phikit prep` wrote: --labels FILE, or --prep-dir DIR (the folder holding it)',
    );
  }
}
