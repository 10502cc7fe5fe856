// Cleaning never destroys content, checked through `prep()` on generated data: HTML that is
// content stays byte-identical, noise markup around prose goes, code keeps its spaces, and a
// lone surrogate is rejected instead of written.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { prep } from '../../src/pipeline/prep.js';
import type { Manifest } from '../../src/core/manifest.js';
import { schemaValidator } from '../../src/schema/registry.js';

interface Case {
  user: string;
  assistant: string;
}

/** Answers (and one prompt) that are content: each must reach train/validation as written. */
const CONTENT: Case[] = [
  {
    user: 'What were the sales per quarter?',
    assistant: '<table><tr><th>Quarter</th><th>Sales</th></tr><tr><td>Q1</td><td>1,200</td></tr></table>',
  },
  { user: 'How do I sign up?', assistant: '<form><label>Email</label><input><button>Join</button></form>' },
  {
    user: 'Give me a save button.',
    assistant: 'Here you go: <button onclick="save()">Save</button>',
  },
  {
    user: '<data>\n  <row id="1">42</row>\n</data>\nSummarize <b>the</b> data above.',
    assistant: 'There is one row, with the value 42.',
  },
  {
    user: 'How does a document start?',
    assistant: 'Every document starts with <html> and ends with </html>.',
  },
  { user: 'How do I make words bold?', assistant: 'Put <b> before the words and </b> after them.' },
  { user: 'Any tips on bold?', assistant: 'Use <b>bold sparingly.' },
  {
    user: 'Write the HTML for a greeting.',
    assistant: '<p>Hello <b>there</b>, friend &amp; guest!</p>',
  },
  { user: 'Style a paragraph red.', assistant: '<style>p { color: red; }</style>' },
  { user: 'Log one to the console.', assistant: '<script>console.log(1)</script>' },
  { user: 'Link to the docs.', assistant: 'See <a href="https://example.com/docs">the docs</a>.' },
  { user: 'Make a red word.', assistant: 'This is <span class="red">red</span>.' },
  {
    user: 'Show the box markup in a fence.',
    assistant: 'Like this:\n```html\n<div>  <p>Hi</p>\n</div>\n```\nand inline `<b>x</b>` too.',
  },
  {
    user: 'Finish this loop.',
    assistant: 'Here is the code:\n```python\ndef f():\n    x  =  1\n    return  x',
  },
];

/** Noise markup around prose: stripped, the prose (any script) kept. */
const NOISE: Array<Case & { cleaned: string }> = [
  { user: 'Say hello.', assistant: '<p>Hello <b>world</b></p>', cleaned: 'Hello world' },
  {
    user: 'Greet in three languages.',
    assistant: '<p>你好，<b>世界</b> 👋🏽</p><p>مرحبا <i>بالعالم</i></p><div>Tom &amp; Jerry<br>bye</div>',
    cleaned: '你好，世界 👋🏽\nمرحبا بالعالم\nTom & Jerry\nbye',
  },
];

const LONE_SURROGATE_LINE =
  '{"messages":[{"role":"user","content":"Say hi."},{"role":"assistant","content":"hi \\ud800 there"}]}';

function writeDataset(path: string): void {
  const lines = [...CONTENT, ...NOISE].map(({ user, assistant }) =>
    JSON.stringify({
      messages: [
        { role: 'user', content: user },
        { role: 'assistant', content: assistant },
      ],
    }),
  );
  lines.splice(3, 0, LONE_SURROGATE_LINE);
  writeFileSync(path, `${lines.join('\n')}\n`);
}

type Written = { messages: Array<{ role: string; content: string }> };

describe('cleaning keeps content (through prep)', () => {
  let out: string;
  let manifest: Manifest;
  let written: Map<string, string>;
  let rejected: Array<{ line: number; reason: string; message: string; detail?: unknown }>;

  beforeAll(async () => {
    const dir = mkdtempSync(join(tmpdir(), 'phikit-clean-'));
    const input = join(dir, 'content.jsonl');
    writeDataset(input);
    out = join(dir, 'out');
    ({ manifest } = await prep(input, {
      out,
      tokens: false,
      nearDedup: false,
      leakThreshold: false,
      report: false,
    }));
    const lines = ['train.jsonl', 'validation.jsonl'].flatMap((name) =>
      readFileSync(join(out, name), 'utf8').split('\n').filter(Boolean),
    );
    written = new Map(
      lines.map((line) => {
        const { messages } = JSON.parse(line) as Written;
        return [messages[0]!.content, messages[1]!.content];
      }),
    );
    rejected = readFileSync(join(out, 'rejected.jsonl'), 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line) as (typeof rejected)[number]);
  });

  it.each(CONTENT.map((example) => [example.assistant.slice(0, 40), example]))(
    'keeps %j byte-identical',
    (_, { user, assistant }) => {
      expect(written.has(user)).toBe(true);
      expect(written.get(user)).toBe(assistant);
    },
  );

  it('strips noise markup around prose and keeps Chinese, emoji and Arabic text', () => {
    for (const { user, assistant, cleaned } of NOISE) expect(written.get(user), assistant).toBe(cleaned);
  });

  it('rejects a lone surrogate as invalid_unicode with the message index, position and line', () => {
    expect(rejected).toEqual([
      {
        line: 4,
        reason: 'invalid_unicode',
        message:
          "messages[1].content has a lone surrogate U+D800 at character 4: not valid Unicode, Python's .encode('utf-8') fails on it; fix the \\ud800 escape in the source",
        raw: LONE_SURROGATE_LINE,
        detail: { message: 1, field: 'content', character: 4, codeUnit: 'U+D800' },
      },
    ]);
    expect(manifest.counts.rejectedByReason.invalid_unicode).toBe(1);
    expect(readFileSync(join(out, 'train.jsonl'), 'utf8')).not.toContain('\\ud800');
  });

  it('counts the markup it kept, by reason, and warns about changed assistant text', () => {
    expect(manifest.cleaning.html).toEqual({
      enabled: true,
      messages: 2,
      examples: 2,
      kept: { not_formatting_tag: 8, attributes: 1, unbalanced: 1, tag_as_word: 1, markup_topic: 1 },
    });
    expect(manifest.warnings).toContainEqual({
      code: 'cleaning_changed_content',
      message:
        'cleaning changed the text (not only whitespace) of 2 assistant messages, first on lines 16, 17: check the cleaning samples in report.html, or switch a rule off with --no-clean-<rule>',
      count: 2,
      lines: [16, 17],
    });
  });

  it('writes samples of each change that the manifest schema accepts', () => {
    const validateManifest = schemaValidator('manifest.schema.json');
    const ok = validateManifest(JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8')));
    expect(validateManifest.errors ?? []).toEqual([]);
    expect(ok).toBe(true);
    expect(manifest.cleaningSamples.map((sample) => [sample.rule, sample.line, sample.after])).toEqual([
      ['html', 16, 'Hello world'],
      ['html', 17, '你好，世界 👋🏽\nمرحبا بالعالم\nTom & Jerry\nbye'],
    ]);
  });
});
