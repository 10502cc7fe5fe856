import { describe, expect, it } from 'vitest';
import { cleanText, CLEAN_RULES } from '../../src/clean/rules.js';
import { stripHtml } from '../../src/clean/html.js';
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

describe('clean rules', () => {
  it('applies each rule and names the rules that changed the text', () => {
    expect(cleanText('Hel\u0000lo\u0007 there', CLEAN_RULES)).toEqual({
      text: 'Hello there',
      changedBy: ['control'],
    });
    expect(cleanText('Hi\u200b\u200d!\u00a0\u00a0Welcome', CLEAN_RULES)).toEqual({
      text: 'Hi! Welcome',
      changedBy: ['zero-width', 'nbsp', 'collapse-spaces'],
    });
    expect(cleanText('Cafe\u0301', CLEAN_RULES)).toEqual({ text: 'Café', changedBy: ['nfc'] });
    expect(cleanText('a\r\n\tb', CLEAN_RULES)).toEqual({ text: 'a\n\tb', changedBy: ['control'] });
    expect(cleanText('  a \t b  ', CLEAN_RULES)).toEqual({
      text: 'a b',
      changedBy: ['collapse-spaces', 'trim'],
    });
    expect(cleanText('a\tb', CLEAN_RULES)).toEqual({ text: 'a b', changedBy: ['collapse-spaces'] });
  });

  it('keeps indentation and fenced code when collapsing spaces', () => {
    const code = 'def f(x):\n    return  x\n\tpass';
    expect(cleanText(code, CLEAN_RULES).text).toBe('def f(x):\n    return x\n\tpass');
    const fenced = 'See:\n```\na  =  1\n```\nand  more';
    expect(cleanText(fenced, CLEAN_RULES).text).toBe('See:\n```\na  =  1\n```\nand more');
  });

  it('skips rules that are switched off', () => {
    expect(cleanText('  <b>x</b>  ', ['trim'])).toEqual({ text: '<b>x</b>', changedBy: ['trim'] });
  });

  it('strips HTML with a real parser, keeps text, code and non-HTML angle brackets', () => {
    expect(stripHtml('<p>Hello <b>world</b></p><p>again</p>')).toBe('Hello world\nagain\n');
    expect(stripHtml('Tom &amp; Jerry &lt;3')).toBe('Tom & Jerry <3');
    expect(stripHtml('<script>alert(1)</script>ok <img src=x onerror=alert(1)>')).toBe('alert(1)ok ');
    expect(stripHtml('Use vector<int> and List<String>')).toBe('Use vector<int> and List<String>');
    expect(stripHtml('if (a<b && c>d) {}')).toBe('if (a<b && c>d) {}');
    expect(stripHtml('code `<div>x</div>` and ```\n<p>y</p>\n``` <i>z</i>')).toBe(
      'code `<div>x</div>` and ```\n<p>y</p>\n``` z',
    );
    expect(stripHtml('AT&T')).toBe('AT&T');
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
    expect(cleaning.html).toEqual({ enabled: true, messages: 1, examples: 1 });
    expect(cleaning['collapse-spaces']).toEqual({ enabled: true, messages: 1, examples: 1 });
    expect(cleaning['zero-width']).toEqual({ enabled: true, messages: 1, examples: 1 });
    expect(cleaningSamples[0]).toEqual({ line: 1, rules: ['html'], before: '<b>Hi</b>', after: 'Hi' });
  });

  it('honours disabled rules', () => {
    const stage = createCleanStage({ disabled: ['html'] });
    const batch = [envelope(1, '<b>Hi</b>', 'x')];
    stage.run(batch);
    expect(batch[0]!.example!.messages[0]!.content).toBe('<b>Hi</b>');
    expect(stage.cleanSummary().cleaning.html).toEqual({ enabled: false, messages: 0, examples: 0 });
  });

  it('rejects messages that are only markup or invisible characters, by line', async () => {
    expect(await problemsByLine('html.jsonl')).toEqual({
      3: [
        'empty_after_clean',
        'messages[0].content is empty after cleaning (html, trim); it held only whitespace, markup or invisible characters',
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
