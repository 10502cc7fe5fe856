// `npm run bench:near-dup`: precision and recall of dedupe-near on seeded data with planted
// near-duplicates (1-2 words changed, sentences reordered, whitespace changed) and planted
// distinct-but-similar pairs (same template, different facts); the same for Chinese (one-character
// edits), on a real Chinese Alpaca when ../shared is present, and on very short chats; the exact
// Jaccard of every flagged pair; signing speed of the code before the typed-array shingler and of
// the current one, alternating on the same chats. Writes `## near-duplicates` in bench/README.md.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { availableParallelism, loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import type { Envelope } from '../src/core/envelope.js';
import type { ChatExample } from '../src/core/example.js';
import { seededRandom } from '../src/metrics/stats.js';
import { createDedupeNearStage } from '../src/stages/dedupe-near.js';
import {
  conversationText,
  exactJaccard,
  MIN_SHINGLES,
  nearSignatureOf,
  PERMUTATIONS,
  shingles,
} from '../src/dedupe/minhash.js';
import { chineseTexts, COMMON_HAN } from '../test/helpers/chinese.js';

const THRESHOLD = 0.8;
const LOAD = loadavg()[0]!;
const SPEED_ROUNDS = 5;

// The signature code before the typed-array shingler (commit 0d37418), copied only to time it
// against the current one on the same data in the same run; it must give the same signatures.
const legacy = (() => {
  const fmix32 = (value: number): number => {
    let h = value >>> 0;
    h ^= h >>> 16;
    h = Math.imul(h, 0x85ebca6b);
    h ^= h >>> 13;
    h = Math.imul(h, 0xc2b2ae35);
    h ^= h >>> 16;
    return h >>> 0;
  };
  const fnv1a = (text: string): number => {
    let h = 0x811c9dc5;
    for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
    return h >>> 0;
  };
  const UNSPACED =
    /[\p{sc=Han}\p{sc=Hiragana}\p{sc=Katakana}\p{sc=Hangul}\p{sc=Thai}\p{sc=Lao}\p{sc=Khmer}\p{sc=Myanmar}\u30fc]/u;
  const UNSPACED_CHARACTERS = new RegExp(UNSPACED.source, 'gu');
  const shingleRuns = (text: string) => {
    const tokens = text
      .toLowerCase()
      .split(/[^\p{L}\p{N}\p{M}]+/u)
      .filter((token) => token !== '');
    if (!UNSPACED.test(text)) return tokens.length > 0 ? [{ characters: false, units: tokens }] : [];
    const runs: Array<{ characters: boolean; units: string[] }> = [];
    const push = (unit: string, characters: boolean) => {
      const last = runs[runs.length - 1];
      if (last?.characters === characters) last.units.push(unit);
      else runs.push({ characters, units: [unit] });
    };
    for (const token of tokens) {
      let from = 0;
      for (const match of token.matchAll(UNSPACED_CHARACTERS)) {
        if (match.index > from) push(token.slice(from, match.index), false);
        push(match[0], true);
        from = match.index + match[0].length;
      }
      if (from < token.length) push(token.slice(from), false);
    }
    return runs;
  };
  const shingleHashes = (text: string, size: number): Uint32Array => {
    const runs = shingleRuns(text);
    const widthOf = (run: (typeof runs)[number]) => Math.min(run.characters ? 3 : size, run.units.length);
    let count = 0;
    for (const run of runs) count += run.units.length - widthOf(run) + 1;
    const out = new Uint32Array(count);
    let at = 0;
    for (const run of runs) {
      const unitHashes = run.units.map(fnv1a);
      const width = widthOf(run);
      const seed = run.characters ? width + 0x6a09e667 : width;
      for (let i = 0; i + width <= unitHashes.length; i++) {
        let h = seed;
        for (let k = 0; k < width; k++) h = fmix32(h ^ unitHashes[i + k]!);
        out[at++] = h;
      }
    }
    return out;
  };
  const minhash = (hashes: Uint32Array): Uint32Array => {
    const mins = new Uint32Array(PERMUTATIONS).fill(0xffffffff);
    for (let i = 0; i < hashes.length; i++) {
      const h = hashes[i]!;
      const bin = Math.floor((fmix32(h ^ 0x5bd1e995) * PERMUTATIONS) / 0x100000000);
      const value = fmix32(h ^ 0x27d4eb2f);
      if (value < mins[bin]!) mins[bin] = value;
    }
    const dense = mins.slice();
    for (let bin = 0; bin < PERMUTATIONS; bin++) {
      if (mins[bin] !== 0xffffffff) continue;
      for (let attempt = 1; ; attempt++) {
        const from = fmix32(Math.imul(bin + 1, 0x9e3779b1) + Math.imul(attempt, 0x85ebca6b)) % PERMUTATIONS;
        if (mins[from] !== 0xffffffff) {
          dense[bin] = mins[from]!;
          break;
        }
      }
    }
    return dense;
  };
  const distinctAtLeast = (hashes: Uint32Array, wanted: number): boolean => {
    const seen = new Set<number>();
    for (let i = 0; i < hashes.length && seen.size < wanted; i++) seen.add(hashes[i]!);
    return seen.size >= wanted;
  };
  return {
    nearSignatureOf(text: string, shingleSize: number): Uint8Array | undefined {
      const hashes = shingleHashes(text, shingleSize);
      if (!distinctAtLeast(hashes, MIN_SHINGLES)) return undefined;
      const mins = minhash(hashes);
      const out = new Uint8Array(PERMUTATIONS);
      for (let i = 0; i < PERMUTATIONS; i++) out[i] = mins[i]! & 0xff;
      return out;
    },
  };
})();

type Signer = (text: string, shingleSize: number) => Uint8Array | undefined;

/** Examples per second of `sign` over the texts (conversationText included, as the stage runs it). */
function signingSpeed(sign: Signer, chats: ChatExample[]): number {
  const started = performance.now();
  for (const chat of chats) sign(conversationText(chat), 3);
  return chats.length / ((performance.now() - started) / 1000);
}

/**
 * Before/after signing speed, alternating the old and the current code ROUNDS times on the same
 * chats (so both see the same machine load); the median of each. Checks they sign alike.
 */
function speedComparison(chats: ChatExample[]) {
  for (const chat of chats) {
    const text = conversationText(chat);
    const before = legacy.nearSignatureOf(text, 3);
    const after = nearSignatureOf(text, 3);
    if (String(before) !== String(after)) throw new Error(`signatures differ on: ${text.slice(0, 80)}`);
  }
  const before: number[] = [];
  const after: number[] = [];
  for (let round = 0; round < SPEED_ROUNDS; round++) {
    before.push(signingSpeed(legacy.nearSignatureOf, chats));
    after.push(signingSpeed(nearSignatureOf, chats));
  }
  const median = (values: number[]) => values.sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
  return { before: median(before), after: median(after) };
}

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

// Signing speed before/after: 20,000 English chats of ~300 words and 10,000 Chinese chats of
// 100-400 characters, from generators of their own (the other figures keep their data); timed
// before the million-example run below fills the heap.
const speedRandom = seededRandom(7);
const speedWord = () => VOCABULARY[Math.floor(speedRandom() ** 2 * VOCABULARY.length)]!;
const speedSentence = () =>
  `${Array.from({ length: 6 + Math.floor(speedRandom() * 10) }, speedWord).join(' ')}.`;
const chat = (user: string, assistant: string): ChatExample => ({
  messages: [
    { role: 'user', content: user },
    { role: 'assistant', content: assistant },
  ],
});
const englishSpeedChats = Array.from({ length: 20_000 }, () => {
  let assistant = '';
  while (assistant.split(' ').length < 280) assistant += `${speedSentence()} `;
  return chat(speedSentence(), assistant.trimEnd());
});
const chineseSpeed = chineseTexts(7);
const chineseSpeedChats = Array.from({ length: 10_000 }, () =>
  chat(chineseSpeed.text(10, 30), chineseSpeed.text(100, 400)),
);
const englishSpeed = speedComparison(englishSpeedChats);
const chineseSpeedFigures = speedComparison(chineseSpeedChats);
const speedRow = (name: string, figures: { before: number; after: number }) =>
  `| ${name} | ${Math.round(figures.before).toLocaleString('en-US')} | ${Math.round(figures.after).toLocaleString('en-US')} | ${(figures.after / figures.before).toFixed(1)}x |`;

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
// V8 frees dead ArrayBuffers' memory on a background sweeper: right after gc() the figure still
// holds the batches' signatures (329 against 223 bytes per example in a 300,000-example check).
gc();
await new Promise((resolve) => setTimeout(resolve, 500));
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
  `Signing speed (\`nearSignatureOf(conversationText(chat), 3)\`: shingling, hashing, MinHash), the code before the typed-array shingler (a copy in bench/near-dup.ts) and the current one, alternating ${SPEED_ROUNDS} rounds on the same chats in this run, median examples per second of each; both give the same signatures on every chat (checked). The machine is shared, so only the ratio within one run means much.`,
  '',
  '| chats | before (examples/s) | after (examples/s) | speed-up |',
  '| --- | ---: | ---: | ---: |',
  speedRow(`${englishSpeedChats.length.toLocaleString('en-US')} English, ~300 words`, englishSpeed),
  speedRow(
    `${chineseSpeedChats.length.toLocaleString('en-US')} Chinese, 110-430 characters`,
    chineseSpeedFigures,
  ),
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
