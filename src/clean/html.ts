// Strips HTML that is noise and keeps HTML that is content. Per message, markup goes only when
// every tag in its prose (markdown code is never touched) is a plain formatting tag (p, div,
// br, b, i, em, strong, span) without attributes, closed and nested properly and not standing
// alone as a word, and neither the message nor a user/system turn talks about markup.
// Otherwise the message is kept byte-identical and the reason is counted.
import { decodeHTMLStrict } from 'entities/decode';
import { splitCode } from './markdown.js';

export const HTML_KEPT_REASONS = [
  'not_formatting_tag',
  'attributes',
  'unbalanced',
  'tag_as_word',
  'markup_topic',
] as const;
/** Why a message with markup was kept as written. */
export type HtmlKeptReason = (typeof HTML_KEPT_REASONS)[number];

export const HTML_KEPT_DESCRIPTIONS: Record<HtmlKeptReason, string> = {
  not_formatting_tag:
    'a tag outside p, div, br, b, i, em, strong, span (table, form, script, a, <data>, comments…)',
  attributes: 'a formatting tag with attributes (class=, onclick=…)',
  unbalanced: 'a formatting tag that is not closed, or closed in the wrong order',
  tag_as_word: 'a tag standing alone as a word ("put <b> before the words"): prose about the tag',
  markup_topic: 'the conversation talks about markup (HTML, XML, SVG, a web page, a form, tags…)',
};

const FORMATTING_TAGS = new Set(['p', 'div', 'br', 'b', 'i', 'em', 'strong', 'span']);
const BLOCK_TAGS = new Set(['p', 'div']);

/** Element names a person would read as HTML: a kept message with one of them is counted. */
const HTML_ELEMENTS = new Set(
  (
    'a abbr address area article aside audio b base bdi bdo blockquote body br button canvas caption cite code col ' +
    'colgroup data datalist dd del details dfn dialog div dl dt em embed fieldset figcaption figure footer form h1 h2 ' +
    'h3 h4 h5 h6 head header hgroup hr html i iframe img input ins kbd label legend li link main map mark menu meta ' +
    'meter nav noscript object ol optgroup option output p param picture pre progress q rp rt ruby s samp script ' +
    'search section select slot small source span strong style sub summary sup table tbody td template textarea ' +
    'tfoot th thead time title tr track u ul var video wbr font center big tt strike svg math'
  ).split(' '),
);

/** Anything shaped like a tag, known or not: `vector<int>` and `<data>` are both tag-like. */
const TAG_LIKE = /<(\/?)([A-Za-z][A-Za-z0-9:._-]*)([^<>]*)>/g;
/** Comments, doctypes, CDATA, processing instructions: markup that is never noise. */
const OTHER_MARKUP = /<!--|<![A-Za-z[]|<\?[A-Za-z]/;
const ENTITY = /&(?:#\d+|#[xX][0-9a-fA-F]+|[A-Za-z][A-Za-z0-9]*);/g;
const HAS_ENTITY = /&(?:#\d+|#[xX][0-9a-fA-F]+|[A-Za-z][A-Za-z0-9]*);/;
/** A tag with a space or quote on both sides is a word in a sentence about it. */
const WORD_BEFORE = /[ \t"'“‘(]/;
const WORD_AFTER = /[ \t"'”’),.;:?!]/;

const MARKUP_TOPIC =
  /\b(?:x?html5?|xml|svg|mathml|markup|mark-up|css|dom|web ?pages?|websites?|landing ?pages?|forms?|tags?|elements?|attributes?|jsx|tsx|templates?)\b/i;

/** Whether a text talks about markup, so markup near it is content. */
export function talksAboutMarkup(text: string): boolean {
  return MARKUP_TOPIC.test(text);
}

export interface HtmlResult {
  text: string;
  /** Set when the message has HTML the rule chose to keep. */
  kept?: HtmlKeptReason;
}

interface Tag {
  closing: boolean;
  name: string;
  rest: string;
  /** Characters around the tag in its prose part ('' at either end). */
  before: string;
  after: string;
}

/**
 * Strips noise markup from one message. `conversationTalksAboutMarkup` is asked only when the
 * message has markup to strip (it reads the other messages).
 */
export function cleanHtml(text: string, conversationTalksAboutMarkup: () => boolean): HtmlResult {
  if (!text.includes('<') && !text.includes('&')) return { text };
  const parts = splitCode(text);
  const prose = parts.filter((_, index) => index % 2 === 0);
  const tags = prose.flatMap(tagsIn);
  const hasOther = prose.some((part) => OTHER_MARKUP.test(part));
  if (tags.length === 0 && !hasOther && !prose.some((part) => HAS_ENTITY.test(part))) return { text };
  const reason =
    (hasOther ? 'not_formatting_tag' : tagProblem(tags)) ??
    (talksAboutMarkup(text) || conversationTalksAboutMarkup() ? 'markup_topic' : undefined);
  if (reason) return looksLikeHtml(tags, prose, hasOther) ? { text, kept: reason } : { text };
  return { text: stripParts(parts) };
}

function tagsIn(prose: string): Tag[] {
  return Array.from(prose.matchAll(TAG_LIKE), (match) => {
    const start = match.index;
    const end = start + match[0].length;
    return {
      closing: match[1] === '/',
      name: match[2]!.toLowerCase(),
      rest: match[3]!,
      before: prose.charAt(start - 1),
      after: prose.charAt(end),
    };
  });
}

/** The first reason a tag is not noise, in the order the tags appear; undefined if all are. */
function tagProblem(tags: readonly Tag[]): HtmlKeptReason | undefined {
  const open: string[] = [];
  for (const tag of tags) {
    if (!FORMATTING_TAGS.has(tag.name)) return 'not_formatting_tag';
    if (tag.rest.replace(/\/$/, '').trim() !== '') return 'attributes';
    if (isWord(tag)) return 'tag_as_word';
    if (tag.name === 'br') continue;
    if (!tag.closing) open.push(tag.name);
    else if (open.pop() !== tag.name) return 'unbalanced';
  }
  return open.length > 0 ? 'unbalanced' : undefined;
}

function isWord(tag: Tag): boolean {
  return WORD_BEFORE.test(tag.before) && (tag.after === '' || WORD_AFTER.test(tag.after));
}

/** Kept messages are counted only when a person would call them HTML (not `List<String>`). */
function looksLikeHtml(tags: readonly Tag[], prose: readonly string[], hasOther: boolean): boolean {
  return (
    hasOther || tags.some((tag) => HTML_ELEMENTS.has(tag.name)) || prose.some((part) => HAS_ENTITY.test(part))
  );
}

/** Removes the (all formatting) tags from the prose parts and decodes entities; code stays. */
function stripParts(parts: readonly string[]): string {
  let out = '';
  for (const [index, part] of parts.entries()) {
    if (index % 2 === 1) out += part;
    else out = stripProse(part, out, index === parts.length - 1);
  }
  return out;
}

/**
 * A block tag (p, div) becomes one line break between blocks, `<br>` always one, unless the
 * source already has a line break there. Appends to `out` because a break depends on what
 * came before, code included.
 */
function stripProse(prose: string, out: string, isLast: boolean): string {
  let last = 0;
  for (const match of prose.matchAll(TAG_LIKE)) {
    out += decodeEntities(prose.slice(last, match.index));
    last = match.index + match[0].length;
    const name = match[2]!.toLowerCase();
    const next = prose.charAt(last);
    const atEnd = isLast && last === prose.length;
    if (next === '\n' || atEnd) continue;
    if (name === 'br') out += '\n';
    else if (BLOCK_TAGS.has(name) && out !== '' && !out.endsWith('\n')) out += '\n';
  }
  return out + decodeEntities(prose.slice(last));
}

function decodeEntities(text: string): string {
  return text.includes('&') ? text.replace(ENTITY, (entity) => decodeHTMLStrict(entity)) : text;
}
