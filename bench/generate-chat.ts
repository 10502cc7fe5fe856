// `tsx bench/generate-chat.ts --mb 100 [--seed 1] [--out FILE]`: a seeded generator of realistic chat
// fine-tuning JSONL for the prep benchmark. Same seed and size give the same bytes. Streams to disk
// (temp file + rename); memory: one ~1 MB chunk and a ring of the last few thousand records for duplicates.
import { createWriteStream } from 'node:fs';
import { mkdir, rename } from 'node:fs/promises';
import { once } from 'node:events';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { seededRandom } from '../src/metrics/stats.js';

/** Shares of each kind of line, per line written. The rest are fresh valid examples. */
export const MIX = {
  exactDuplicate: 0.03,
  whitespaceDuplicate: 0.01,
  html: 0.03,
  invalidJson: 0.004,
  invalidSchema: 0.004,
  emptyAfterClean: 0.0005,
  invalidUtf8: 0.0005,
  blank: 0.002,
} as const;

export interface GenerateOptions {
  path: string;
  /** Target size in MB (10^6 bytes); the file stops at the first line past it. */
  megabytes: number;
  seed: number;
}

export interface GenerateSummary {
  path: string;
  bytes: number;
  lines: number;
  /** Lines by kind as generated (a whitespace duplicate of a duplicate is still one duplicate). */
  kinds: Record<LineKind, number>;
  scenarios: Record<string, number>;
}

type LineKind = 'valid' | keyof typeof MIX;

interface Message {
  role: 'system' | 'user' | 'assistant';
  content: string;
}
interface ChatRecord {
  scenario: string;
  messages: Message[];
}

// Common English words first (drawn with a Zipf-like skew), then domain words per scenario.
const COMMON = (
  'the of and to a in is that it for you was on are with as be this have from or by not but what all were ' +
  'can when your which their there use an each how if will about up out many then them these so some her ' +
  'would make like him into time has look two more write go see number no way could people my than first ' +
  'water been call who its now find long down day did get come made may part over new sound take only ' +
  'little work know place year live me back give most very after thing our just name good sentence man ' +
  'think say great where help through much before line right too mean old any same tell boy follow came ' +
  'want show also around form three small set put end does another well large must big even such because ' +
  'turn here why ask went men read need land different home us move try kind hand picture again change off ' +
  'play spell air away animal house point page letter mother answer found study still learn should world'
).split(' ');

const SCENARIOS: Record<string, { words: string[]; system: string[]; code: boolean }> = {
  'customer-support': {
    words: (
      'order account refund shipping delivery invoice subscription password login support ticket payment ' +
      'card billing address package tracking warranty return exchange customer agent issue delay charge ' +
      'plan upgrade cancel confirmation email phone store receipt discount coupon policy'
    ).split(' '),
    system: ['You are a friendly support agent for Contoso Outdoor.', 'Answer politely and briefly.'],
    code: false,
  },
  coding: {
    words: (
      'function variable array string object class method return type interface module import export ' +
      'async await promise error exception loop index value parameter argument compiler runtime test ' +
      'build package dependency library API request response JSON buffer stream thread memory pointer'
    ).split(' '),
    system: ['You are an expert TypeScript and Python programmer.', 'Explain your code step by step.'],
    code: true,
  },
  summarization: {
    words: (
      'report meeting quarter revenue growth market strategy team project deadline budget forecast ' +
      'research study results analysis data trend customer product launch feedback risk decision summary ' +
      'committee proposal article paragraph author conclusion evidence'
    ).split(' '),
    system: ['Summarize the user text in three sentences.', 'Keep names and numbers exact.'],
    code: false,
  },
  'medical-qa': {
    words: (
      'patient symptom diagnosis treatment dose medication fever pain blood pressure heart therapy ' +
      'clinic doctor nurse allergy infection vaccine chronic acute condition risk test result side effect ' +
      'prescription hospital recovery diet exercise sleep'
    ).split(' '),
    system: ['You are a careful medical information assistant.', 'Always suggest seeing a clinician.'],
    code: false,
  },
  translation: {
    words: (
      'café naïve résumé façade crème brûlée déjà vu Straße Grüße Müller señor año mañana niño ' +
      '東京 日本語 学生 先生 こんにちは ありがとう 北京 中文 你好 谢谢 Москва привет спасибо ' +
      'translate sentence phrase meaning grammar formal informal tone word language'
    ).split(' '),
    system: ['Translate between English, French, German, Spanish, Japanese and Chinese.'],
    code: false,
  },
  math: {
    words: (
      'equation solve integral derivative matrix vector probability variance mean median prime factor ' +
      'fraction percent ratio angle triangle circle radius area volume proof theorem lemma sum product ' +
      'limit series function graph slope'
    ).split(' '),
    system: ['You are a patient math tutor.', 'Show each step of the calculation.'],
    code: false,
  },
};
const SCENARIO_NAMES = Object.keys(SCENARIOS);
// Uneven scenario sizes, as in real data: the split stratifies them.
const SCENARIO_WEIGHTS = [0.3, 0.25, 0.15, 0.12, 0.1, 0.08];

const CODE_SNIPPETS = [
  '```ts\nexport function sum(values: number[]): number {\n  let total = 0;\n  for (const value of values) total += value;\n  return total;\n}\n```',
  '```python\ndef mean(xs):\n    if not xs:\n        raise ValueError("empty")\n    return sum(xs) / len(xs)\n```',
  '```ts\nconst response = await fetch(url, { method: "POST", body: JSON.stringify(payload) });\nif (!response.ok) throw new Error(`HTTP ${response.status}`);\n```',
  'Use `Array.prototype.map` and check `vector<int>` sizes with `if (a < b && c > d)`.',
];

const HTML_WRAPS: Array<(text: string) => string> = [
  (text) => `<p>${text}</p>`,
  (text) => `<div class="answer"><b>Note:</b> ${text}</div>`,
  (text) => `${text}<br>Thanks &amp; regards,<br/>The team`,
  (text) => `<ul><li>${text}</li><li>See &quot;details&quot; &gt; more</li></ul>`,
  (text) => `<span style="color:red">${text}</span> &nbsp;&copy; 2024`,
];

class ChatGenerator {
  private readonly random: () => number;
  private readonly ring: Array<{ line: string; record: ChatRecord }> = [];
  private ringNext = 0;
  private static readonly RING_SIZE = 4096;

  constructor(seed: number) {
    this.random = seededRandom(seed);
  }

  private int(min: number, max: number): number {
    return min + Math.floor(this.random() * (max - min + 1));
  }

  private pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.random() * items.length)]!;
  }

  /** Log-normal-ish word counts: most turns short, a long tail of long ones. */
  private length(median: number, max: number): number {
    const u = this.random() + this.random() + this.random() - 1.5;
    return Math.max(1, Math.min(max, Math.round(median * Math.exp(u * 1.2))));
  }

  private word(domain: string[]): string {
    if (this.random() < 0.22) return this.pick(domain);
    // Zipf-like: squaring the uniform favours the front of the list.
    const r = this.random();
    return COMMON[Math.floor(r * r * COMMON.length)]!;
  }

  private prose(domain: string[], words: number): string {
    const parts: string[] = [];
    let sentence = 0;
    for (let i = 0; i < words; i++) {
      let word = this.word(domain);
      if (sentence === 0) word = word.charAt(0).toUpperCase() + word.slice(1);
      else if (this.random() < 0.02) word = String(this.int(2, 2025));
      sentence++;
      const end = sentence > 6 && this.random() < 0.12;
      if (end || i === words - 1) {
        word += this.pick(['.', '.', '.', '?', '!']);
        sentence = 0;
        if (this.random() < 0.08 && i < words - 1) word += '\n\n';
      } else if (this.random() < 0.06) {
        word += ',';
      }
      parts.push(word);
    }
    return parts.join(' ').replace(/\n\n /g, '\n\n');
  }

  private record(): ChatRecord {
    let r = this.random();
    let s = 0;
    while (s < SCENARIO_NAMES.length - 1 && r >= SCENARIO_WEIGHTS[s]!) r -= SCENARIO_WEIGHTS[s++]!;
    const scenario = SCENARIO_NAMES[s]!;
    const spec = SCENARIOS[scenario]!;
    const messages: Message[] = [];
    if (this.random() < 0.85) {
      messages.push({ role: 'system', content: `${this.pick(spec.system)} ${this.prose(spec.words, 12)}` });
    }
    const turns = this.random() < 0.6 ? 1 : this.int(2, 4);
    for (let t = 0; t < turns; t++) {
      messages.push({ role: 'user', content: this.prose(spec.words, this.length(35, 600)) });
      let answer = this.prose(spec.words, this.length(120, 1500));
      if (spec.code && this.random() < 0.5)
        answer += `\n\n${this.pick(CODE_SNIPPETS)}\n\n${this.prose(spec.words, 20)}`;
      if (this.random() < 0.01) answer = answer.replace('e', 'e\u0301'); // decomposed accent: NFC rewrites it
      if (this.random() < 0.01) answer = answer.replace(' ', '\u200b '); // zero-width space
      messages.push({ role: 'assistant', content: answer });
    }
    return { scenario, messages };
  }

  private remember(line: string, record: ChatRecord): void {
    if (this.ring.length < ChatGenerator.RING_SIZE) this.ring.push({ line, record });
    else this.ring[this.ringNext] = { line, record };
    this.ringNext = (this.ringNext + 1) % ChatGenerator.RING_SIZE;
  }

  /** Whitespace the clean stage removes: doubled inner spaces, a non-breaking space, trailing spaces. */
  private whitespaceVariant(record: ChatRecord): ChatRecord {
    return {
      scenario: record.scenario,
      messages: record.messages.map((message) => {
        let content = message.content;
        const variant = this.int(0, 2);
        if (variant === 0) content = content.replace(/(\S) (\S)/, '$1   $2');
        else if (variant === 1) content = content.replace(/(\S) (\S)/, '$1\u00a0$2');
        else content = `${content}  \t`;
        return { ...message, content };
      }),
    };
  }

  private invalidJson(): string {
    const valid = JSON.stringify(this.record());
    switch (this.int(0, 4)) {
      case 0:
        return valid.slice(0, this.int(10, valid.length - 2)); // truncated
      case 1:
        return valid.replace(/}]/, '},]'); // trailing comma
      case 2:
        return valid.replace(/"messages"/, "'messages'"); // single quotes
      case 3:
        return `messages: ${this.prose(COMMON, 12)}`; // not JSON at all
      default:
        return `${valid} ${valid}`; // two records on one line
    }
  }

  private invalidSchema(): string {
    const record = this.record();
    const messages = record.messages as unknown as Array<Record<string, unknown>>;
    const last = messages[messages.length - 1]!;
    switch (this.int(0, 5)) {
      case 0:
        last.role = 'bot';
        break;
      case 1:
        last.content = null;
        break;
      case 2:
        last.content = 42;
        break;
      case 3:
        last.content = '';
        break;
      case 4:
        messages.pop(); // last turn from the user
        break;
      default:
        return JSON.stringify({ scenario: record.scenario, conversation: record.messages });
    }
    return JSON.stringify(record);
  }

  /** The next line (without newline): a string, or bytes for invalid UTF-8. */
  next(): { kind: LineKind; text: string; bytes?: Buffer; scenario?: string } {
    let r = this.random();
    for (const [kind, share] of Object.entries(MIX) as Array<[keyof typeof MIX, number]>) {
      if (r >= share) {
        r -= share;
        continue;
      }
      switch (kind) {
        case 'exactDuplicate':
        case 'whitespaceDuplicate': {
          if (this.ring.length === 0) break;
          const earlier = this.pick(this.ring);
          const text =
            kind === 'exactDuplicate' ? earlier.line : JSON.stringify(this.whitespaceVariant(earlier.record));
          return { kind, text, scenario: earlier.record.scenario };
        }
        case 'html': {
          const record = this.record();
          const wrap = this.pick(HTML_WRAPS);
          for (const message of record.messages) {
            if (message.role !== 'system' && this.random() < 0.7) message.content = wrap(message.content);
          }
          const text = JSON.stringify(record);
          this.remember(text, record);
          return { kind, text, scenario: record.scenario };
        }
        case 'invalidJson':
          return { kind, text: this.invalidJson() };
        case 'invalidSchema':
          return { kind, text: this.invalidSchema() };
        case 'emptyAfterClean': {
          const record = this.record();
          record.messages[record.messages.length - 1]!.content = this.pick([
            '<p> </p>',
            '\u200b\u200b',
            ' \t ',
          ]);
          return { kind, text: JSON.stringify(record) };
        }
        case 'invalidUtf8': {
          const text = JSON.stringify(this.record());
          const bytes = Buffer.from(text, 'utf8');
          const at = this.int(20, bytes.length - 5);
          return {
            kind,
            text,
            bytes: Buffer.concat([bytes.subarray(0, at), Buffer.from([0xff, 0xfe]), bytes.subarray(at)]),
          };
        }
        case 'blank':
          return { kind, text: this.pick(['', '   ', '\t']) };
      }
    }
    const record = this.record();
    const text = JSON.stringify(record);
    this.remember(text, record);
    return { kind: 'valid', text, scenario: record.scenario };
  }
}

const CHUNK_BYTES = 1 << 20;

export async function generateChat(options: GenerateOptions): Promise<GenerateSummary> {
  const target = Math.round(options.megabytes * 1e6);
  await mkdir(dirname(options.path), { recursive: true });
  const tempPath = `${options.path}.tmp-${process.pid}`;
  const stream = createWriteStream(tempPath);
  const generator = new ChatGenerator(options.seed);
  const kinds = Object.fromEntries(['valid', ...Object.keys(MIX)].map((kind) => [kind, 0])) as Record<
    LineKind,
    number
  >;
  const scenarios: Record<string, number> = {};
  let bytes = 0;
  let lines = 0;
  let pieces: Buffer[] = [];
  let text = '';
  const flush = async (): Promise<void> => {
    if (text !== '') pieces.push(Buffer.from(text, 'utf8'));
    text = '';
    const chunk = Buffer.concat(pieces);
    pieces = [];
    if (!stream.write(chunk)) await once(stream, 'drain');
  };
  while (bytes < target) {
    const line = generator.next();
    // A few lines end in CRLF, as files edited on Windows do; the reader strips the CR.
    const end = lines % 997 === 13 ? '\r\n' : '\n';
    if (line.bytes) {
      if (text !== '') pieces.push(Buffer.from(text, 'utf8'));
      text = '';
      pieces.push(line.bytes, Buffer.from(end));
      bytes += line.bytes.length + end.length;
    } else {
      text += line.text + end;
      bytes += Buffer.byteLength(line.text) + end.length;
    }
    lines++;
    kinds[line.kind]++;
    if (line.scenario !== undefined) scenarios[line.scenario] = (scenarios[line.scenario] ?? 0) + 1;
    if (text.length >= CHUNK_BYTES) await flush();
  }
  await flush();
  stream.end();
  await once(stream, 'close');
  await rename(tempPath, options.path);
  return { path: options.path, bytes, lines, kinds, scenarios };
}

export function defaultDataPath(megabytes: number, seed: number): string {
  return join(dirname(fileURLToPath(import.meta.url)), 'out', `chat-${megabytes}mb-seed${seed}.jsonl`);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const { values: flags } = parseArgs({
    options: {
      mb: { type: 'string', default: '10' },
      seed: { type: 'string', default: '1' },
      out: { type: 'string' },
    },
  });
  const megabytes = Number(flags.mb);
  const seed = Number(flags.seed);
  if (!(megabytes > 0) || !Number.isInteger(seed)) {
    console.error('usage: tsx bench/generate-chat.ts --mb 100 [--seed 1] [--out FILE]');
    process.exit(2);
  }
  const summary = await generateChat({
    path: flags.out ?? defaultDataPath(megabytes, seed),
    megabytes,
    seed,
  });
  console.log(JSON.stringify(summary, null, 2));
}
