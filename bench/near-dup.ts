// `npm run bench:near-dup`: precision and recall of dedupe-near on seeded data with planted
// near-duplicates (1-2 words changed, sentences reordered, whitespace changed) and planted
// distinct-but-similar pairs (same template, different facts). Writes `## near-duplicates` in bench/README.md.
import { readFileSync, writeFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import type { Envelope } from '../src/core/envelope.js';
import { seededRandom } from '../src/metrics/stats.js';
import { createDedupeNearStage } from '../src/stages/dedupe-near.js';
import { exactJaccard, shingles } from '../src/dedupe/minhash.js';

const random = seededRandom(2026);
const SYLLABLES = 'ka lo mi re tu sa ven dor pli qua zen fro bal tri mon gus hel vax rin op'.split(' ');
const VOCABULARY = Array.from({ length: 3000 }, () =>
  Array.from(
    { length: 2 + Math.floor(random() * 3) },
    () => SYLLABLES[Math.floor(random() * SYLLABLES.length)],
  ).join(''),
);
const word = () => VOCABULARY[Math.floor(random() ** 2 * VOCABULARY.length)]!; // Zipf-like
const sentence = () => `${Array.from({ length: 6 + Math.floor(random() * 10) }, word).join(' ')}.`;
const answer = () => Array.from({ length: 4 + Math.floor(random() * 6) }, sentence).join(' ');

type Kind = 'base' | 'near' | 'similar';
const docs: Array<{ kind: Kind; text: string; of?: number }> = [];
const BASES = 4000;
for (let i = 0; i < BASES; i++) docs.push({ kind: 'base', text: answer() });
const variants: typeof docs = [];
for (let i = 0; i < 800; i++) {
  const of = Math.floor(random() * BASES);
  const source = docs[of]!.text;
  const how = i % 4;
  let text: string;
  if (how === 0 || how === 1) {
    const words = source.split(' ');
    for (let k = 0; k <= how; k++) words[Math.floor(random() * words.length)] = word();
    text = words.join(' ');
  } else if (how === 2) {
    const sentences = source.split('. ');
    const a = Math.floor(random() * sentences.length);
    const b = Math.floor(random() * sentences.length);
    [sentences[a], sentences[b]] = [sentences[b]!, sentences[a]!];
    text = sentences.join('. ');
  } else {
    text = source.replace(/ /g, () => (random() < 0.1 ? '  ' : ' ')).replace(/\. /g, '.\n');
  }
  variants.push({ kind: 'near', text, of });
}
for (let i = 0; i < 800; i++) {
  // Same frame, half the sentences new: Jaccard around 0.3-0.6.
  const of = Math.floor(random() * BASES);
  const sentences = docs[of]!.text.split('. ');
  const text = sentences.map((s, k) => (k % 2 === 0 ? s : sentence().slice(0, -1))).join('. ');
  variants.push({ kind: 'similar', text, of });
}
for (const variant of variants) docs.push(variant);

const envelopes: Envelope[] = docs.map((doc, i) => ({
  line: i + 1,
  raw: '',
  scenario: 'unlabeled',
  example: {
    messages: [
      { role: 'user', content: 'Tell me.' },
      { role: 'assistant', content: doc.text },
    ],
  },
}));
const stage = createDedupeNearStage({ threshold: 0.8, shingle: 3, leakThreshold: false });
const started = performance.now();
for (let i = 0; i < envelopes.length; i += 512) void stage.run(envelopes.slice(i, i + 512));
const seconds = (performance.now() - started) / 1000;

// Memory at scale: distinct 30-word answers through the stage with leakage clusters on (prep's
// default). Typed-array bytes are what the module reports; arrayBuffers is what V8 saw.
const SCALE = Number(process.env.NEAR_DUP_SCALE ?? 1_000_000);
const gc = (globalThis as { gc?: () => void }).gc ?? (() => undefined);
gc();
const buffersBefore = process.memoryUsage().arrayBuffers;
const scaled = createDedupeNearStage({ threshold: 0.8, shingle: 3 });
const scaleStarted = performance.now();
for (let i = 0; i < SCALE; i += 512) {
  const batch: Envelope[] = [];
  for (let k = i; k < Math.min(SCALE, i + 512); k++) {
    batch.push({
      line: k + 1,
      raw: '',
      scenario: 'unlabeled',
      example: {
        messages: [
          { role: 'user', content: 'Q' },
          { role: 'assistant', content: Array.from({ length: 30 }, word).join(' ') },
        ],
      },
    });
  }
  void scaled.run(batch);
}
const scaleSeconds = (performance.now() - scaleStarted) / 1000;
gc();
const buffersAfter = process.memoryUsage().arrayBuffers;
const scaleSummary = scaled.summary!() as { kept: number; bands: number; bytesPerKeptExample: number };

let truePositives = 0;
let falsePositives = 0;
let falseNegatives = 0;
const byHow = [0, 0, 0, 0];
// Recall among planted pairs whose exact Jaccard really is >= the threshold: the algorithm's part.
let aboveThreshold = 0;
let aboveThresholdFound = 0;
envelopes.forEach((envelope, i) => {
  const doc = docs[i]!;
  const flagged = envelope.rejection?.reason === 'near_duplicate';
  if (doc.kind === 'near') {
    const exact = exactJaccard(
      shingles(`${'Tell me.'}\n${doc.text}`, 3),
      shingles(`Tell me.\n${docs[doc.of!]!.text}`, 3),
    );
    if (exact >= 0.8) {
      aboveThreshold++;
      if (flagged) aboveThresholdFound++;
    }
    if (flagged) {
      truePositives++;
      byHow[(i - BASES) % 4]!++;
    } else falseNegatives++;
  } else if (flagged) falsePositives++;
});
const precision = truePositives / (truePositives + falsePositives);
const recall = truePositives / (truePositives + falseNegatives);
const summary = stage.summary!() as Record<string, number>;
const lines = [
  '## near-duplicates',
  '',
  '<!-- bench:near-dup:start -->',
  '',
  'Command: `npm run bench:near-dup` (seeded; one run).',
  '',
  `Data: ${BASES.toLocaleString('en-US')} distinct answers (40-150 words from a 3,000-word Zipf-like vocabulary), 800 planted near-duplicates (200 each: 1 word changed, 2 words changed, two sentences swapped, whitespace and line breaks changed) and 800 distinct-but-similar answers (every other sentence replaced). Threshold 0.8, 3-word shingles, ${summary.permutations} hashes, ${summary.bands} bands x ${summary.rows} rows.`,
  '',
  '| figure | value |',
  '| --- | ---: |',
  `| precision | ${precision.toFixed(4)} |`,
  `| recall on all 800 planted near-duplicates | ${recall.toFixed(4)} |`,
  `| recall on planted pairs with exact Jaccard >= 0.8 (${aboveThreshold} of 800) | ${(aboveThresholdFound / aboveThreshold).toFixed(4)} |`,
  `| recall by kind (1 word / 2 words / swap / whitespace) | ${byHow.map((n) => (n / 200).toFixed(3)).join(' / ')} |`,
  `| false positives among ${(800).toLocaleString('en-US')} similar + ${BASES.toLocaleString('en-US')} distinct | ${falsePositives} |`,
  `| candidate pairs checked | ${summary.candidatePairs!.toLocaleString('en-US')} |`,
  `| index bytes per kept example | ${summary.bytesPerKeptExample} |`,
  `| examples per second (one thread) | ${Math.round(docs.length / seconds).toLocaleString('en-US')} |`,
  '',
  `Memory at scale: ${SCALE.toLocaleString('en-US')} distinct 30-word answers through the stage as prep runs it (near-duplicates at 0.8 and leakage clusters at 0.6, ${scaleSummary.kept.toLocaleString('en-US')} kept):`,
  '',
  '| figure | value |',
  '| --- | ---: |',
  `| index: signature, line, one band table (${scaleSummary.bands} bands x 3 rows) serving both thresholds, union-find; bytes per kept example | ${scaleSummary.bytesPerKeptExample} |`,
  `| typed-array memory V8 reports (arrayBuffers growth), bytes per kept example | ${Math.round((buffersAfter - buffersBefore) / scaleSummary.kept)} |`,
  `| examples per second with both (one thread) | ${Math.round(SCALE / scaleSeconds).toLocaleString('en-US')} |`,
  '',
  '<!-- bench:near-dup:end -->',
];
console.log(lines.join('\n'));
if (process.argv.includes('--write')) {
  const path = new URL('./README.md', import.meta.url);
  let readme = readFileSync(path, 'utf8');
  const block = lines.join('\n');
  const start = readme.indexOf('## near-duplicates');
  const endMarker = '<!-- bench:near-dup:end -->';
  if (start >= 0)
    readme = readme.slice(0, start) + block + readme.slice(readme.indexOf(endMarker) + endMarker.length);
  else readme = `${readme.trimEnd()}\n\n${block}\n`;
  writeFileSync(path, readme);
}
