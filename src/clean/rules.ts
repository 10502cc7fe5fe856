// The cleaning rules, in the order they run. Each is on by default, can be switched off
// (`--no-clean-<rule>`), and is counted in the manifest by the messages it changed.
import { cleanHtml, type HtmlKeptReason } from './html.js';
import { mapProse } from './markdown.js';

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
  html: 'strip noise HTML (plain formatting tags around prose) and decode entities; HTML that is content stays',
  nfc: 'Unicode normalization form C',
  control: 'remove control characters except \\n and \\t (\\r\\n becomes \\n)',
  'zero-width': 'remove zero-width characters and stray byte-order marks',
  nbsp: 'non-breaking and other Unicode spaces to plain spaces',
  'collapse-spaces':
    'collapse runs of spaces and tabs inside a line to one space (indentation, aligned columns and markdown code kept)',
  trim: 'trim whitespace at both ends',
};

// C0 and C1 controls and DEL, but not \t (09) and \n (0A). \r\n is first made \n.
const CONTROL = /[\u0000-\u0008\u000B-\u001F\u007F-\u009F]/g;
const ZERO_WIDTH = /[\u200B\u200C\u200D\u2060\uFEFF\u180E]/g;
const UNICODE_SPACES = /[\u00A0\u2000-\u200A\u202F\u205F\u3000]/g;
// Runs inside a line only: indentation at the start of a line is kept, so code stays code.
const SPACE_RUNS = /(\S)(?:[ \t]{2,}|\t)/g;
/** A run right after inline code (`ls  -l`  now) is inside a line too. */
const LEADING_RUN = /^(?:[ \t]{2,}|\t)/;

/** A gap inside a line: what SPACE_RUNS collapses. */
const HAS_GAP = /\S(?:[ \t]{2,}|\t)/;
/** A line drawn under or between table rows (`-----`, `--- | ---`, `+===+`), or a row between bars (`| A |`). */
const TABLE_LINE = /^[ \t]*(?:[-=+|:_~*]{3,}[-=+|:_~* \t]*|[|+].*[|+][ \t]*)$/;

/**
 * Collapses the gaps of each line, except in aligned columns: two or more neighbouring lines with
 * gaps (table lines between them allowed) are a plain-text table, a receipt or a drawn box, and
 * their spaces are the layout the answer shows.
 */
function collapseGaps(text: string): string {
  const lines = text.split('\n');
  const gap = lines.map((line) => HAS_GAP.test(line));
  const table = lines.map((line) => TABLE_LINE.test(line));
  const aligned = new Array<boolean>(lines.length).fill(false);
  for (let start = 0; start < lines.length; start++) {
    if (!gap[start] && !table[start]) continue;
    let end = start;
    let gaps = 0;
    for (; end < lines.length && (gap[end] || table[end]); end++) if (gap[end]) gaps++;
    if (gaps >= 2) aligned.fill(true, start, end);
    start = end;
  }
  return lines.map((line, i) => (aligned[i] ? line : line.replace(SPACE_RUNS, '$1 '))).join('\n');
}

/** Markdown code (also a fence left open to the end) keeps its spaces. */
function collapseSpaces(text: string): string {
  if (!text.includes('`') && !text.includes('~~~')) return collapseGaps(text);
  return mapProse(text, (prose, afterCode) =>
    collapseGaps(afterCode ? prose.replace(LEADING_RUN, ' ') : prose),
  );
}

const ASCII_ONLY = /^[\x00-\x7f]*$/;
const HAS_CONTROL = /[\u0000-\u0008\u000B-\u001F\u007F-\u009F]/;
const HAS_ZERO_WIDTH = /[\u200B\u200C\u200D\u2060\uFEFF\u180E]/;
const HAS_UNICODE_SPACE = /[\u00A0\u2000-\u200A\u202F\u205F\u3000]/;

/** What a rule sees besides the text: whether the conversation talks about markup (asked lazily). */
export interface CleanContext {
  talksAboutMarkup: () => boolean;
}

const NO_MARKUP_TOPIC: CleanContext = { talksAboutMarkup: () => false };

// Each rule first asks a cheap question (most text needs no change), then rewrites.
// html is applied apart: it also says why it kept markup.
const APPLY: Record<Exclude<CleanRule, 'html'>, (text: string) => string> = {
  nfc: (text) => (ASCII_ONLY.test(text) ? text : text.normalize('NFC')),
  control: (text) => (HAS_CONTROL.test(text) ? text.replace(/\r\n/g, '\n').replace(CONTROL, '') : text),
  'zero-width': (text) => (HAS_ZERO_WIDTH.test(text) ? text.replace(ZERO_WIDTH, '') : text),
  nbsp: (text) => (HAS_UNICODE_SPACE.test(text) ? text.replace(UNICODE_SPACES, ' ') : text),
  'collapse-spaces': (text) => (text.includes('  ') || text.includes('\t') ? collapseSpaces(text) : text),
  trim: (text) => text.trim(),
};

/** One rule's change to a text: its input and its output. */
export interface RuleChange {
  rule: CleanRule;
  before: string;
  after: string;
}

export interface CleanResult {
  text: string;
  /** The rules that changed the text, in order. */
  changedBy: CleanRule[];
  /** What each of those rules changed. */
  changes: RuleChange[];
  /** Set when the html rule found markup and kept it as content. */
  htmlKept?: HtmlKeptReason;
}

/** Printable ASCII, tab and newline: text the character rules below leave as it is. */
const PLAIN_ASCII = /^[\t\n\x20-\x7e]*$/;
/** No-ops on PLAIN_ASCII text: one scan for all four instead of one each. */
const CHARACTER_RULES: ReadonlySet<CleanRule> = new Set(['nfc', 'control', 'zero-width', 'nbsp']);

/** Applies the enabled rules in order; returns the text and what each rule changed. */
export function cleanText(
  text: string,
  enabled: readonly CleanRule[],
  context: CleanContext = NO_MARKUP_TOPIC,
): CleanResult {
  const changes: RuleChange[] = [];
  let htmlKept: HtmlKeptReason | undefined;
  let current = text;
  /** Whether `current` is PLAIN_ASCII; asked when a character rule first needs it. */
  let plain: boolean | undefined;
  for (const rule of enabled) {
    let next: string;
    if (rule === 'html') {
      const result = cleanHtml(current, context.talksAboutMarkup);
      next = result.text;
      htmlKept = result.kept;
    } else if (CHARACTER_RULES.has(rule) && (plain ??= PLAIN_ASCII.test(current))) {
      continue;
    } else {
      next = APPLY[rule](current);
    }
    if (next !== current) {
      changes.push({ rule, before: current, after: next });
      current = next;
      plain = undefined;
    }
  }
  const changedBy = changes.map((change) => change.rule);
  return htmlKept ? { text: current, changedBy, changes, htmlKept } : { text: current, changedBy, changes };
}
