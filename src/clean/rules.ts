// The cleaning rules, in the order they run. Each is on by default, can be switched off
// (`--no-clean-<rule>`), and is counted in the manifest by the messages it changed.
import { stripHtml } from './html.js';

export const CLEAN_RULES = [
  'html',
  'nfc',
  'control',
  'zero-width',
  'nbsp',
  'collapse-spaces',
  'trim',
] as const;
export type CleanRule = (typeof CLEAN_RULES)[number];

export const CLEAN_RULE_DESCRIPTIONS: Record<CleanRule, string> = {
  html: 'strip HTML tags and decode entities, keeping the text (markdown code untouched)',
  nfc: 'Unicode normalization form C',
  control: 'remove control characters except \\n and \\t (\\r\\n becomes \\n)',
  'zero-width': 'remove zero-width characters and stray byte-order marks',
  nbsp: 'non-breaking and other Unicode spaces to plain spaces',
  'collapse-spaces':
    'collapse runs of spaces and tabs inside a line to one space (indentation and ``` code kept)',
  trim: 'trim whitespace at both ends',
};

// C0 and C1 controls and DEL, but not \t (09) and \n (0A). \r\n is first made \n.
const CONTROL = /[\u0000-\u0008\u000B-\u001F\u007F-\u009F]/g;
const ZERO_WIDTH = /[\u200B\u200C\u200D\u2060\uFEFF\u180E]/g;
const UNICODE_SPACES = /[\u00A0\u2000-\u200A\u202F\u205F\u3000]/g;
// Runs inside a line only: indentation at the start of a line is kept, so code stays code.
const SPACE_RUNS = /(\S)(?:[ \t]{2,}|\t)/g;
const CODE_FENCE = /(```[\s\S]*?```)/;

function collapseSpaces(text: string): string {
  if (!text.includes('```')) return text.replace(SPACE_RUNS, '$1 ');
  // split() with a capture group puts the fenced code at odd indexes; it is left as written.
  return text
    .split(CODE_FENCE)
    .map((part, index) => (index % 2 === 1 ? part : part.replace(SPACE_RUNS, '$1 ')))
    .join('');
}

const ASCII_ONLY = /^[\x00-\x7f]*$/;
const HAS_CONTROL = /[\u0000-\u0008\u000B-\u001F\u007F-\u009F]/;
const HAS_ZERO_WIDTH = /[\u200B\u200C\u200D\u2060\uFEFF\u180E]/;
const HAS_UNICODE_SPACE = /[\u00A0\u2000-\u200A\u202F\u205F\u3000]/;

// Each rule first asks a cheap question (most text needs no change), then rewrites.
const APPLY: Record<CleanRule, (text: string) => string> = {
  html: (text) => (text.includes('<') || text.includes('&') ? stripHtml(text) : text),
  nfc: (text) => (ASCII_ONLY.test(text) ? text : text.normalize('NFC')),
  control: (text) => (HAS_CONTROL.test(text) ? text.replace(/\r\n/g, '\n').replace(CONTROL, '') : text),
  'zero-width': (text) => (HAS_ZERO_WIDTH.test(text) ? text.replace(ZERO_WIDTH, '') : text),
  nbsp: (text) => (HAS_UNICODE_SPACE.test(text) ? text.replace(UNICODE_SPACES, ' ') : text),
  'collapse-spaces': (text) => (text.includes('  ') || text.includes('\t') ? collapseSpaces(text) : text),
  trim: (text) => text.trim(),
};

/** Applies the enabled rules in order; returns the text and the rules that changed it. */
export function cleanText(
  text: string,
  enabled: readonly CleanRule[],
): { text: string; changedBy: CleanRule[] } {
  const changedBy: CleanRule[] = [];
  let current = text;
  for (const rule of enabled) {
    const next = APPLY[rule](current);
    if (next !== current) {
      changedBy.push(rule);
      current = next;
    }
  }
  return { text: current, changedBy };
}
