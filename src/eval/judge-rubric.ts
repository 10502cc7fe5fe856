// Judge rubrics: the prompt a judge model sees, with {{question}}, {{reference}} and {{answer}}
// filled in, and the contract for its answer: a final line `Score: N` (N from 1 to 5).
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { PhikitError } from '../core/errors.js';

export interface Rubric {
  /** `builtin:correctness` or the file's path, for reports. */
  name: string;
  template: string;
  /** sha256 of the template: part of every judgment's cache key. */
  hash: string;
}

export const RUBRIC_PLACEHOLDERS = ['question', 'reference', 'answer'] as const;
type Placeholder = (typeof RUBRIC_PLACEHOLDERS)[number];

export const BUILTIN_RUBRIC_TEMPLATE = `You are grading an answer for correctness against the reference answer(s).

Question:
{{question}}

Reference answer(s):
{{reference}}

Answer to grade:
{{answer}}

Rate how correct the answer is, judged against the reference, on this scale:
1 = wrong or unrelated
2 = mostly wrong, with a small correct part
3 = partly correct, or correct but with a significant error or omission
4 = correct, with a minor error or omission
5 = fully correct and consistent with the reference (wording may differ)

Explain briefly, then end with a final line of exactly this form: Score: N
`;

function rubricOf(name: string, template: string): Rubric {
  return { name, template, hash: createHash('sha256').update(template).digest('hex') };
}

export const BUILTIN_RUBRIC: Rubric = rubricOf('builtin:correctness', BUILTIN_RUBRIC_TEMPLATE);

/** A custom rubric from a text file; it must use {{answer}} (a judge that never sees the answer grades nothing). */
export async function loadRubric(path: string | undefined): Promise<Rubric> {
  if (path === undefined) return BUILTIN_RUBRIC;
  let template: string;
  try {
    template = await readFile(path, 'utf8');
  } catch (error) {
    throw new PhikitError(
      'INPUT_NOT_FOUND',
      `cannot read the judge rubric ${path}`,
      'check the path of --judge-rubric',
      {
        cause: error,
      },
    );
  }
  const unknown = [...template.matchAll(/\{\{\s*([^}]*?)\s*\}\}/g)]
    .map((m) => m[1]!)
    .filter((name) => !(RUBRIC_PLACEHOLDERS as readonly string[]).includes(name));
  if (unknown.length > 0 || !/\{\{\s*answer\s*\}\}/.test(template)) {
    throw new PhikitError(
      'CONFIG_INVALID',
      unknown.length > 0
        ? `judge rubric ${path}: unknown placeholder {{${unknown[0]}}}`
        : `judge rubric ${path} has no {{answer}} placeholder`,
      `use ${RUBRIC_PLACEHOLDERS.map((p) => `{{${p}}}`).join(', ')} and ask for a final line "Score: N" (1-5)`,
    );
  }
  return rubricOf(path, template);
}

/** The rubric with its placeholders filled in one pass (a value holding "{{answer}}" stays as it is). */
export function renderRubric(rubric: Rubric, values: Record<Placeholder, string>): string {
  return rubric.template.replace(
    /\{\{\s*(question|reference|answer)\s*\}\}/g,
    (_, name: Placeholder) => values[name],
  );
}

/**
 * The score on the judge's last non-empty line: `Score: N` with N in 1-5 (markdown emphasis and
 * `/5` tolerated). Anything else is null: unparseable, counted, never guessed.
 */
export function parseScore(text: string): number | null {
  const lastLine = text.trimEnd().split('\n').at(-1) ?? '';
  const match = /^[\s*_#>]*score[\s*_]*:[\s*_]*([1-5])(?:\s*\/\s*5)?[\s*_.]*$/i.exec(lastLine);
  return match ? Number(match[1]) : null;
}
