// How values read in a message: a JSON value short, never whole; a count with its thousands.
/** A value as it appears in a message: strings quoted, the type named for containers. */
export function describeValue(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object') return 'an object';
  if (typeof value === 'string') return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
  return String(value);
}

/** A count as every summary line prints it: 45,055. */
export function formatCount(value: number): string {
  return value.toLocaleString('en-US');
}
