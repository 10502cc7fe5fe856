// Content hashes. sha256 from node:crypto: native, stable across platforms and versions,
// so signatures and split membership never change with the Node release.
import { createHash } from 'node:crypto';

/**
 * A deterministic number in [0, 1) from a seed and some keys. Used where a choice must not
 * depend on input order or parallelism (split membership, balancing).
 */
export function seededUnit(seed: number | string, ...keys: string[]): number {
  const hash = createHash('sha256');
  hash.update(String(seed));
  for (const key of keys) hash.update('\u0000').update(key);
  const digest = hash.digest();
  // 48 bits are exact in a double.
  return digest.readUIntBE(0, 6) / 2 ** 48;
}

export function sha256Hex(data: string | Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}
