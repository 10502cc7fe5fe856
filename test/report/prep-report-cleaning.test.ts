// The cleaning section of the prep report: per-rule samples with the changed characters marked
// (and escaped), invisible characters made visible, and the markup kept as content by reason.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { prep } from '../../src/pipeline/prep.js';

const EXAMPLES: Array<[string, string]> = [
  ['Say hi.', '<p>Hi <b>&lt;script&gt;alert(1)&lt;/script&gt;</b></p>'],
  ['Spell it.', 'zero\u200bwidth'],
  ['Show a table.', '<table><tr><td onclick="alert(2)">1</td></tr></table>'],
  ['Long one.', `${'word '.repeat(100)}and  then ${'more '.repeat(100)}`],
];

describe('prep report: cleaning', () => {
  let report: string;

  beforeAll(async () => {
    const dir = mkdtempSync(join(tmpdir(), 'phikit-report-clean-'));
    const input = join(dir, 'data.jsonl');
    const lines = EXAMPLES.map(([user, assistant]) =>
      JSON.stringify({
        messages: [
          { role: 'user', content: user },
          { role: 'assistant', content: assistant },
        ],
      }),
    );
    lines.push('{"messages":[{"role":"user","content":"a"},{"role":"assistant","content":"b \\udfff"}]}');
    writeFileSync(input, `${lines.join('\n')}\n`);
    const out = join(dir, 'out');
    await prep(input, { out, tokens: false, nearDedup: false, leakThreshold: false });
    report = readFileSync(join(out, 'report.html'), 'utf8');
  });

  it('marks the characters each rule removed and added, escaped', () => {
    expect(report).toContain('>Before and after: <code>html</code></h3>');
    expect(report).toMatch(
      /<del style="[^"]*">&lt;p&gt;<\/del>Hi &lt;<del style="[^"]*">b&gt;&amp;lt;<\/del>script/,
    );
    expect(report).toMatch(/<td class="raw">Hi &lt;script<ins style="[^"]*">&gt;<\/ins>alert\(1\)/);
    expect(report).not.toContain('<script>alert');
    expect(report.match(/<script>/g)).toHaveLength(1);
  });

  it('shows removed invisible characters by code point', () => {
    expect(report).toContain('>Before and after: <code>zero-width</code></h3>');
    expect(report).toMatch(/zero<del style="[^"]*">\[U\+200B\]<\/del>width/);
  });

  it('shows a long message around its change, with … where it is cut', () => {
    expect(report).toMatch(
      /<span class="more">…<\/span>( word)+ and <del style="[^"]*"> <\/del>then( more)+ <span class="more">…<\/span>/,
    );
  });

  it('lists the markup kept as content, by reason', () => {
    expect(report).toContain('>HTML kept as content</h3>');
    expect(report).toMatch(
      /<td><code>not_formatting_tag<\/code><\/td>\s*<td>[^<]*<\/td>\s*<td class="num">1<\/td>/,
    );
  });

  it('lists invalid_unicode rejections with their meaning and message', () => {
    expect(report).toMatch(
      /<tr id="reason-invalid_unicode">\s*<td><code>invalid_unicode<\/code><\/td>\s*<td class="num">1<\/td>/,
    );
    expect(report).toContain('a message holds a lone surrogate (not valid Unicode; Python&#39;s');
    expect(report).toContain('messages[1].content has a lone surrogate U+DFFF at character 3');
  });
});
