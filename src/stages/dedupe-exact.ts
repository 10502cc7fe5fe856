// Stage 4, dedupe-exact: the first occurrence of a cleaned conversation is kept; later ones are
// `duplicate` with "same as line N". Memory: a 64-bit signature per kept example (SignatureTable).
import { createHash } from 'node:crypto';
import type { ChatExample } from '../core/example.js';
import type { Envelope, Stage } from '../core/envelope.js';
import { SignatureTable } from '../core/signature-table.js';

/** The canonical text of a conversation: roles, contents and weights, in order. */
export function canonicalConversation(example: ChatExample): string {
  return JSON.stringify(
    example.messages.map((message) => [message.role, message.content, message.weight ?? 1]),
  );
}

export function createDedupeExactStage(): Stage {
  const seen = new SignatureTable();
  return {
    name: 'dedupe-exact',
    run(batch: Envelope[]) {
      for (const envelope of batch) {
        if (envelope.rejection || !envelope.example) continue;
        const digest = createHash('sha256').update(canonicalConversation(envelope.example)).digest();
        envelope.contentKey = digest.toString('hex', 0, 16);
        const first = seen.addIfAbsent(digest.readUInt32BE(0), digest.readUInt32BE(4), envelope.line);
        if (first !== undefined) {
          envelope.rejection = {
            reason: 'duplicate',
            message: `same as line ${first} (after cleaning)`,
            detail: { sameAs: first },
          };
        }
      }
    },
    summary: () => ({ signatures: seen.size, indexBytes: seen.bytes }),
  };
}
