// A seeded generator of real multilingual text for the tokenizer benchmark and differential test:
// lines of the reference datasets (English, Chinese, code, JSON tool calls) recombined into documents
// with varied whitespace and lines cut at arbitrary characters, so word boundaries differ from the source.

import { seededRandom } from '../src/metrics/stats.js';

const SEPARATORS = ['\n', ' ', '\n\n', '  ', '\t', '', ' \n', '\n ', '    ', '\r\n'];

/**
 * Documents built from `lines` until their UTF-8 size reaches `bytes`. Each document joins 1-12
 * lines; a tenth of the lines are cut at a random code point, a twentieth get extra spaces inside.
 */
export function generateCorpus(lines: readonly string[], bytes: number, seed = 1): string[] {
  const random = seededRandom(seed);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
  const documents: string[] = [];
  let size = 0;
  while (size < bytes) {
    const count = 1 + Math.floor(random() * 12);
    let document = '';
    for (let i = 0; i < count; i++) {
      let line = pick(lines);
      const roll = random();
      if (roll < 0.1) {
        const points = Array.from(line);
        line = points.slice(Math.floor(random() * points.length)).join('');
      } else if (roll < 0.15) {
        line = line.replace(/ /g, () => (random() < 0.2 ? '   ' : ' '));
      }
      document += (i === 0 ? '' : pick(SEPARATORS)) + line;
    }
    documents.push(document);
    size += Buffer.byteLength(document);
  }
  return documents;
}

/** Non-empty lines of the given texts, deduplicated, in first-seen order. */
export function textLines(texts: readonly string[]): string[] {
  const lines = new Set<string>();
  for (const text of texts) for (const line of text.split('\n')) if (line.trim() !== '') lines.add(line);
  return [...lines];
}
