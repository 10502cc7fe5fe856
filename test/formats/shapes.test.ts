// Every common shape of chat data through the library's prep(): tool calling (OpenAI/Azure and
// legacy functions), content parts, pair formats, raw chat templates, unknown keys. Each record
// ends in exactly one output, and what is kept is written as the user gave it.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { prep, type PrepOptions } from '../../src/pipeline/prep.js';

const tempDir = () => mkdtempSync(join(tmpdir(), 'phikit-shapes-'));
const readLines = (path: string) => readFileSync(path, 'utf8').split('\n').filter(Boolean);

interface Rejected {
  line: number;
  reason: string;
  message: string;
}

/** Runs prep on these records; returns the kept examples (by input line) and the rejections. */
async function prepRecords(records: unknown[], options: Partial<PrepOptions> = {}) {
  const dir = tempDir();
  const input = join(dir, 'input.jsonl');
  writeFileSync(input, records.map((record) => JSON.stringify(record)).join('\n') + '\n');
  const out = join(dir, 'out');
  const { manifest } = await prep(input, {
    out,
    report: false,
    nearDedup: false,
    leakThreshold: false,
    ...options,
  });
  const kept = [...readLines(join(out, 'train.jsonl')), ...readLines(join(out, 'validation.jsonl'))];
  const rejected = readLines(join(out, 'rejected.jsonl')).map((line) => JSON.parse(line) as Rejected);
  expect(kept.length + rejected.length).toBe(records.length);
  return { manifest, kept, rejected };
}

const weatherTool = {
  type: 'function',
  function: {
    name: 'get_weather',
    description: 'Weather for a city',
    parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
  },
};

function toolChat(
  city: string,
  options: { answered?: boolean; args?: string; name?: string; id?: string } = {},
) {
  const call = {
    id: 'call_1',
    type: 'function',
    function: { name: options.name ?? 'get_weather', arguments: options.args ?? JSON.stringify({ city }) },
  };
  const ask = { role: 'user', content: `天气怎么样 in ${city}? 🌦️` };
  const messages: unknown[] = [{ role: 'system', content: 'You call tools.' }, ask];
  if (options.answered === false) {
    messages.push({ role: 'assistant', tool_calls: [call] });
  } else {
    messages.push(
      { role: 'assistant', content: null, tool_calls: [call] },
      { role: 'tool', tool_call_id: options.id ?? 'call_1', content: '{"temp": 21}' },
      { role: 'assistant', content: `It is 21 °C in ${city}.` },
    );
  }
  return { messages, tools: [weatherTool] };
}

describe('tool calling', () => {
  it('keeps tools and tool turns byte for byte when no template is applied (tokens off)', async () => {
    const records = [toolChat('Paris'), toolChat('Oslo', { answered: false })];
    const { kept, rejected } = await prepRecords(records, { tokens: false });
    expect(rejected).toEqual([]);
    expect(kept.sort()).toEqual(records.map((record) => JSON.stringify(record)).sort());
  });

  it('keeps legacy functions / function_call / function turns', async () => {
    const record = {
      messages: [
        { role: 'user', content: 'Weather in Lima?' },
        { role: 'assistant', function_call: { name: 'get_weather', arguments: '{"city":"Lima"}' } },
        { role: 'function', name: 'get_weather', content: '{"temp": 18}' },
        { role: 'assistant', content: 'It is 18 °C in Lima.' },
      ],
      functions: [weatherTool.function],
    };
    const { kept, rejected } = await prepRecords([record], { tokens: false });
    expect(rejected).toEqual([]);
    expect(kept).toEqual([JSON.stringify(record)]);
  });

  it('rejects tool calling for Phi-3 with tools_unsupported and a way out', async () => {
    const { rejected, manifest } = await prepRecords([toolChat('Rome')]);
    expect(rejected).toMatchObject([{ line: 1, reason: 'tools_unsupported' }]);
    expect(rejected[0]!.message).toContain('phi-3-mini-4k has no tool-calling chat template');
    expect(rejected[0]!.message).toContain('--no-tokens');
    expect(manifest.options.tools).toBe(false);
  });

  it('rejects unanswered ids, bad arguments and names not in tools as schema, saying which', async () => {
    const records = [
      toolChat('Bern', { id: 'call_9' }),
      toolChat('Kyiv', { args: '{"city": Kyiv}' }),
      toolChat('Riga', { name: 'get_news' }),
      toolChat('Oslo', { args: { city: 'Oslo' } as unknown as string }),
    ];
    const { rejected } = await prepRecords(records, { tokens: false });
    expect(rejected.map((r) => [r.line, r.reason])).toEqual([
      [1, 'schema'],
      [2, 'schema'],
      [3, 'schema'],
      [4, 'schema'],
    ]);
    expect(rejected[0]!.message).toContain('tool_call_id "call_9" answers no pending tool call');
    expect(rejected[1]!.message).toContain('messages[2].tool_calls[0].function.arguments is not valid JSON');
    expect(rejected[2]!.message).toContain('calls "get_news", which is not in "tools" ("get_weather")');
    expect(rejected[3]!.message).toContain('arguments must be a string holding JSON (got an object)');
  });

  it('checks a conversation that only answers or only calls: a stray tool or function turn, an unknown function', async () => {
    const records = [
      {
        messages: [
          { role: 'user', content: 'Weather?' },
          { role: 'tool', tool_call_id: 'call_1', content: '{"temp": 18}' },
          { role: 'assistant', content: 'It is 18 °C.' },
        ],
      },
      {
        messages: [
          { role: 'user', content: 'Weather?' },
          { role: 'function', name: 'get_weather', content: '{"temp": 18}' },
          { role: 'assistant', content: 'It is 18 °C.' },
        ],
        functions: [weatherTool.function],
      },
      {
        messages: [
          { role: 'user', content: 'News?' },
          { role: 'assistant', function_call: { name: 'get_news', arguments: '{}' } },
        ],
        functions: [weatherTool.function],
      },
    ];
    const { rejected } = await prepRecords(records, { tokens: false });
    expect(rejected.map((r) => [r.line, r.reason])).toEqual([
      [1, 'schema'],
      [2, 'schema'],
      [3, 'schema'],
    ]);
    expect(rejected[0]!.message).toContain('tool_call_id "call_1" answers no pending tool call');
    expect(rejected[1]!.message).toContain(
      'messages[1] (function) does not follow an assistant function_call',
    );
    expect(rejected[2]!.message).toContain('calls "get_news", which is not in "functions" ("get_weather")');
  });

  it('rejects content null on a message that calls no tool', async () => {
    const record = {
      messages: [
        { role: 'user', content: null },
        { role: 'assistant', content: 'Hi' },
      ],
    };
    const { rejected } = await prepRecords([record], { tokens: false });
    expect(rejected).toMatchObject([{ reason: 'schema' }]);
    expect(rejected[0]!.message).toContain('messages[0].content is null');
  });
});

describe('content parts', () => {
  it('joins text parts without a separator and rejects an image part as non_text_content', async () => {
    const textParts = {
      messages: [
        {
          role: 'user',
          content: [
            { type: 'text', text: '你好，' },
            { type: 'text', text: 'world 👋' },
          ],
        },
        { role: 'assistant', content: [{ type: 'text', text: 'Hello!' }] },
      ],
    };
    const withImage = {
      messages: [
        {
          role: 'user',
          content: [
            { type: 'text', text: 'What is in the chart?' },
            { type: 'image_url', image_url: { url: 'https://example.com/0.png' } },
          ],
        },
        { role: 'assistant', content: 'Blue bars.' },
      ],
    };
    const { kept, rejected } = await prepRecords([textParts, withImage], { tokens: false });
    expect(kept.map((line) => JSON.parse(line) as unknown)).toEqual([
      {
        messages: [
          { role: 'user', content: '你好，world 👋' },
          { role: 'assistant', content: 'Hello!' },
        ],
      },
    ]);
    expect(rejected).toMatchObject([{ line: 2, reason: 'non_text_content' }]);
    expect(rejected[0]!.message).toContain('messages[0].content[1] is an "image_url" part');
  });

  it("reads LLaMA-Factory v1's value parts and loss_weight", async () => {
    const record = {
      messages: [
        { role: 'user', content: [{ type: 'text', value: 'hi' }], loss_weight: 0.0 },
        { role: 'assistant', content: [{ type: 'text', value: 'Hello.' }], loss_weight: 0.0 },
        { role: 'user', content: [{ type: 'text', value: 'bye' }], loss_weight: 0.0 },
        { role: 'assistant', content: [{ type: 'text', value: 'Goodbye.' }], loss_weight: 1.0 },
      ],
    };
    const { kept } = await prepRecords([record], { tokens: false });
    expect(JSON.parse(kept[0]!)).toEqual({
      messages: [
        { role: 'user', content: 'hi' },
        { role: 'assistant', content: 'Hello.', weight: 0 },
        { role: 'user', content: 'bye' },
        { role: 'assistant', content: 'Goodbye.' },
      ],
    });
  });
});

describe('ShareGPT conversations', () => {
  // LLaMA-Factory's role/content tags, as in cklxx/mini-llm's identity_conversations.jsonl.
  it('reads conversations written as OpenAI messages ({role, content}) as the messages they are', async () => {
    const turns = [
      { role: 'system', content: '你是 MiniLLM，一位乐观、耐心的中文助理。' },
      {
        role: 'user',
        content: [
          { type: 'text', text: '请你介绍一下' },
          { type: 'text', text: '自己。' },
        ],
      },
      { role: 'assistant', content: '你好，我是 MiniLLM 🙂', weight: 1 },
    ];
    const speakers = [
      { from: 'human', value: 'مرحبا' },
      { from: 'gpt', value: 'أهلاً! 👋' },
    ];
    const mixed = [
      { role: 'user', content: 'hi' },
      { from: 'gpt', value: 'hello' },
    ];
    const { kept, rejected } = await prepRecords(
      [{ conversations: turns, id: 7 }, { conversations: speakers }, { conversations: mixed }],
      { tokens: false, format: 'sharegpt' },
    );
    expect(kept.map((line) => JSON.parse(line))).toEqual([
      {
        messages: [
          { role: 'system', content: '你是 MiniLLM，一位乐观、耐心的中文助理。' },
          { role: 'user', content: '请你介绍一下自己。' },
          { role: 'assistant', content: '你好，我是 MiniLLM 🙂', weight: 1 },
        ],
      },
      {
        messages: [
          { role: 'user', content: 'مرحبا' },
          { role: 'assistant', content: 'أهلاً! 👋' },
        ],
      },
    ]);
    // A record mixing both kinds is not guessed at: the speaker turn it cannot read is named.
    expect(rejected).toMatchObject([{ line: 3, reason: 'schema' }]);
    expect(rejected[0]!.message).toContain('conversations[0].from must be one of');
    expect(rejected[0]!.message).toContain('it is written {role, content}, others {from, value}');
  });
});

describe('pairs and field mapping', () => {
  const pairs: Array<[string, Record<string, string>, string]> = [
    ['prompt-response', { prompt: '巴黎有什么？', response: 'La tour Eiffel 🗼' }, '巴黎有什么？'],
    [
      'question-answer',
      { question: 'Freezing point of water?', answer: '32 °F.' },
      'Freezing point of water?',
    ],
    // sql-create-context's shape: the table schema the answer needs is the context, never dropped.
    [
      'question-answer',
      {
        question: '哪一年的冠军是 Ana?',
        context: 'CREATE TABLE t (year VARCHAR, champion VARCHAR)',
        answer: 'SELECT year FROM t WHERE champion = "Ana"',
      },
      '哪一年的冠军是 Ana?\n\nCREATE TABLE t (year VARCHAR, champion VARCHAR)',
    ],
    [
      'dolly',
      { instruction: 'Summarise.', context: 'Long text.', response: 'Short.', category: 'summarization' },
      'Summarise.\n\nLong text.',
    ],
    ['query-response', { query: 'Capital of Peru?', response: 'Lima.' }, 'Capital of Peru?'],
    ['input-output', { input: 'Translate: cat', output: 'gato' }, 'Translate: cat'],
  ];
  it.each(pairs)(
    'detects %s and reads the pair as a user and an assistant turn',
    async (format, record, user) => {
      const { kept, manifest } = await prepRecords([record], { tokens: false });
      expect(manifest.input.format).toBe(format);
      const example = JSON.parse(kept[0]!) as { messages: Array<{ role: string; content: string }> };
      expect(example.messages.map((message) => message.role)).toEqual(['user', 'assistant']);
      expect(example.messages[0]!.content).toBe(user);
    },
  );

  it('rejects a question-answer context that is not text, naming the mapping that leaves it out', async () => {
    // HotpotQA keeps its passages as [title, sentences] pairs: phikit does not guess how to join them.
    const records = [
      { question: '谁赢了?', context: [['Final', ['Ana won.']]], answer: 'Ana' },
      { question: 'Who came second?', context: null, answer: 'Bo' },
    ];
    const { kept, rejected } = await prepRecords(records, { tokens: false });
    expect(kept).toHaveLength(1);
    expect(rejected.map(({ line, reason, message }) => ({ line, reason, message }))).toEqual([
      {
        line: 1,
        reason: 'schema',
        message:
          '"context" must be a string (question-answer format: context turn; got an array); to leave it out, --fields user=question,assistant=answer',
      },
    ]);
    const mapped = await prepRecords(records, { tokens: false, fields: 'user=question,assistant=answer' });
    expect(mapped.kept).toHaveLength(2);
  });

  it('reads any other pair through --fields, nested paths included', async () => {
    const record = { q: { text: 'Ping?' }, a: 'Pong.', sys: 'Be brief.' };
    const { kept, manifest } = await prepRecords([record], {
      tokens: false,
      fields: 'user=q.text,assistant=a,system=sys',
    });
    expect(manifest.input.format).toBe('fields');
    expect(manifest.options.fields).toBe('user=q.text,assistant=a,system=sys');
    expect(JSON.parse(kept[0]!)).toEqual({
      messages: [
        { role: 'system', content: 'Be brief.' },
        { role: 'user', content: 'Ping?' },
        { role: 'assistant', content: 'Pong.' },
      ],
    });
  });

  it('names the keys it found and the flag when no format fits', async () => {
    const { rejected } = await prepRecords([{ ask: 'x', reply: 'y' }], { tokens: false });
    expect(rejected).toMatchObject([{ reason: 'schema' }]);
    expect(rejected[0]!.message).toContain('the record has "ask", "reply"');
    expect(rejected[0]!.message).toContain('--fields user=KEY,assistant=KEY');
  });

  it('names preference (DPO) data as such, with the way to its preferred answers', async () => {
    const records = [
      { prompt: '2+2 等于几？', chosen: '4', rejected: '5' },
      {
        chosen: [
          { role: 'user', content: 'Capital of France?' },
          { role: 'assistant', content: 'Paris' },
        ],
        rejected: [
          { role: 'user', content: 'Capital of France?' },
          { role: 'assistant', content: 'Lyon' },
        ],
      },
      {
        input: { messages: [{ role: 'user', content: 'Hi' }] },
        preferred_output: [{ role: 'assistant', content: 'Hello! 👋' }],
        non_preferred_output: [{ role: 'assistant', content: 'k' }],
      },
    ];
    const { rejected } = await prepRecords(records, { tokens: false });
    expect(rejected.map((r) => [r.line, r.reason])).toEqual([
      [1, 'schema'],
      [2, 'schema'],
      [3, 'schema'],
    ]);
    expect(rejected[0]!.message).toContain('preference (DPO) data ("chosen"/"rejected")');
    expect(rejected[0]!.message).toContain('--fields user=prompt,assistant=chosen');
    expect(rejected[1]!.message).toContain('write each record as {"messages": chosen}');
    expect(rejected[2]!.message).toContain("Azure OpenAI's format");
    // The hint works: the chosen answers of the first record are kept.
    const mapped = await prepRecords([records[0]], {
      tokens: false,
      format: 'fields',
      fields: { user: 'prompt', assistant: 'chosen' },
    });
    expect(mapped.kept.map((line) => JSON.parse(line))).toEqual([
      {
        messages: [
          { role: 'user', content: '2+2 等于几？' },
          { role: 'assistant', content: '4' },
        ],
      },
    ]);
  });
});

describe('raw chat template', () => {
  it('parses <|user|>…<|end|> text back into messages, Chinese and emoji included', async () => {
    const records = [
      {
        text: '<|system|>\nBe kind.<|end|>\n<|user|>\n你好吗？ 😀 <|end|>\n<|assistant|> \n很好，谢谢！🎉 <|end|>',
      },
      {
        text: '<s><|user|>\nHi<|end|>\n<|assistant|>\nHello<|end|>\n<|user|>\nBye<|end|>\n<|assistant|>\nSee you<|end|><|endoftext|>',
      },
    ];
    const { kept, manifest } = await prepRecords(records, { tokens: false });
    expect(manifest.input.format).toBe('template');
    expect(kept.map((line) => JSON.parse(line) as unknown)).toEqual([
      {
        messages: [
          { role: 'system', content: 'Be kind.' },
          { role: 'user', content: '你好吗？ 😀' },
          { role: 'assistant', content: '很好，谢谢！🎉' },
        ],
      },
      {
        messages: [
          { role: 'user', content: 'Hi' },
          { role: 'assistant', content: 'Hello' },
          { role: 'user', content: 'Bye' },
          { role: 'assistant', content: 'See you' },
        ],
      },
    ]);
  });
});

describe('unknown top-level keys', () => {
  it('counts them in the manifest and warns, but not the keys phikit reads', async () => {
    const chat = (n: number, extra: Record<string, unknown>) => ({
      messages: [
        { role: 'user', content: `Question ${n}?` },
        { role: 'assistant', content: `Answer ${n}.` },
      ],
      ...extra,
    });
    const { manifest } = await prepRecords(
      [
        chat(1, { id: 'a', meta: { source: 'x' }, scenario: 's' }),
        chat(2, { id: 'b', references: ['r'] }),
        chat(3, { scenario: 't' }),
      ],
      { tokens: false, scenarioField: 'scenario' },
    );
    expect(manifest.unknownKeys).toEqual({ id: 2, meta: 1 });
    expect(manifest.warnings.find((warning) => warning.code === 'unknown_keys')).toMatchObject({
      count: 2,
      message: expect.stringContaining('"id" (2), "meta" (1)') as string,
    });
  });
});
