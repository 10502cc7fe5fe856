// Lossless text for lines that are not valid UTF-8: each invalid byte 0xNN becomes the lone
// surrogate U+DCNN (Python's "surrogateescape", PEP 383). JSON.stringify writes it as "\udcNN",
// so rejected.jsonl stays valid UTF-8 and `raw.encode('utf-8', 'surrogateescape')` gives the bytes back.

/** Decodes `bytes`, escaping every byte that is not part of a well-formed UTF-8 sequence. */
export function decodeSurrogateEscape(bytes: Uint8Array): string {
  let out = '';
  let i = 0;
  while (i < bytes.length) {
    const b0 = bytes[i]!;
    const length = sequenceLength(bytes, i);
    if (length === 0) {
      out += String.fromCharCode(0xdc00 + b0);
      i += 1;
      continue;
    }
    out += Buffer.from(bytes.subarray(i, i + length)).toString('utf8');
    i += length;
  }
  return out;
}

/** Reverses decodeSurrogateEscape. */
export function encodeSurrogateEscape(text: string): Buffer {
  const parts: Buffer[] = [];
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code >= 0xdc80 && code <= 0xdcff && !isLowSurrogateOfPair(text, i)) {
      parts.push(Buffer.from(text.slice(start, i), 'utf8'), Buffer.from([code - 0xdc00]));
      start = i + 1;
    }
  }
  parts.push(Buffer.from(text.slice(start), 'utf8'));
  return Buffer.concat(parts);
}

function isLowSurrogateOfPair(text: string, i: number): boolean {
  if (i === 0) return false;
  const previous = text.charCodeAt(i - 1);
  return previous >= 0xd800 && previous <= 0xdbff;
}

/** Length of the well-formed sequence at `i` (Unicode Table 3-7), or 0 when it is ill-formed. */
function sequenceLength(bytes: Uint8Array, i: number): number {
  const b0 = bytes[i]!;
  if (b0 < 0x80) return 1;
  const cont = (offset: number, low = 0x80, high = 0xbf): boolean => {
    const b = bytes[i + offset];
    return b !== undefined && b >= low && b <= high;
  };
  if (b0 >= 0xc2 && b0 <= 0xdf) return cont(1) ? 2 : 0;
  if (b0 === 0xe0) return cont(1, 0xa0) && cont(2) ? 3 : 0;
  if ((b0 >= 0xe1 && b0 <= 0xec) || b0 === 0xee || b0 === 0xef) return cont(1) && cont(2) ? 3 : 0;
  if (b0 === 0xed) return cont(1, 0x80, 0x9f) && cont(2) ? 3 : 0;
  if (b0 === 0xf0) return cont(1, 0x90) && cont(2) && cont(3) ? 4 : 0;
  if (b0 >= 0xf1 && b0 <= 0xf3) return cont(1) && cont(2) && cont(3) ? 4 : 0;
  if (b0 === 0xf4) return cont(1, 0x80, 0x8f) && cont(2) && cont(3) ? 4 : 0;
  return 0;
}
