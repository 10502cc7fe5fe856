import { describe, expect, it } from 'vitest';
import { cleanText, CLEAN_RULES, type CleanRule } from '../../src/clean/rules.js';
import { cleanHtml, talksAboutMarkup } from '../../src/clean/html.js';
import { charDiff, codePointCount, diffWindow } from '../../src/clean/diff.js';
import { createCleanStage } from '../../src/stages/clean.js';
import type { Envelope } from '../../src/core/envelope.js';
import { problemsByLine } from '../helpers/fixtures.js';

function envelope(line: number, ...contents: string[]): Envelope {
  return {
    line,
    raw: '',
    scenario: 'unlabeled',
    example: {
      messages: contents.map((content, i) => ({ role: i % 2 === 0 ? 'user' : 'assistant', content })),
    },
  };
}

/** The text and the rules that changed it, as a user sees the result. */
function cleaned(text: string, rules: readonly CleanRule[] = CLEAN_RULES) {
  const { text: out, changedBy } = cleanText(text, rules);
  return { text: out, changedBy };
}

const noTopic = () => false;

describe('clean rules', () => {
  it('applies each rule and names the rules that changed the text', () => {
    expect(cleaned('Hel\u0000lo\u0007 there')).toEqual({ text: 'Hello there', changedBy: ['control'] });
    expect(cleaned('Hi\u200b\u200d!\u00a0\u00a0Welcome')).toEqual({
      text: 'Hi! Welcome',
      changedBy: ['zero-width', 'nbsp', 'collapse-spaces'],
    });
    expect(cleaned('Cafe\u0301')).toEqual({ text: 'Café', changedBy: ['nfc'] });
    expect(cleaned('a\r\n\tb')).toEqual({ text: 'a\n\tb', changedBy: ['control'] });
    expect(cleaned('  a \t b  ')).toEqual({ text: 'a b', changedBy: ['collapse-spaces', 'trim'] });
    expect(cleaned('a\tb')).toEqual({ text: 'a b', changedBy: ['collapse-spaces'] });
  });

  it('records what each rule changed, step by step', () => {
    expect(cleanText(' <b>x</b>\u200b ', CLEAN_RULES).changes).toEqual([
      { rule: 'html', before: ' <b>x</b>\u200b ', after: ' x\u200b ' },
      { rule: 'zero-width', before: ' x\u200b ', after: ' x ' },
      { rule: 'trim', before: ' x ', after: 'x' },
    ]);
  });

  it('keeps indentation and markdown code when collapsing spaces', () => {
    const code = 'def f(x):\n    return  x\n\tpass';
    expect(cleaned(code).text).toBe('def f(x):\n    return x\n\tpass');
    const fenced = 'See:\n```\na  =  1\n```\nand  more';
    expect(cleaned(fenced).text).toBe('See:\n```\na  =  1\n```\nand more');
    expect(cleaned('Run `ls  -l`  now').text).toBe('Run `ls  -l` now');
  });

  it('keeps aligned columns: neighbouring lines with gaps are a table, not noise', () => {
    const receipt =
      '收据：\n\n商品描述         数量    单价\n------------------------\n苹果 iPhone 11     1    [价格]\nWepulse智能手环   2    [价格]\n\n总计金额：[总金额]';
    expect(cleaned(receipt)).toEqual({ text: receipt, changedBy: [] });
    const truthTable = 'P      |  Q  |  P→Q\n-     -  ---  -\nTrue  |  True  |  True\nFalse | False |  True';
    expect(cleaned(`Table:\n\n${truthTable}\n\nSo  it  goes.`)).toEqual({
      text: `Table:\n\n${truthTable}\n\nSo it goes.`,
      changedBy: ['collapse-spaces'],
    });
    const box = 'Cut this shape out:\n\n+---+\n|   |\n| A |\n|   |\n+---+';
    expect(cleaned(box).text).toBe(box);
    const tsv = 'name\tqty\napple\t3';
    expect(cleaned(tsv).text).toBe(tsv);
    // One line with gaps, or gap lines apart, is prose with stray spaces.
    expect(cleaned('First  line.\nSecond line.\nThird  line.').text).toBe(
      'First line.\nSecond line.\nThird line.',
    );
    expect(cleaned('-----\nOnly  one  row\n-----').text).toBe('-----\nOnly one row\n-----');
  });

  it('treats everything after a fence that is never closed as code', () => {
    const truncated = 'Here  it is:\n```js\nconst  a  =  1;\n\tif  (a)  {';
    expect(cleaned(truncated).text).toBe('Here it is:\n```js\nconst  a  =  1;\n\tif  (a)  {');
    const tilde = 'Then:\n~~~\nx  =  [1,  2]';
    expect(cleaned(tilde).text).toBe(tilde);
    expect(cleanHtml('<p>Intro</p>\n```\n<p>kept</p>', noTopic).text).toBe('Intro\n```\n<p>kept</p>');
  });

  it('runs the character rules on what an earlier rule made, not on the input', () => {
    // The input is plain ASCII; the html rule's decoded entities are not.
    expect(cleaned('<b>Hi</b>&nbsp;&nbsp;there&#8203;!')).toEqual({
      text: 'Hi there!',
      changedBy: ['html', 'zero-width', 'nbsp', 'collapse-spaces'],
    });
    expect(cleaned('<b>Hi</b>&nbsp;there', ['nfc', 'html', 'nbsp'])).toEqual({
      text: 'Hi there',
      changedBy: ['html', 'nbsp'],
    });
    // ASCII that is not printable is still cleaned.
    expect(cleaned('a\u007fb\rc')).toEqual({ text: 'abc', changedBy: ['control'] });
    expect(cleaned('plain ASCII,\ttabs\nand lines')).toEqual({
      text: 'plain ASCII, tabs\nand lines',
      changedBy: ['collapse-spaces'],
    });
  });

  it('skips rules that are switched off', () => {
    expect(cleaned('  <b>x</b>  ', ['trim'])).toEqual({ text: '<b>x</b>', changedBy: ['trim'] });
  });
});

describe('html rule', () => {
  it('strips plain formatting tags around prose and decodes entities', () => {
    expect(cleanHtml('<p>Hello <b>world</b></p><p>again</p>', noTopic)).toEqual({
      text: 'Hello world\nagain',
    });
    expect(cleanHtml('<div>one<br>two<br/>three</div>\n<div><em>four</em></div>', noTopic)).toEqual({
      text: 'one\ntwo\nthree\nfour',
    });
    expect(cleanHtml('Tom &amp; Jerry &lt;3 &copy; &#x1F600;', noTopic)).toEqual({
      text: 'Tom & Jerry <3 © 😀',
    });
    expect(cleanHtml('<p>中文 <strong>粗体</strong> 🎉 عربي</p>', noTopic)).toEqual({
      text: '中文 粗体 🎉 عربي',
    });
  });

  it('leaves text without markup alone, and does not count it', () => {
    for (const text of [
      'AT&T',
      'a=1&copy=2',
      'Use vector<int> and List<String>',
      'if (a < b) {}',
      'x &foo; y',
    ])
      expect(cleanHtml(text, noTopic)).toEqual({ text });
  });

  it('keeps markup that is content byte-identical, and says why', () => {
    const kept: Array<[string, string]> = [
      ['<table><tr><td>1</td></tr></table>', 'not_formatting_tag'],
      ['<script>alert(1)</script>ok', 'not_formatting_tag'],
      ['<p>x</p><!-- note -->', 'not_formatting_tag'],
      ['<data>\n<row>1</row>\n</data>', 'not_formatting_tag'],
      ['<b>x</b> in vector<int>', 'not_formatting_tag'],
      ['<p class="lead">Hi</p>', 'attributes'],
      ['if (a<b && c>d) {}', 'attributes'],
      ['<b>bold <i>both</b></i>', 'unbalanced'],
      ['Start with <p>and go', 'unbalanced'],
      ['Put <b> before the words and </b> after them.', 'tag_as_word'],
      ['Type "<br>" for a break', 'tag_as_word'],
      ['<p>The <b>tag</b> list</p>', 'markup_topic'],
      ['Escape it as &amp; in HTML', 'markup_topic'],
    ];
    for (const [text, reason] of kept) expect(cleanHtml(text, noTopic), text).toEqual({ text, kept: reason });
  });

  it('keeps noise-looking markup when the conversation asks for markup', () => {
    expect(cleanHtml('<p>Hello <b>there</b></p>', () => true)).toEqual({
      text: '<p>Hello <b>there</b></p>',
      kept: 'markup_topic',
    });
    for (const ask of [
      'Write the HTML for a greeting',
      'Give me an SVG icon',
      'make a web page',
      'an XML config please',
      'a signup form',
    ])
      expect(talksAboutMarkup(ask), ask).toBe(true);
    expect(talksAboutMarkup('Say hello to the team')).toBe(false);
  });

  it('never touches markdown code', () => {
    expect(cleanHtml('code `<div>x</div>` and ```\n<p>y</p>\n``` <i>z</i>', noTopic)).toEqual({
      text: 'code `<div>x</div>` and ```\n<p>y</p>\n``` z',
    });
  });
});

describe('character diff', () => {
  it('marks the removed and added characters, never splitting an emoji', () => {
    expect(charDiff('<p>Hello <b>world</b></p>', 'Hello world')).toEqual([
      { op: 'removed', text: '<p>' },
      { op: 'same', text: 'Hello ' },
      { op: 'removed', text: '<b>' },
      { op: 'same', text: 'world' },
      { op: 'removed', text: '</b></p>' },
    ]);
    expect(charDiff('a😀\u200bb', 'a😀b')).toEqual([
      { op: 'same', text: 'a😀' },
      { op: 'removed', text: '\u200b' },
      { op: 'same', text: 'b' },
    ]);
    expect(charDiff('Cafe\u0301', 'Café')).toEqual([
      { op: 'same', text: 'Caf' },
      { op: 'removed', text: 'e\u0301' },
      { op: 'added', text: 'é' },
    ]);
  });

  it('windows and diffs by code points as Array.from counts them, surrogate pairs and lone halves alike', () => {
    // The reference: the same window computed on arrays of code points.
    const reference = (before: string, after: string) => {
      const a = Array.from(before);
      const b = Array.from(after);
      let prefix = 0;
      while (prefix < a.length && prefix < b.length && a[prefix] === b[prefix]) prefix++;
      let suffix = 0;
      while (
        suffix < a.length - prefix &&
        suffix < b.length - prefix &&
        a[a.length - 1 - suffix] === b[b.length - 1 - suffix]
      )
        suffix++;
      const at = Math.max(0, prefix - 60);
      const tail = Math.max(0, suffix - 60);
      const window = (chars: string[]) => chars.slice(at, Math.min(chars.length - tail, at + 400)).join('');
      return { at, before: window(a), after: window(b) };
    };
    const alphabet = ['a', 'b', ' ', 'é', '😀', '😁', '\uD83D', '\uDE00', '\uDE01', '日'];
    let seed = 7;
    const random = (n: number) => {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      return seed % n;
    };
    const text = (length: number) => Array.from({ length }, () => alphabet[random(alphabet.length)]).join('');
    for (let k = 0; k < 3000; k++) {
      const base = text(random(k % 10 === 0 ? 900 : 40));
      const cut = random(base.length + 1);
      const after = base.slice(0, cut) + text(random(4)) + base.slice(cut + random(4));
      expect(diffWindow(base, after)).toEqual(reference(base, after));
      expect(codePointCount(base)).toBe(Array.from(base).length);
      // The diff's parts give back both texts, and none is empty.
      const parts = charDiff(base, after);
      const side = (op: string) => parts.filter((part) => part.op !== op).map((part) => part.text);
      expect(side('added').join('')).toBe(base);
      expect(side('removed').join('')).toBe(after);
      expect(parts.every((part) => part.text !== '')).toBe(true);
    }
  });

  // Pinned from the string-comparing table before it compared code points: the same alignment,
  // so cleaning samples in manifests and reports stay byte for byte what they were.
  it('aligns scattered changes as it always has (ties: removals before additions)', () => {
    const before = 'Total:   12 €\t(日本語  ok)  😀  done \ud800 end';
    const after = 'Total: 12 € (日本語 ok) 😀 done \ud800 end';
    expect(charDiff(before, after)).toEqual([
      { op: 'same', text: 'Total: ' },
      { op: 'removed', text: '  ' },
      { op: 'same', text: '12 €' },
      { op: 'removed', text: '\t' },
      { op: 'added', text: ' ' },
      { op: 'same', text: '(日本語 ' },
      { op: 'removed', text: ' ' },
      { op: 'same', text: 'ok) ' },
      { op: 'removed', text: ' ' },
      { op: 'same', text: '😀' },
      { op: 'removed', text: ' ' },
      { op: 'same', text: ' done \ud800 end' },
    ]);
  });

  it('windows a long text around the change', () => {
    const before = `${'a'.repeat(1000)}  b${'c'.repeat(1000)}`;
    const after = `${'a'.repeat(1000)} b${'c'.repeat(1000)}`;
    expect(diffWindow(before, after)).toEqual({
      at: 941,
      before: `${'a'.repeat(59)}  b${'c'.repeat(59)}`,
      after: `${'a'.repeat(59)} b${'c'.repeat(59)}`,
    });
  });
});

describe('clean stage', () => {
  it('counts messages and examples per rule and rejects a message emptied by cleaning', () => {
    const stage = createCleanStage();
    const batch = [envelope(1, '<b>Hi</b>', 'Hello  there'), envelope(2, '\u200b', 'x')];
    stage.run(batch);
    expect(batch[0]!.example!.messages.map((m) => m.content)).toEqual(['Hi', 'Hello there']);
    expect(batch[0]!.rejection).toBeUndefined();
    expect(batch[1]!.rejection).toEqual({
      reason: 'empty_after_clean',
      message:
        'messages[0].content is empty after cleaning (zero-width); it held only whitespace, markup or invisible characters',
      detail: { message: 0, rules: ['zero-width'] },
    });
    const { cleaning, cleaningSamples } = stage.cleanSummary();
    expect(cleaning.html).toEqual({
      enabled: true,
      messages: 1,
      examples: 1,
      kept: { not_formatting_tag: 0, attributes: 0, unbalanced: 0, tag_as_word: 0, markup_topic: 0 },
    });
    expect(cleaning['collapse-spaces']).toEqual({ enabled: true, messages: 1, examples: 1 });
    expect(cleaning['zero-width']).toEqual({ enabled: true, messages: 1, examples: 1 });
    expect(cleaningSamples[0]).toEqual({
      line: 1,
      message: 0,
      role: 'user',
      rule: 'html',
      rules: ['html'],
      at: 0,
      beforeLength: 9,
      afterLength: 2,
      before: '<b>Hi</b>',
      after: 'Hi',
      diff: [
        { op: 'removed', text: '<b>' },
        { op: 'same', text: 'Hi' },
        { op: 'removed', text: '</b>' },
      ],
    });
  });

  it('honours disabled rules', () => {
    const stage = createCleanStage({ disabled: ['html'] });
    const batch = [envelope(1, '<b>Hi</b>', 'x')];
    stage.run(batch);
    expect(batch[0]!.example!.messages[0]!.content).toBe('<b>Hi</b>');
    expect(stage.cleanSummary().cleaning.html).toEqual({ enabled: false, messages: 0, examples: 0 });
  });

  it('keeps HTML asked for by the user byte-identical and counts why', () => {
    const stage = createCleanStage();
    const answer = '<p>Hello <b>there</b></p>';
    const batch = [
      envelope(1, 'Write the HTML for a greeting', answer),
      envelope(2, 'Greet me', answer),
      envelope(3, 'Show a table', '<table><tr><td>1</td></tr></table>'),
    ];
    stage.run(batch);
    expect(batch.map((e) => e.example!.messages[1]!.content)).toEqual([
      answer,
      'Hello there',
      '<table><tr><td>1</td></tr></table>',
    ]);
    expect(stage.cleanSummary().cleaning.html).toEqual({
      enabled: true,
      messages: 1,
      examples: 1,
      kept: { not_formatting_tag: 1, attributes: 0, unbalanced: 0, tag_as_word: 0, markup_topic: 1 },
    });
  });

  it('rejects a lone surrogate as invalid_unicode, before any rule runs', () => {
    const stage = createCleanStage();
    const batch = [
      envelope(7, 'ok 😀', '<b>x</b>'),
      envelope(8, 'fine', 'pair 😀 then \udc80 low'),
      envelope(9, 'a\ud83d', 'b'),
    ];
    stage.run(batch);
    expect(batch[0]!.rejection).toBeUndefined();
    expect(batch.slice(1).map((e) => e.rejection)).toEqual([
      {
        reason: 'invalid_unicode',
        message:
          "messages[1].content has a lone surrogate U+DC80 at character 13: not valid Unicode, Python's .encode('utf-8') fails on it; fix the \\udc80 escape in the source",
        detail: { message: 1, field: 'content', character: 13, codeUnit: 'U+DC80' },
      },
      {
        reason: 'invalid_unicode',
        message:
          "messages[0].content has a lone surrogate U+D83D at character 2: not valid Unicode, Python's .encode('utf-8') fails on it; fix the \\ud83d escape in the source",
        detail: { message: 0, field: 'content', character: 2, codeUnit: 'U+D83D' },
      },
    ]);
    expect(stage.cleanSummary().cleaning.html.messages).toBe(1);
  });

  it('samples each rule: the first 3, then a spread that does not depend on input order', () => {
    const lines = Array.from({ length: 200 }, (_, i) => i + 1);
    const samplesFor = (order: number[]) => {
      const stage = createCleanStage();
      stage.run(order.map((line) => envelope(line, `question  ${line}`, `answer ${line}`)));
      return stage.cleanSummary().cleaningSamples.filter((sample) => sample.rule === 'collapse-spaces');
    };
    const forward = samplesFor(lines);
    expect(forward).toHaveLength(8);
    expect(forward.slice(0, 3).map((sample) => sample.line)).toEqual([1, 2, 3]);
    expect(forward.at(-1)!.line).toBeGreaterThan(50);
    // Same first three, the rest in reverse: the spread picks the same lines.
    const shuffled = samplesFor([1, 2, 3, ...lines.slice(3).reverse()]);
    expect(shuffled).toEqual(forward);
    expect(forward[0]).toMatchObject({ before: 'question  1', after: 'question 1' });
  });

  it('warns when cleaning changed the text (not only whitespace) of assistant messages', () => {
    const stage = createCleanStage();
    stage.run([
      envelope(1, '<b>user only</b>', 'fine'),
      envelope(2, 'q', 'spaces  only  '),
      envelope(3, 'q', 'zero\u200bwidth'),
      envelope(4, 'q', '<i>noise</i>', 'q2', '<b>more</b>'),
    ]);
    expect(stage.cleanSummary().warnings).toEqual([
      {
        code: 'cleaning_changed_content',
        message:
          'cleaning changed the text (not only whitespace) of 3 assistant messages, first on lines 3, 4: check the cleaning samples in report.html, or switch a rule off with --no-clean-<rule>',
        count: 3,
        lines: [3, 4],
      },
    ]);
  });

  it('rejects messages that are only markup or invisible characters, by line', async () => {
    expect(await problemsByLine('html.jsonl')).toEqual({
      3: [
        'empty_after_clean',
        'messages[0].content is empty after cleaning (html); it held only whitespace, markup or invisible characters',
      ],
    });
    expect(await problemsByLine('control-zero-width.jsonl')).toEqual({
      3: [
        'empty_after_clean',
        'messages[0].content is empty after cleaning (zero-width); it held only whitespace, markup or invisible characters',
      ],
    });
  });
});
