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
  'collapse-spaces': 'collapse runs of spaces and tabs to one space',
  trim: 'trim whitespace at both ends',
};

// C0 and C1 controls and DEL, but not \t (09) and \n (0A). \r\n is first made \n.
const CONTROL = /[\u0000-\u0008\u000B-\u001F\u007F-\u009F]/g;
const ZERO_WIDTH = /[\u200B\u200C\u200D\u2060\uFEFF\u180E]/g;
const UNICODE_SPACES = /[\u00A0\u2000-\u200A\u202F\u205F\u3000]/g;
const SPACE_RUNS = /[ \t]{2,}/g;

const APPLY: Record<CleanRule, (text: string) => string> = {
  html: stripHtml,
  nfc: (text) => text.normalize('NFC'),
  control: (text) => text.replace(/\r\n/g, '\n').replace(CONTROL, ''),
  'zero-width': (text) => text.replace(ZERO_WIDTH, ''),
  nbsp: (text) => text.replace(UNICODE_SPACES, ' '),
  'collapse-spaces': (text) => text.replace(SPACE_RUNS, ' '),
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
