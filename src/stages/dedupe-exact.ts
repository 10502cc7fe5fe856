// Stage 4, dedupe-exact: the first occurrence of a cleaned conversation is kept; later ones are
// `duplicate` with "same as line N". Memory: a 64-bit signature per kept example (SignatureTable).
import { createHash } from 'node:crypto';
import type { Stage } from '../core/envelope.js';
import { SignatureTable } from '../core/signature-table.js';
import { perExample } from './per-example.js';

export function createDedupeExactStage(): Stage {
  const seen = new SignatureTable();
  return perExample({
    name: 'dedupe-exact',
    needs: ['example'],
    provides: ['contentKey', 'serialized'],
    each(envelope) {
      // The example as it will be written is the canonical form: validate kept only the
      // Azure keys, in a fixed order. (An explicit weight 1 differs from none here.)
      envelope.serialized = JSON.stringify(envelope.example);
      const digest = createHash('sha256').update(envelope.serialized).digest();
      envelope.contentKey = digest.toString('hex', 0, 16);
      const first = seen.addIfAbsent(digest.readUInt32BE(0), digest.readUInt32BE(4), envelope.line);
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
