// Strips HTML tags and decodes entities with htmlparser2, keeping the text. Only real HTML
// element names are tags: `vector<int>` or `a <b> c` in prose about code stays as written,
// and markdown code (```fences``` and `spans`) is never touched.
import { Parser } from 'htmlparser2';

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

/** Elements whose end starts a new line, so `<p>a</p><p>b</p>` reads "a\nb", not "ab". */
const BLOCK_ELEMENTS = new Set(
  'address article aside blockquote div dl dt dd fieldset figure footer form h1 h2 h3 h4 h5 h6 header hr li main nav ol p pre section table tr ul'.split(
    ' ',
  ),
);

const ATTRIBUTE_NAME = /^[a-zA-Z_:@][-a-zA-Z0-9_:.@]*$/;

/** `<b && c>` in `if (a<b && c>d)` is code, not a bold tag: its "attributes" are not names. */
function isTag(name: string, attributes: Record<string, string>): boolean {
  return HTML_ELEMENTS.has(name) && Object.keys(attributes).every((key) => ATTRIBUTE_NAME.test(key));
}

const LOOKS_LIKE_HTML = /<\/?[a-zA-Z][^>]*>|<!--|&(?:#\d+|#x[0-9a-fA-F]+|[a-zA-Z][a-zA-Z0-9]*);/;
const MARKDOWN_CODE = /(```[\s\S]*?```|`[^`\n]+`)/;

export function stripHtml(text: string): string {
  if (!LOOKS_LIKE_HTML.test(text)) return text;
  const parts = text.split(MARKDOWN_CODE);
  // split() with a capture group puts the code at odd indexes.
  return parts.map((part, index) => (index % 2 === 1 ? part : stripProse(part))).join('');
}

function stripProse(text: string): string {
  if (!LOOKS_LIKE_HTML.test(text)) return text;
  let out = '';
  const parser = new Parser(
    {
      ontext(data) {
        out += data;
      },
      onopentag(name, attributes) {
        if (!isTag(name, attributes)) out += text.slice(parser.startIndex, parser.endIndex + 1);
        else if (name === 'br') out += '\n';
      },
      onclosetag(name, isImplied) {
        if (isImplied) return;
        if (!HTML_ELEMENTS.has(name)) out += text.slice(parser.startIndex, parser.endIndex + 1);
        else if (BLOCK_ELEMENTS.has(name)) out += '\n';
      },
    },
    { decodeEntities: true, lowerCaseTags: false, recognizeSelfClosing: true },
  );
  parser.write(text);
  parser.end();
  return out;
}
