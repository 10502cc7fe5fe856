// prep end to end on data that near-dedup used to get wrong: very short chats and Chinese text
// (distinct examples kept, unrelated holdout lines not "contaminated", a real Chinese Alpaca).
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { conversationText, exactJaccard, shingles } from '../../src/dedupe/minhash.js';
import { seededRandom } from '../../src/metrics/stats.js';
import { prep, type PrepOptions } from '../../src/pipeline/prep.js';
import { chineseTexts } from '../helpers/chinese.js';
import { hasShared, reference, sharedSkipMessage } from '../helpers/shared.js';

const readLines = (path: string) => readFileSync(path, 'utf8').split('\n').filter(Boolean);

interface Chat {
  user: string;
  assistant: string;
}

const chatLine = (chat: Chat) =>
  JSON.stringify({
    messages: [
      { role: 'user', content: chat.user },
      { role: 'assistant', content: chat.assistant },
    ],
  });

async function run(chats: Chat[], options: Partial<PrepOptions> = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'phikit-near-'));
  const input = join(dir, 'data.jsonl');
  writeFileSync(input, `${chats.map(chatLine).join('\n')}\n`);
  const out = join(dir, 'out');
  const { manifest } = await prep(input, { out, tokens: false, report: false, ...options });
  const rejected = readLines(join(out, 'rejected.jsonl')).map(
    (l) => JSON.parse(l) as { line: number; reason: string; message: string },
  );
  const kept = readLines(join(out, 'train.jsonl')).length + readLines(join(out, 'validation.jsonl')).length;
  return { manifest, rejected, kept, dir };
}

const ENGLISH =
  'hi hello yes no red blue green maybe sure thanks ok fine why how when where who what now later today tomorrow cat dog tea coffee rain sun snow wind left right up down north south east west one two three four five six seven eight nine ten open close start stop buy sell good bad hot cold big small fast slow new old'.split(
    ' ',
  );

/** `count` distinct chats of one to three words in all (user + assistant). */
function shortChats(count: number): Chat[] {
  const random = seededRandom(77);
  const word = () => ENGLISH[Math.floor(random() * ENGLISH.length)]!;
  const chats = new Map<string, Chat>();
  while (chats.size < count) {
    const words = Array.from({ length: 1 + Math.floor(random() * 3) }, word);
    const chat =
      words.length === 1
        ? { user: `${words[0]}?`, assistant: 'Yes.' }
        : { user: `${words[0]}?`, assistant: `${words.slice(1).join(' ')}.` };
    chats.set(chat.user + chat.assistant, chat);
  }
  return [...chats.values()];
}

describe('prep keeps very short distinct chats', () => {
  it('drops none of 1,500 distinct chats of one to three words as near-duplicates', async () => {
    const chats = [
      { user: 'Hi?', assistant: 'Hello.' },
      { user: 'Red?', assistant: 'Blue.' },
      ...shortChats(1500),
    ];
    const { rejected, kept } = await run(chats);
    expect(rejected.filter((r) => r.reason === 'near_duplicate')).toEqual([]);
    expect(kept).toBe(chats.length);
  });

  it('still drops an exact duplicate of a short chat', async () => {
    const { rejected } = await run([
      { user: 'Hi?', assistant: 'Hello.' },
      { user: 'Red?', assistant: 'Blue.' },
      { user: 'Hi?', assistant: 'Hello.' },
    ]);
    expect(rejected).toMatchObject([{ line: 3, reason: 'duplicate' }]);
  });
});

describe('prep --holdout on Chinese text', () => {
  it('finds no contamination between unrelated Chinese lines, and still finds an edited copy', async () => {
    const chinese = chineseTexts(31);
    const chat = (): Chat => ({ user: chinese.text(6, 20), assistant: chinese.text(10, 100) });
    const holdoutChats = Array.from({ length: 300 }, chat);
    const chats = Array.from({ length: 1000 }, chat);
    const copied = holdoutChats[5]!;
    chats.push({ user: copied.user, assistant: chinese.edit(copied.assistant, 0) });
    const dir = mkdtempSync(join(tmpdir(), 'phikit-holdout-'));
    const holdout = join(dir, 'holdout.jsonl');
    writeFileSync(holdout, `${holdoutChats.map(chatLine).join('\n')}\n`);
    const { rejected } = await run(chats, { holdout });
    expect(rejected.filter((r) => r.reason === 'contaminated')).toMatchObject([
      { line: 1001, message: expect.stringMatching(/ similar to line 6 of the holdout set/) },
    ]);
  });
});

describe.skipIf(!hasShared)('prep on a real Chinese Alpaca (../shared/reference)', () => {
  it('flags only pairs whose exact Jaccard is near the threshold', async () => {
    const path = reference('datasets/llamafactory/alpaca_zh_demo.json');
    const records = JSON.parse(readFileSync(path, 'utf8')) as Array<{
      instruction: string;
      input: string;
      output: string;
    }>;
    const chats = records.map((r) => ({
      user: r.input ? `${r.instruction}\n${r.input}` : r.instruction,
      assistant: r.output,
    }));
    const { rejected } = await run(chats);
    const text = (line: number) =>
      conversationText({
        messages: [
          { role: 'user', content: chats[line - 1]!.user },
          { role: 'assistant', content: chats[line - 1]!.assistant },
        ],
      });
    const flagged = rejected
      .filter((r) => r.reason === 'near_duplicate')
      .map((r) => {
        const similarTo = Number(/line (\d+)/.exec(r.message)![1]);
        return exactJaccard(shingles(text(r.line), 3), shingles(text(similarTo), 3));
      });
    expect(flagged.filter((jaccard) => jaccard < 0.7)).toEqual([]);
  });
});

if (!hasShared) console.warn(sharedSkipMessage);
