// Every test file gets its own temp folder (TMPDIR, which os.tmpdir() reads on each call, and
// which spawned CLIs inherit), removed with everything in it when the file is done.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll } from 'vitest';

const parent = tmpdir();
const own = mkdtempSync(join(parent, 'phikit-test-'));
process.env.TMPDIR = own;

afterAll(() => {
  process.env.TMPDIR = parent;
  rmSync(own, { recursive: true, force: true });
});
