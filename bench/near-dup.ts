// `npm run bench:near-dup`: precision and recall of dedupe-near on seeded data with planted
// near-duplicates (1-2 words changed, sentences reordered, whitespace changed) and planted
// distinct-but-similar pairs (same template, different facts); the same for Chinese (one-character
// edits), on a real Chinese Alpaca when ../shared is present, and on very short chats; the exact
// Jaccard of every flagged pair. Writes `## near-duplicates` in bench/README.md.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { availableParallelism, loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import type { Envelope } from '../src/core/envelope.js';
import { seededRandom } from '../src/metrics/stats.js';
import { createDedupeNearStage } from '../src/stages/dedupe-near.js';
import { conversationText, exactJaccard, shingles } from '../src/dedupe/minhash.js';
import { chineseTexts, COMMON_HAN } from '../test/helpers/chinese.js';

const THRESHOLD = 0.8;
const LOAD = loadavg()[0]!;

interface Chat {
  user: string;
  assistant: string;
}

const chatEnvelope = (chat: Chat, i: number): Envelope => ({
  line: i + 1,
  raw: '',
  scenario: 'unlabeled',
  example: {
    messages: [
      { role: 'user', content: chat.user },
      { role: 'assistant', content: chat.assistant },
    ],
  },
});

/** Runs chats through the stage at 0.8; each flagged line with the exact Jaccard to the line it names. */
function dedupe(chats: Chat[]) {
  const envelopes = chats.map(chatEnvelope);
  const stage = createDedupeNearStage({ threshold: THRESHOLD, shingle: 3, leakThreshold: false });
  const started = performance.now();
  for (let i = 0; i < envelopes.length; i += 512) void stage.run(envelopes.slice(i, i + 512));
  const seconds = (performance.now() - started) / 1000;
  const shingleSet = (i: number) => shingles(conversationText(envelopes[i]!.example!), 3);
  const flagged = new Map<number, number>();
  let identical = 0;
  envelopes.forEach((envelope, i) => {
    if (envelope.rejection?.reason !== 'near_duplicate') return;
    const similarTo = envelope.rejection.detail!.similarTo as number;
    flagged.set(i, exactJaccard(shingleSet(i), shingleSet(similarTo - 1)));
    // Copies that prep's exact dedupe would have removed first (the stage runs alone here).
    if (
      chats[i]!.user === chats[similarTo - 1]!.user &&
      chats[i]!.assistant === chats[similarTo - 1]!.assistant
    )
      identical++;
  });
  return { flagged, identical, seconds, summary: stage.summary() };
}

/** "n flagged; exact Jaccard min / median; below 0.8: k (rate)" for a set of flagged pairs. */
function flaggedSummary(flagged: Map<number, number>): string {
  const values = [...flagged.values()].sort((a, b) => a - b);
  if (values.length === 0) return '0 flagged';
  const below = values.filter((j) => j < THRESHOLD).length;
  const median = values[Math.floor(values.length / 2)]!;
  return `${values.length} flagged; exact Jaccard min ${values[0]!.toFixed(3)}, median ${median.toFixed(3)}; below ${THRESHOLD}: ${below} (${((100 * below) / values.length).toFixed(1)}%)`;
}

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

const english = dedupe(docs.map((doc) => ({ user: 'Tell me.', assistant: doc.text })));
const seconds = english.seconds;

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
docs.forEach((doc, i) => {
  const flagged = english.flagged.has(i);
  if (doc.kind === 'near') {
    const exact = exactJaccard(
      shingles(`Tell me.\n${doc.text}`, 3),
      shingles(`Tell me.\n${docs[doc.of!]!.text}`, 3),
    );
    if (exact >= THRESHOLD) {
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
const summary = english.summary;

// Chinese: distinct chats (short and long answers), then one-character edits (substituted,
// inserted, deleted in turn) of 40-100-character answers.
const chinese = chineseTexts(2026);
const CHINESE_BASES = 2000;
const CHINESE_EDITS = 600;
const chineseBases: Chat[] = Array.from({ length: CHINESE_BASES }, (_, i) => ({
  user: chinese.text(6, 24),
  assistant: i % 4 === 0 ? chinese.text(2, 30) : chinese.text(40, 100),
}));
const editable = chineseBases.flatMap((chat, i) => (i % 4 === 0 ? [] : [i]));
const chineseEdits = Array.from({ length: CHINESE_EDITS }, (_, k) => {
  const of = editable[Math.floor(chinese.random() * editable.length)]!;
  return { of, chat: { ...chineseBases[of]!, assistant: chinese.edit(chineseBases[of]!.assistant, k % 3) } };
});
const chineseRun = dedupe([...chineseBases, ...chineseEdits.map((edit) => edit.chat)]);
const chineseFound = chineseEdits.filter((_, k) => chineseRun.flagged.has(CHINESE_BASES + k)).length;
const chineseDistinctFlagged = [...chineseRun.flagged.keys()].filter((i) => i < CHINESE_BASES).length;

// The real Chinese Alpaca (1,000 examples): flags among its own lines, and one-character edits of
// its 40-100-character answers.
const ALPACA_ZH = new URL(
  '../../shared/reference/datasets/llamafactory/alpaca_zh_demo.json',
  import.meta.url,
);
const alpacaLines: string[] = [];
if (existsSync(ALPACA_ZH)) {
  const records = JSON.parse(readFileSync(ALPACA_ZH, 'utf8')) as Array<Record<string, string>>;
  const real: Chat[] = records.map((r) => ({
    user: r.input ? `${r.instruction}\n${r.input}` : r.instruction!,
    assistant: r.output!,
  }));
  const own = dedupe(real);
  const copies = `${own.identical} of them exact copies, which prep's exact dedupe removes first`;
  const short = real.flatMap((chat, i) => {
    const length = [...chat.assistant].length;
    return length >= 40 && length <= 100 ? [i] : [];
  });
  const edits = short.map((i, k) => ({ ...real[i]!, assistant: chinese.edit(real[i]!.assistant, k % 3) }));
  const edited = dedupe([...real, ...edits]);
  const found = edits.filter((_, k) => edited.flagged.has(real.length + k)).length;
  alpacaLines.push(
    `| real Chinese Alpaca (${real.length.toLocaleString('en-US')} examples): its own lines | ${flaggedSummary(own.flagged)} (${copies}) |`,
    `| real Chinese Alpaca: recall on one-character edits of its ${edits.length} answers of 40-100 characters | ${(found / edits.length).toFixed(4)} (${found} of ${edits.length}) |`,
  );
} else {
  alpacaLines.push(`| real Chinese Alpaca | skipped: ${ALPACA_ZH.pathname} not found |`);
}

// Very short chats: 1,500 distinct chats of one to three words in all.
const SHORT_WORDS =
  'hi hello yes no red blue green maybe sure thanks ok fine why how when where who what now later today cat dog tea coffee rain sun snow wind left right up down one two three four five open close start stop buy sell good bad hot cold big small fast slow new old'.split(
    ' ',
  );
const shortChats = new Map<string, Chat>();
while (shortChats.size < 1500) {
  const words = Array.from(
    { length: 1 + Math.floor(random() * 3) },
    () => SHORT_WORDS[Math.floor(random() * SHORT_WORDS.length)]!,
  );
  const chat = {
    user: `${words[0]}?`,
    assistant: words.length > 1 ? `${words.slice(1).join(' ')}.` : 'Yes.',
  };
  shortChats.set(chat.user + chat.assistant, chat);
}
const shortRun = dedupe([...shortChats.values()]);

const lines = [
  '## near-duplicates',
  '',
  '<!-- bench:near-dup:start -->',
  '',
  `Command: \`npm run bench:near-dup\` (seeded; one run; load average ${LOAD.toFixed(1)} on ${availableParallelism()} cores when it started, so speeds are noisy on a shared machine).`,
  '',
  `Data: ${BASES.toLocaleString('en-US')} distinct answers (40-150 words from a 3,000-word Zipf-like vocabulary), 800 planted near-duplicates (200 each: 1 word changed, 2 words changed, two sentences swapped, whitespace and line breaks changed) and 800 distinct-but-similar answers (every other sentence replaced). Threshold 0.8, 3-word shingles (3-character ones in Han/Kana/Hangul/Thai runs; no MinHash verdict under ${summary.minShingles} distinct shingles), ${summary.permutations} hashes, ${summary.bands} bands x ${summary.rows} rows. "Exact Jaccard" is computed from the two shingle sets (same shingling) of each flagged example and the line it names; a flagged pair below 0.8 is a false positive at the threshold.`,
  '',
  '| figure | value |',
  '| --- | ---: |',
  `| precision | ${precision.toFixed(4)} |`,
  `| recall on all 800 planted near-duplicates | ${recall.toFixed(4)} |`,
  `| recall on planted pairs with exact Jaccard >= 0.8 (${aboveThreshold} of 800) | ${(aboveThresholdFound / aboveThreshold).toFixed(4)} |`,
  `| recall by kind (1 word / 2 words / swap / whitespace) | ${byHow.map((n) => (n / 200).toFixed(3)).join(' / ')} |`,
  `| false positives among ${(800).toLocaleString('en-US')} similar + ${BASES.toLocaleString('en-US')} distinct | ${falsePositives} |`,
  `| flagged pairs by exact Jaccard | ${flaggedSummary(english.flagged)} |`,
  `| candidate pairs checked | ${summary.candidatePairs!.toLocaleString('en-US')} |`,
  `| index bytes per kept example | ${summary.bytesPerKeptExample} |`,
  `| examples per second (one thread) | ${Math.round(docs.length / seconds).toLocaleString('en-US')} |`,
  '',
  `Chinese: ${CHINESE_BASES.toLocaleString('en-US')} distinct generated chats (6-24-character questions; answers of 2-30 characters for a quarter, 40-100 for the rest, from ${COMMON_HAN.length} common characters with Chinese punctuation) and ${CHINESE_EDITS} one-character edits (substituted, inserted, deleted in turn) of the 40-100-character answers; then the real Chinese Alpaca from ../shared.`,
  '',
  '| figure | value |',
  '| --- | ---: |',
  `| precision | ${(chineseFound / (chineseFound + chineseDistinctFlagged)).toFixed(4)} |`,
  `| recall on ${CHINESE_EDITS} one-character edits | ${(chineseFound / CHINESE_EDITS).toFixed(4)} |`,
  `| distinct chats flagged | ${chineseDistinctFlagged} of ${CHINESE_BASES.toLocaleString('en-US')} |`,
  `| flagged pairs by exact Jaccard | ${flaggedSummary(chineseRun.flagged)} |`,
  ...alpacaLines,
  `| examples per second (one thread) | ${Math.round((CHINESE_BASES + CHINESE_EDITS) / chineseRun.seconds).toLocaleString('en-US')} |`,
  '',
  `Very short chats: ${shortChats.size.toLocaleString('en-US')} distinct chats of one to three words in all (user + assistant): ${shortRun.flagged.size} flagged (${shortRun.summary.keptWithTooFewShingles!.toLocaleString('en-US')} kept without a MinHash verdict: fewer than ${shortRun.summary.minShingles} distinct shingles).`,
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
