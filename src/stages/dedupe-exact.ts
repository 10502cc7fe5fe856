// Stage 4, dedupe-exact: the first occurrence of a cleaned conversation is kept; later ones are
// `duplicate` with "same as line N". Memory: a 64-bit signature per kept example (SignatureTable).
import type { Stage } from '../core/envelope.js';
import { sha256Hex } from '../core/hash.js';
import type { ChatExample } from '../core/example.js';
import { SignatureTable } from '../core/signature-table.js';
import { perExample } from './per-example.js';

/**
 * The example as it will be written, and its content key (128 bits of its sha256, in hex). The
 * written form is the canonical one: validate kept only the Azure keys, in a fixed order (an
 * explicit weight 1 differs from none here). A front worker computes it ahead (pipeline/front-work.ts).
 */
export function exactKey(example: ChatExample): { serialized: string; contentKey: string } {
  const serialized = JSON.stringify(example);
  return { serialized, contentKey: contentKeyOf(serialized) };
}

/** The content key of a written form, given as text or as its UTF-8 bytes (the same key). */
export function contentKeyOf(written: string | Uint8Array): string {
  return sha256Hex(written).slice(0, 32);
}

export function createDedupeExactStage(): Stage {
  const seen = new SignatureTable();
  return perExample({
    name: 'dedupe-exact',
    needs: ['example'],
    provides: ['contentKey', 'serialized'],
    each(envelope) {
      if (envelope.contentKey === undefined) Object.assign(envelope, exactKey(envelope.example));
      const key = envelope.contentKey!;
      const high = parseInt(key.slice(0, 8), 16);
      const low = parseInt(key.slice(8, 16), 16);
      const first = seen.addIfAbsent(high, low, envelope.line);
      if (first !== undefined) {
        envelope.rejection = {
          reason: 'duplicate',
          message: `same as line ${first} (after cleaning)`,
          detail: { sameAs: first },
        };
      }
    },
    summary: () => ({ signatures: seen.size, indexBytes: seen.bytes }),
  });
}
