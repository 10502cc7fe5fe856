// How values read in a message: a JSON value short, never whole; a number with its thousands.
/** A value as it appears in a message: strings quoted, the type named for containers. */
export function describeValue(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object') return 'an object';
  if (typeof value === 'string') return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
  return String(value);
}

// Numbers written as en-US `Intl.NumberFormat` writes them, without it: the first format loads
// ICU's locale data (~16 ms, a tenth of what a small prep spends past start-up). Intl rounds
// the shortest decimal that reads back as the number (what `String` writes), half away from
// zero: 1.005 to two decimals is 1.01 where `toFixed` gives 1.00. Numbers `String` writes with
// an exponent (below 1e-6, from 1e21) and non-finite ones still go to Intl.
const fallbackFormats = new Map<number | undefined, Intl.NumberFormat>();

/** A count as every summary line prints it: 45,055 (what `toLocaleString('en-US')` writes). */
export function formatCount(value: number): string {
  if (Number.isSafeInteger(value) && !Object.is(value, -0)) {
    return value < 0 ? `-${groupThousands(String(-value))}` : groupThousands(String(value));
  }
  return formatShortest(value, undefined);
}

/** A number with exactly `fractionDigits` decimals and thousands separators: 1,234.5. */
export function formatFixed(value: number, fractionDigits: number): string {
  return formatShortest(value, fractionDigits);
}

/** `fractionDigits` undefined: Intl's default, at most 3 decimals and no trailing zeros. */
function formatShortest(value: number, fractionDigits: number | undefined): string {
  const digits = String(Math.abs(value));
  if (!Number.isFinite(value) || digits.includes('e')) return intlFormat(value, fractionDigits);
  const [whole, fraction = ''] = digits.split('.') as [string, string?];
  const rounded = roundDecimal(whole, fraction, fractionDigits ?? 3);
  const kept = fractionDigits === undefined ? rounded.fraction.replace(/0+$/, '') : rounded.fraction;
  const sign = value < 0 || Object.is(value, -0) ? '-' : '';
  return `${sign}${groupThousands(rounded.whole)}${kept === '' ? '' : `.${kept}`}`;
}

/** whole.fraction rounded to `places` decimals, half away from zero, on the digits themselves. */
function roundDecimal(whole: string, fraction: string, places: number): { whole: string; fraction: string } {
  if (fraction.length <= places) return { whole, fraction: fraction.padEnd(places, '0') };
  const kept = `${whole}${fraction.slice(0, places)}`;
  const up = fraction.charCodeAt(places) >= 0x35; // '5'
  const all = up ? incrementDigits(kept) : kept;
  const wholeLength = all.length - places;
  return { whole: all.slice(0, wholeLength), fraction: all.slice(wholeLength) };
}

/** A string of decimal digits plus one: "0999" -> "1000", "99" -> "100". */
function incrementDigits(digits: string): string {
  let at = digits.length - 1;
  while (at >= 0 && digits[at] === '9') at--;
  const carried = '0'.repeat(digits.length - 1 - at);
  if (at < 0) return `1${carried}`;
  return `${digits.slice(0, at)}${String.fromCharCode(digits.charCodeAt(at) + 1)}${carried}`;
}

/** "1234567" -> "1,234,567". */
function groupThousands(digits: string): string {
  if (digits.length <= 3) return digits;
  const head = digits.length % 3 || 3;
  let out = digits.slice(0, head);
  for (let at = head; at < digits.length; at += 3) out += `,${digits.slice(at, at + 3)}`;
  return out;
}

function intlFormat(value: number, fractionDigits: number | undefined): string {
  let format = fallbackFormats.get(fractionDigits);
  if (format === undefined) {
    const options =
      fractionDigits === undefined
        ? {}
        : { minimumFractionDigits: fractionDigits, maximumFractionDigits: fractionDigits };
    format = new Intl.NumberFormat('en-US', options);
    fallbackFormats.set(fractionDigits, format);
  }
  return format.format(value);
}
