import { describe, expect, it } from 'vitest';
import { terminalJson, terminalSafe } from '../../src/cli/terminal.js';

describe('terminalSafe', () => {
  it('escapes C0, DEL, C1 and bidi controls and keeps other text, Chinese and emoji as they are', () => {
    expect(terminalSafe('\u001b[31mred\u001b[0m \u001b]0;title\u0007')).toBe(
      '\\u001b[31mred\\u001b[0m \\u001b]0;title\\u0007',
    );
    expect(terminalSafe('a\nb\r\tc\u007f\u009b\u202eevil\u2066\u200f')).toBe(
      'a\\nb\\r\\tc\\u007f\\u009b\\u202eevil\\u2066\\u200f',
    );
    expect(terminalSafe('退货 😀 café "quoted" \\n')).toBe('退货 😀 café "quoted" \\n');
  });

  it('terminalJson gives the same value with no raw C1 or bidi characters', () => {
    const value = { key: '\u009b2J\u202e', text: '\u001b 退货' };
    const json = terminalJson(value, 2);
    expect(json).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u0080-\u009f\u202e]/u);
    expect(JSON.parse(json)).toEqual(value);
  });
});
