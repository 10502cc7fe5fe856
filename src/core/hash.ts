// Content hashes. sha256 from node:crypto: native, stable across platforms and versions,
// so signatures and split membership never change with the Node release.
import * as crypto from 'node:crypto';

type Digest = {
  (data: string | Uint8Array, encoding: 'hex'): string;
  (data: string | Uint8Array, encoding: 'buffer'): Buffer;
};

/**
 * sha256 in one call: `crypto.hash` (Node >= 20.12) saves ~1 µs per call over a Hash object,
 * which prep pays twice per example; older Node 20 releases get the Hash object.
 */
const sha256: Digest = (
  typeof crypto.hash === 'function'
    ? (data: string | Uint8Array, encoding: 'hex' | 'buffer') => crypto.hash('sha256', data, encoding)
    : (data: string | Uint8Array, encoding: 'hex' | 'buffer') => {
        const digest = crypto.createHash('sha256').update(data);
        return encoding === 'hex' ? digest.digest('hex') : digest.digest();
      }
) as Digest;

/**
 * A deterministic number in [0, 1) from a seed and some keys. Used where a choice must not
 * depend on input order or parallelism (split membership, balancing).
 */
export function seededUnit(seed: number | string, ...keys: string[]): number {
  // The seed and each key after a NUL, hashed as one string: the same bytes as feeding them to a
  // Hash one by one (a NUL never pairs with a surrogate beside it).
  let text = String(seed);
  for (const key of keys) text += `\u0000${key}`;
  // 48 bits are exact in a double.
  return sha256(text, 'buffer').readUIntBE(0, 6) / 2 ** 48;
}

export function sha256Hex(data: string | Uint8Array): string {
  return sha256(data, 'hex');
}
