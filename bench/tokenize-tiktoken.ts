// The tiktoken-rank tokenizers (Phi-4: cl100k_base, Phi-4-mini and GPT-4o class: o200k_base) next to the
// reference implementation, tiktoken's WASM build of OpenAI's Rust code, on the same lines as the Phi-3
// table. Run by bench/tokenize.ts (alone with --tiktoken-only); measures the build in dist/.
import { cpus } from 'node:os';
import { get_encoding } from 'tiktoken';
import type { ChatMessage } from '../src/core/example.js';
import type * as LoadModule from '../src/tokenize/load.js';
import type * as PoolModule from '../src/tokenize/pool.js';

interface Row {
  encoder: string;
  seconds: number;
  tokens: number;
  note?: string;
}

const built = (path: string): URL => new URL(`../dist/tokenize/${path}`, import.meta.url);

function time<T>(run: () => T): { value: T; seconds: number } {
  const start = process.hrtime.bigint();
  const value = run();
  return { value, seconds: Number(process.hrtime.bigint() - start) / 1e9 };
}

const sameIds = (a: ArrayLike<number>, b: ArrayLike<number>): boolean =>
  a.length === b.length && Array.prototype.every.call(a, (id: number, index: number) => id === b[index]);

/** Markdown table of the tiktoken-rank encoders on `lines`. */
export async function benchTiktokenRanks(lines: readonly string[], header: string): Promise<string> {
  const { loadTokenizer } = (await import(built('load.js').href)) as typeof LoadModule;
  const { createTokenCountPool } = (await import(built('pool.js').href)) as typeof PoolModule;
  const mb = lines.reduce((sum, line) => sum + Buffer.byteLength(line), 0) / 1e6;
  // Lines holding special-token strings are split on them by phikit and not by encode_ordinary.
  const plainLines = lines.filter((line) => !line.includes('<|'));
  const rows: Row[] = [];
  for (const [model, ranks] of [
    ['phi-4', 'cl100k_base'],
    ['phi-4-mini', 'o200k_base'],
  ] as const) {
    const wasm = get_encoding(ranks);
    const reference = time(() => plainLines.map((line) => wasm.encode_ordinary(line)));
    wasm.free();
    rows.push({
      encoder: `tiktoken ${ranks} (WASM, reference)`,
      seconds: reference.seconds,
      tokens: count(reference.value),
    });
    const tokenizer = await loadTokenizer(model);
    const ours = time(() => plainLines.map((line) => tokenizer.encode(line)));
    const differences = ours.value.filter((ids, index) => !sameIds(ids, reference.value[index]!)).length;
    rows.push({
      encoder: `phikit ${model} encoder (gpt-tokenizer), 1 thread`,
      seconds: ours.seconds,
      tokens: count(ours.value),
      note: `${differences} lines differ from tiktoken`,
    });
    rows.push(await chatCounting(createTokenCountPool, model, lines));
  }
  const byRanks = (row: Row, index: number): number => rows[index - (index % 3)]!.seconds / row.seconds;
  return [
    header,
    `Lines without special-token strings: ${plainLines.length.toLocaleString('en-US')} of ${lines.length.toLocaleString('en-US')}, ${mb.toFixed(2)} MB in all.`,
    `Machine: ${cpus()[0]?.model ?? 'unknown CPU'}, Node ${process.version}. One run, shared machine.`,
    '',
    '| encoder | MB/s | tokens/s | vs tiktoken WASM | notes |',
    '|---|---:|---:|---:|---|',
    ...rows.map(
      (row, index) =>
        `| ${row.encoder} | ${(mb / row.seconds).toFixed(2)} | ${Math.round(row.tokens / row.seconds).toLocaleString('en-US')} | ` +
        `${byRanks(row, index).toFixed(1)}x | ${row.note ?? ''} |`,
    ),
  ].join('\n');
}

async function chatCounting(
  createTokenCountPool: typeof PoolModule.createTokenCountPool,
  model: string,
  lines: readonly string[],
): Promise<Row> {
  const conversations: ChatMessage[][] = [];
  for (let i = 0; i + 1 < lines.length; i += 2) {
    conversations.push([
      { role: 'user', content: lines[i]! },
      { role: 'assistant', content: lines[i + 1]! },
    ]);
  }
  const pool = await createTokenCountPool({ tokenizer: model, allowSpecialText: true, threads: 1 });
  const start = process.hrtime.bigint();
  let tokens = 0;
  for (let i = 0; i < conversations.length; i += 512) {
    for (const result of await pool.count(conversations.slice(i, i + 512))) tokens += result.tokens.total;
  }
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  await pool.close();
  return {
    encoder: `phikit ${model} chat counting (template + encoder), 1 thread`,
    seconds,
    tokens,
    note: 'all lines; tokens include chat tokens',
  };
}

function count(ids: ReadonlyArray<ArrayLike<number>>): number {
  return ids.reduce((sum, line) => sum + line.length, 0);
}
