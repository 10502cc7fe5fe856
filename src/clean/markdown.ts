// Where markdown code is, so cleaning never reaches into it. A fence that is opened and never
// closed (a truncated answer) runs to the end of the text: everything after it is code.
const MARKDOWN_CODE = /(```[\s\S]*?(?:```|$)|~~~[\s\S]*?(?:~~~|$)|`[^`\n]+`)/;

/** The text cut into prose and code: code at the odd indexes, prose at the even ones. */
export function splitCode(text: string): string[] {
  return text.split(MARKDOWN_CODE);
}

/** Applies `rewrite` to the prose only (`afterCode`: the part follows code); code comes back as written. */
export function mapProse(text: string, rewrite: (prose: string, afterCode: boolean) => string): string {
  return splitCode(text)
    .map((part, index) => (index % 2 === 1 ? part : rewrite(part, index > 0)))
    .join('');
}
