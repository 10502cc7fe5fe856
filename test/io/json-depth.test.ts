import { describe, expect, it } from 'vitest';
import { MAX_JSON_DEPTH, nestingTooDeepAt, valueTooDeep } from '../../src/io/json-depth.js';

const deep = (n: number) => '['.repeat(n) + ']'.repeat(n);

describe('nestingTooDeepAt', () => {
  it('gives the column of the bracket past the limit, valid JSON or not', () => {
    expect(nestingTooDeepAt('['.repeat(5000))).toBe(MAX_JSON_DEPTH + 1);
    expect(nestingTooDeepAt(`{"a":${deep(300)}}`)).toBe(5 + MAX_JSON_DEPTH);
    expect(nestingTooDeepAt(deep(MAX_JSON_DEPTH))).toBe(0);
    expect(nestingTooDeepAt('[]'.repeat(1000))).toBe(0);
  });

  it('ignores brackets inside strings, escaped quotes and backslashes included', () => {
    expect(nestingTooDeepAt(`{"code":"${'['.repeat(400)}"}`)).toBe(0);
    expect(nestingTooDeepAt(`{"q":"say \\"${'{'.repeat(400)}\\" ok"}`)).toBe(0);
    // "\\\\" ends with an escaped backslash: the quote after it closes the string.
    const afterBackslashes = `{"p":"C:\\\\",`;
    expect(nestingTooDeepAt(`${afterBackslashes}"x":${deep(300)}}`)).toBe(afterBackslashes.length + 4 + 256);
    expect(nestingTooDeepAt(`"unterminated ${'['.repeat(400)}`)).toBe(0);
  });
});

describe('valueTooDeep', () => {
  it('measures parsed values without recursion', () => {
    expect(valueTooDeep(JSON.parse(deep(100_000)))).toBe(true);
    expect(valueTooDeep(JSON.parse(deep(MAX_JSON_DEPTH)))).toBe(false);
    expect(valueTooDeep({ messages: [{ role: 'user', content: 'hi' }] })).toBe(false);
  });
});
