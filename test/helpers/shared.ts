// Locates ../shared/reference (ground truth that is never copied into the repo).
// Tests that need it use `describe.skipIf(!hasShared)` and say why they skipped.
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
export const sharedReference = resolve(repoRoot, '../shared/reference');
export const hasShared = existsSync(join(sharedReference, 'README.md'));
export const sharedSkipMessage = `../shared/reference not found at ${sharedReference}: skipping tests against reference files`;

if (!hasShared) console.warn(sharedSkipMessage);

export function reference(...parts: string[]): string {
  return join(sharedReference, ...parts);
}
