// A failed write to an output folder, said in one line: which path, and why in words
// (a full disk, a read-only mount, a file where a folder should be), as OUTPUT_UNWRITABLE.
import { PhikitError } from '../core/errors.js';

const CAUSES: Record<string, string> = {
  ENOSPC: 'no space left on the device',
  EDQUOT: 'disk quota exceeded',
  EROFS: 'read-only file system',
  EACCES: 'permission denied',
  EPERM: 'permission denied',
  ENOTDIR: 'a part of the path is a file, not a folder',
  EEXIST: 'it exists and is not a folder',
  EISDIR: 'it is a folder',
};

export function outputError(path: string, error: unknown): PhikitError {
  if (error instanceof PhikitError) return error;
  const code = (error as NodeJS.ErrnoException).code ?? 'error';
  const cause = CAUSES[code] ?? (error as Error).message ?? String(error);
  const hint =
    code === 'ENOSPC' || code === 'EDQUOT'
      ? 'free some space, or choose an --out folder on another disk'
      : 'choose another --out folder, or fix its permissions';
  return new PhikitError('OUTPUT_UNWRITABLE', `cannot write ${path}: ${cause} (${code})`, hint, {
    cause: error,
  });
}
