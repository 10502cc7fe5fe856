// Content hashes. sha256 from node:crypto: native, stable across platforms and versions,
// so signatures and split membership never change with the Node release.
import * as crypto from 'node:crypto';

/**
 * sha256 in one call with `crypto.hash` (Node >= 20.12): ~1 µs less per call than a Hash object,
 * paid twice per example by prep; older Node 20 releases use the Hash object.
 */
const ONE_SHOT = typeof crypto.hash === 'function';

function sha256(data: string | Uint8Array): Buffer {
  return ONE_SHOT ? crypto.hash('sha256', data, 'buffer') : crypto.createHash('sha256').update(data).digest();
}

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
  return sha256(text).readUIntBE(0, 6) / 2 ** 48;
}

export function sha256Hex(data: string | Uint8Array): string {
  return ONE_SHOT
    ? crypto.hash('sha256', data, 'hex')
    : crypto.createHash('sha256').update(data).digest('hex');
}
