// A set of output files that replaces the previous set in the folder as a whole or not at all.
// Every file is written into `OUT/.staging-PID/`; commit then removes the old manifest.json
// first, renames each file into place, and writes manifest.json last, listing every file with
// its size and sha256. So a folder without manifest.json, or whose files differ from what the
// manifest lists, is visibly incomplete (output-check.ts tells).
import { mkdir, readFile, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { OutputFile } from '../core/manifest.js';
import { AtomicLineWriter, writeFileAtomic } from './atomic-writer.js';
import { OutputDir } from './out-dir.js';
import { outputError } from './output-error.js';

export const MANIFEST_NAME = 'manifest.json';

export class OutputSet {
  readonly stagingDir: string;
  /** Staged files by name, in the order they were committed to the staging folder. */
  private readonly staged = new Map<string, OutputFile>();

  private constructor(private readonly folder: OutputDir) {
    this.stagingDir = join(folder.dir, `.staging-${process.pid}`);
  }

  /** Locks `dir` (see out-dir.ts) and opens an empty staging folder in it. */
  static async open(dir: string, command: string): Promise<OutputSet> {
    const folder = await OutputDir.open(dir, command);
    const set = new OutputSet(folder);
    try {
      await mkdir(set.stagingDir);
    } catch (error) {
      await folder.release();
      throw outputError(set.stagingDir, error);
    }
    return set;
  }

  get dir(): string {
    return this.folder.dir;
  }

  /** A writer for the output `name`; its commit() result must be passed to `add`. */
  lineWriter(name: string, options: { prefix?: string | undefined } = {}): AtomicLineWriter {
    return new AtomicLineWriter(join(this.stagingDir, name), options);
  }

  /** A path in the staging folder: a staged output, or scratch that never becomes one. */
  stagingPath(name: string): string {
    return join(this.stagingDir, name);
  }

  /** Records a committed writer's file as part of the set. */
  add(file: OutputFile): OutputFile {
    const name = file.path.slice(this.stagingDir.length + 1);
    const entry = { ...file, path: name };
    this.staged.set(name, entry);
    return entry;
  }

  async writeDocument(name: string, content: string): Promise<OutputFile> {
    return this.add(await writeFileAtomic(join(this.stagingDir, name), content));
  }

  /** The staged files by manifest key: the name without its extension (`train`, `report`). */
  outputs(): Record<string, OutputFile> {
    return Object.fromEntries([...this.staged].map(([name, file]) => [outputKey(name), file]));
  }

  /** Makes the staged set current; `manifestText` is written last. Releases the folder. */
  async commit(manifestText: string): Promise<void> {
    const { dir } = this.folder;
    await writeFileAtomic(join(this.stagingDir, MANIFEST_NAME), manifestText);
    this.folder.checkLock();
    const previous = listedOutputs(await readFile(join(dir, MANIFEST_NAME), 'utf8').catch(() => ''));
    try {
      await rm(join(dir, MANIFEST_NAME), { force: true });
      crashPoint('manifest-removed');
      let renamed = 0;
      for (const name of this.staged.keys()) {
        await rename(join(this.stagingDir, name), join(dir, name));
        crashPoint(`rename:${++renamed}`);
      }
      const listed = listedOutputs(manifestText);
      for (const name of previous) if (!listed.has(name)) await rm(join(dir, name), { force: true });
      await rename(join(this.stagingDir, MANIFEST_NAME), join(dir, MANIFEST_NAME));
      crashPoint('manifest');
    } catch (error) {
      throw outputError(dir, error);
    }
    await this.close();
  }

  /** Drops the staging folder and releases the folder's lock (after commit, or instead of it). */
  async close(): Promise<void> {
    await rm(this.stagingDir, { recursive: true, force: true });
    await this.folder.release();
  }
}

function outputKey(name: string): string {
  const dot = name.indexOf('.');
  return dot > 0 ? name.slice(0, dot) : name;
}

/** The file names a manifest lists, so files an old set had and the new one lacks do not linger. */
function listedOutputs(manifestText: string): Set<string> {
  try {
    const manifest = JSON.parse(manifestText) as { outputs?: Record<string, { path?: unknown }> };
    const paths = Object.values(manifest.outputs ?? {}).map((file) => file.path);
    return new Set(paths.filter((path): path is string => typeof path === 'string' && isPlainName(path)));
  } catch {
    return new Set();
  }
}

/** A file name without folders: manifests only list files of their own folder. */
export function isPlainName(name: string): boolean {
  return name !== '' && name !== '.' && name !== '..' && !/[/\\]/.test(name);
}

/**
 * Test hook: PHIKIT_TEST_CRASH_AFTER=<point> makes the process SIGKILL itself right after that
 * step of commit (`manifest-removed`, `rename:N`, `manifest`), so tests can stop a run between
 * two renames deterministically. Never set outside tests.
 */
function crashPoint(point: string): void {
  if (process.env.PHIKIT_TEST_CRASH_AFTER === point) process.kill(process.pid, 'SIGKILL');
}
