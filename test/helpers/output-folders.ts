// Output folders for durability tests: a generated input large enough to take a moment, small
// tmpfs mounts (a full disk, a read-only folder), and an independent check of a prep folder.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export function tempDir(prefix = 'phikit-durable-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/** `n` distinct chat examples over 4 scenarios, with CJK and emoji text; `seed` varies the content. */
export function generatedInput(dir: string, n: number, seed = 0): string {
  const path = join(dir, `generated-${n}-${seed}.jsonl`);
  const lines: string[] = [];
  for (let i = 0; i < n; i++) {
    const words = Array.from({ length: 12 }, (_, w) => `w${(i * 7919 + w * 104729 + seed) % 100003}`);
    lines.push(
      JSON.stringify({
        scenario: `s${i % 4}`,
        messages: [
          { role: 'system', content: 'You are a helpful assistant.' },
          { role: 'user', content: `Question ${seed}-${i}: ${words.join(' ')} 你好 🙂?` },
          { role: 'assistant', content: `Answer ${i}: ${words.reverse().join(' ')}.` },
        ],
      }),
    );
  }
  writeFileSync(path, `${lines.join('\n')}\n`);
  return path;
}

export interface Tmpfs {
  dir: string;
  readOnly(): void;
  /** Fills the disk up to the last few bytes. */
  fill(): void;
  unmount(): void;
}

/** A tmpfs of `size` (e.g. `2m`), or undefined when this machine does not let us mount one. */
export function mountTmpfs(size: string): Tmpfs | undefined {
  const dir = tempDir('phikit-tmpfs-');
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${size}`, 'tmpfs', dir], { stdio: 'ignore' });
  } catch {
    return undefined;
  }
  return {
    dir,
    readOnly: () => execFileSync('mount', ['-o', 'remount,ro', dir], { stdio: 'ignore' }),
    fill: () => {
      try {
        execFileSync('dd', ['if=/dev/zero', `of=${join(dir, 'filler')}`, 'bs=4k'], { stdio: 'ignore' });
      } catch {
        // dd stops with "no space left": that is the point.
      }
    },
    unmount: () => execFileSync('umount', ['-l', dir], { stdio: 'ignore' }),
  };
}

export type FolderState = 'complete' | 'no manifest';

/** Checks, independently of phikit, that every file manifest.json lists has its size and sha256. */
export function folderState(dir: string): FolderState {
  const manifestPath = join(dir, 'manifest.json');
  if (!existsSync(manifestPath)) return 'no manifest';
  const manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as {
    outputs: Record<string, { path: string; bytes: number; sha256: string }>;
  };
  for (const file of Object.values(manifest.outputs)) {
    const bytes = readFileSync(join(dir, file.path));
    if (bytes.length !== file.bytes)
      throw new Error(`${file.path}: ${bytes.length} bytes, listed ${file.bytes}`);
    const sha = createHash('sha256').update(bytes).digest('hex');
    if (sha !== file.sha256) throw new Error(`${file.path}: sha256 differs from the manifest`);
  }
  return 'complete';
}

/** sha256 of train, validation and rejected as the manifest lists them: which run's set it is. */
export function dataHashes(dir: string): string {
  const manifest = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')) as {
    outputs: Record<string, { sha256: string }>;
  };
  return ['train', 'validation', 'rejected'].map((key) => manifest.outputs[key]!.sha256).join(' ');
}

/** Temp files, staging folders and the lock a run may leave in `dir`. */
export function leftovers(dir: string): string[] {
  return readdirSync(dir).filter((name) => /\.tmp-\d+|^\.staging-|^\.phikit\.lock/.test(name));
}
