// The report's audit of prep's risky steps: near-duplicate pairs side by side with their shared
// text marked, and the largest leakage clusters. The manifest holds only line numbers; the texts
// are read back from the run's files when the report is written (streaming, stopping once every
// wanted line is found). Memory: the listed pairs' texts, each cut to PAIR_TEXT_CHARACTERS.
import { createReadStream } from 'node:fs';
import type { InputFormat, LeakageCluster, Manifest, NearDuplicatePair } from '../core/manifest.js';
import { CHARACTER_SHINGLE, shingleRuns } from '../dedupe/minhash.js';
import { toChat } from '../formats/convert.js';
import { readLines } from '../io/line-reader.js';
import { formatNumber, html, type SafeHtml } from './html.js';

/** Characters of each text shown (and compared) per pair. */
export const PAIR_TEXT_CHARACTERS = 2000;

/** A flagged pair with both texts; a text is undefined when its file no longer has it. */
export interface PairTexts extends NearDuplicatePair {
  keptText: string | undefined;
  droppedText: string | undefined;
}

/** Where a run's files are: the output folder, or the staging folder while prep writes it. */
export type PathOf = (name: string) => string;

/** The manifest's pairs with their texts, from rejected.jsonl, index.jsonl and the split files. */
export async function readPairTexts(manifest: Manifest, pathOf: PathOf): Promise<PairTexts[]> {
  const pairs = manifest.nearDuplicates?.pairs ?? [];
  if (pairs.length === 0) return [];
  const format = manifest.input.format;
  const wanted = new Set(pairs.flatMap((pair) => [pair.kept, pair.dropped]));
  // Dropped lines, and kept ones that balancing dropped later, are raw input lines.
  const texts = await rejectedTexts(pathOf('rejected.jsonl'), wanted, format);
  const missing = new Set([...wanted].filter((line) => !texts.has(line)));
  for (const [line, text] of await writtenTexts(pathOf, missing)) texts.set(line, text);
  return pairs.map((pair) => ({
    ...pair,
    keptText: texts.get(pair.kept),
    droppedText: texts.get(pair.dropped),
  }));
}

async function* jsonRows(path: string): AsyncGenerator<string> {
  try {
    for await (const { text } of readLines(createReadStream(path))) if (text !== '') yield text;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
}

async function rejectedTexts(
  path: string,
  wanted: ReadonlySet<number>,
  format: InputFormat,
): Promise<Map<number, string>> {
  const texts = new Map<number, string>();
  for await (const text of jsonRows(path)) {
    // Rejected rows start with their line: most are skipped unparsed.
    const line = Number(/^\{"line":(\d+),/.exec(text)?.[1]);
    if (!wanted.has(line) || texts.has(line)) continue;
    texts.set(line, shown(rawConversation((JSON.parse(text) as { raw: string }).raw, format)));
    if (texts.size === wanted.size) break;
  }
  return texts;
}

/** Written examples, located through index.jsonl (input line -> file and row). */
async function writtenTexts(pathOf: PathOf, lines: ReadonlySet<number>): Promise<Map<number, string>> {
  const texts = new Map<number, string>();
  if (lines.size === 0) return texts;
  const rowsByFile = new Map<string, Map<number, number>>();
  let found = 0;
  for await (const text of jsonRows(pathOf('index.jsonl'))) {
    const entry = JSON.parse(text) as { file: string; row: number; line: number };
    if (!lines.has(entry.line)) continue;
    if (!rowsByFile.has(entry.file)) rowsByFile.set(entry.file, new Map());
    rowsByFile.get(entry.file)!.set(entry.row, entry.line);
    if (++found === lines.size) break;
  }
  for (const [file, rows] of rowsByFile) {
    let row = 0;
    let left = rows.size;
    for await (const text of jsonRows(pathOf(file))) {
      const line = rows.get(++row);
      if (line === undefined) continue;
      texts.set(line, shown(conversation(JSON.parse(text))));
      if (--left === 0) break;
    }
  }
  return texts;
}

/** The user and assistant turns, as near-dedupe compares them (system prompts left out). */
function conversation(record: unknown): string | undefined {
  const messages = (record as { messages?: unknown } | null)?.messages;
  if (!Array.isArray(messages)) return undefined;
  return messages
    .filter(
      (m): m is { role: string; content: string } =>
        typeof (m as { content?: unknown })?.content === 'string',
    )
    .filter((message) => message.role !== 'system')
    .map((message) => message.content)
    .join('\n');
}

/** A raw input line's turns in the run's format (before cleaning), or the line itself. */
function rawConversation(raw: string, format: InputFormat): string {
  try {
    const chat = toChat(JSON.parse(raw), format);
    return (chat.ok ? conversation(chat.value) : undefined) ?? raw;
  } catch {
    return raw;
  }
}

/** The text cut to PAIR_TEXT_CHARACTERS code units (not inside a surrogate pair), "…" when cut. */
function shown(text: string | undefined): string {
  if (text === undefined || text.length <= PAIR_TEXT_CHARACTERS) return text ?? '';
  const cut = /[\uD800-\uDBFF]$/.test(text.slice(0, PAIR_TEXT_CHARACTERS))
    ? PAIR_TEXT_CHARACTERS - 1
    : PAIR_TEXT_CHARACTERS;
  return `${text.slice(0, cut)}…`;
}

/** A word, or one character of an unspaced script, with where it sits in the text. */
interface Unit {
  start: number;
  end: number;
  key: string;
  characters: boolean;
}

/** The units near-dedupe shingles (minhash.ts `shingleRuns`), with their positions in the text. */
function unitsOf(text: string): Unit[] {
  const units: Unit[] = [];
  for (const token of text.matchAll(/[\p{L}\p{N}\p{M}]+/gu)) {
    const word = token[0];
    // Lowercasing that changes the length would shift positions: such a token stays one word.
    const runs = word.toLowerCase().length === word.length ? shingleRuns(word) : [];
    if (runs.length === 0) {
      units.push({
        start: token.index,
        end: token.index + word.length,
        key: word.toLowerCase(),
        characters: false,
      });
      continue;
    }
    let at = token.index;
    for (const run of runs)
      for (const key of run.units) {
        units.push({ start: at, end: at + key.length, key, characters: run.characters });
        at += key.length;
      }
  }
  return units;
}

/** Consecutive units of one kind, as minhash.ts groups them. */
function runsOf(units: Unit[]): Unit[][] {
  const runs: Unit[][] = [];
  for (const unit of units) {
    const last = runs[runs.length - 1];
    if (last && last[0]!.characters === unit.characters) last.push(unit);
    else runs.push([unit]);
  }
  return runs;
}

/** Every shingle of the text: its key and the character range it covers. */
function shinglesOf(text: string, size: number): Array<{ key: string; start: number; end: number }> {
  return runsOf(unitsOf(text)).flatMap((run) => {
    const characters = run[0]!.characters;
    const width = Math.min(characters ? CHARACTER_SHINGLE : size, run.length);
    const glue = characters ? '' : ' ';
    const shingles = [];
    for (let i = 0; i + width <= run.length; i++) {
      const units = run.slice(i, i + width);
      shingles.push({
        key: units.map((u) => u.key).join(glue),
        start: units[0]!.start,
        end: units[width - 1]!.end,
      });
    }
    return shingles;
  });
}

/** The text with the shingles it shares with `other` marked; everything escaped. */
export function markShared(text: string, other: string, size: number): SafeHtml {
  const otherKeys = new Set(shinglesOf(other, size).map((shingle) => shingle.key));
  const ranges: Array<[number, number]> = [];
  for (const { key, start, end } of shinglesOf(text, size)) {
    if (!otherKeys.has(key)) continue;
    const last = ranges[ranges.length - 1];
    // Only overlapping shingles merge: touching ones may sit either side of a deleted unit.
    if (last && start < last[1]) last[1] = Math.max(last[1], end);
    else ranges.push([start, end]);
  }
  const parts: SafeHtml[] = [];
  let at = 0;
  for (const [start, end] of ranges) {
    parts.push(html`${text.slice(at, start)}<mark>${text.slice(start, end)}</mark>`);
    at = end;
  }
  return html`${parts}${text.slice(at)}`;
}

function pairText(text: string | undefined, other: string | undefined, size: number): SafeHtml {
  if (text === undefined) return html`<span class="more">(not found in the run's files)</span>`;
  return markShared(text, other ?? '', size);
}

/** The first flagged pairs side by side: kept line, dropped line, similarity, shared text marked. */
export function nearPairsSection(manifest: Manifest, pairs: readonly PairTexts[]): SafeHtml | '' {
  const near = manifest.nearDuplicates;
  if (!near || pairs.length === 0) return '';
  const rows = pairs.map(
    (pair) => html`<tr data-kept="${pair.kept}" data-dropped="${pair.dropped}">
      <td class="num">${formatNumber(pair.similarity, 2)}</td>
      <td class="num">${formatNumber(pair.kept)}</td>
      <td class="raw kept-text">${pairText(pair.keptText, pair.droppedText, near.shingle)}</td>
      <td class="num">${formatNumber(pair.dropped)}</td>
      <td class="raw dropped-text">${pairText(pair.droppedText, pair.keptText, near.shingle)}</td>
    </tr>`,
  );
  return html`<h3>First ${formatNumber(pairs.length)} of ${formatNumber(near.dropped)} flagged pairs</h3>
    <p>
      User and assistant text of each pair (the dropped one as read, before cleaning); shared
      ${near.shingle}-word and ${near.characterShingle}-character shingles are marked. Similarity is the
      MinHash estimate the drop was decided on.
    </p>
    <table id="near-pairs">
      <thead>
        <tr>
          <th class="num">similarity</th>
          <th class="num">kept line</th>
          <th>kept text</th>
          <th class="num">dropped line</th>
          <th>dropped text</th>
        </tr>
      </thead>
      <tbody>
        ${rows}
      </tbody>
    </table>`;
}

/** The largest leakage clusters: size, split, and their members' input lines. */
export function clustersTable(clusters: readonly LeakageCluster[] | undefined): SafeHtml | '' {
  if (!clusters || clusters.length === 0) return '';
  const rows = clusters.map(
    (cluster) => html`<tr>
      <td class="num">${formatNumber(cluster.size)}</td>
      <td>${cluster.split}</td>
      <td>
        ${cluster.lines.map((line) => formatNumber(line)).join(', ')}${cluster.size > cluster.lines.length ? html`<span class="more">, … (${formatNumber(cluster.size - cluster.lines.length)} more)</span>` : ''}
      </td>
    </tr>`,
  );
  return html`<h3>Largest clusters</h3>
    <table id="leakage-clusters">
      <thead>
        <tr>
          <th class="num">examples</th>
          <th>split</th>
          <th>input lines</th>
        </tr>
      </thead>
      <tbody>
        ${rows}
      </tbody>
    </table>`;
}
