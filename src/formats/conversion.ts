// What a format converter returns, shared by every converter in formats/.

export type Conversion =
  | { ok: true; value: unknown }
  /** `reason` when the record is readable but cannot be trained on as text (default `schema`). */
  | { ok: false; error: string; reason?: 'non_text_content' };

/** The record's fields without `keys` (what a converter did not read). */
export function withoutKeys(
  fields: Record<string, unknown>,
  keys: readonly string[],
): Record<string, unknown> {
  const rest: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(fields)) if (!keys.includes(key)) rest[key] = value;
  return rest;
}
