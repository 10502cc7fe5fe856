// One run per output folder: creates the folder, takes its lock (proper-lockfile: a lock folder
// whose mtime the holder refreshes, stale after 10 s without refresh), records the holder's pid
// for the message a second run gets, and removes what killed runs left behind (`*.tmp-PID`
// files, `.staging-PID/` folders of pids that are no longer alive).
import { hostname } from 'node:os';
import { readdirSync, rmSync } from 'node:fs';
import { mkdir, readFile, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import lockfile from 'proper-lockfile';
import { PhikitError } from '../core/errors.js';
import { onInterrupt } from './interrupt.js';
import { outputError } from './output-error.js';

const LOCK_NAME = '.phikit.lock';
const OWNER_NAME = '.phikit.lock.owner';
const STALE_MS = 10_000;
/** Temp files (`train.jsonl.tmp-123`, `.survivors.tmp-123.jsonl`) and staging folders, by pid. */
const LEFTOVER = /\.tmp-(\d+)(?:\.jsonl)?$|^\.staging-(\d+)$/;

interface LockOwner {
  pid: number;
  host: string;
  command: string;
  started: string;
}

export class OutputDir {
  private released = false;
  private readonly forgetInterrupt: () => void;

  private constructor(
    readonly dir: string,
    private readonly unlock: () => Promise<void>,
    /** Set by proper-lockfile when the lock could not be kept fresh or was taken away. */
    private readonly lost: { error?: Error },
  ) {
    this.forgetInterrupt = onInterrupt(() => this.cleanUpNow());
  }

  /** Creates `dir`, locks it for this run and removes dead runs' leftovers. */
  static async open(dir: string, command: string): Promise<OutputDir> {
    await makeFolder(dir);
    const lost: { error?: Error } = {};
    const unlock = await takeLock(dir, (error) => (lost.error = error));
    const folder = new OutputDir(dir, unlock, lost);
    try {
      await writeFile(join(dir, OWNER_NAME), ownerText(command));
      await removeLeftovers(dir);
    } catch (error) {
      await folder.release();
      throw outputError(dir, error);
    }
    return folder;
  }

  /** Throws when another process took the lock away (this run then must not commit). */
  checkLock(): void {
    if (this.lost.error)
      throw new PhikitError(
        'OUTPUT_UNWRITABLE',
        `lost the lock on ${this.dir} (${this.lost.error.message})`,
        'make sure no other run writes to this folder, then run again',
      );
  }

  async release(): Promise<void> {
    if (this.released) return;
    this.released = true;
    this.forgetInterrupt();
    await rm(join(this.dir, OWNER_NAME), { force: true });
    await this.unlock().catch(() => undefined);
  }

  /** On SIGINT/SIGTERM: this run's temp files and staging folder, then the lock. */
  private cleanUpNow(): void {
    for (const name of readdirSync(this.dir)) {
      const match = LEFTOVER.exec(name);
      if (match && Number(match[1] ?? match[2]) === process.pid)
        rmSync(join(this.dir, name), { recursive: true, force: true });
    }
    rmSync(join(this.dir, OWNER_NAME), { force: true });
    rmSync(join(this.dir, LOCK_NAME), { recursive: true, force: true });
    this.released = true;
  }
}

async function makeFolder(dir: string): Promise<void> {
  try {
    await mkdir(dir, { recursive: true });
  } catch (error) {
    throw outputError(dir, await realMkdirError(dir, error));
  }
  const info = await stat(dir);
  if (!info.isDirectory()) throw outputError(dir, Object.assign(new Error(), { code: 'EEXIST' }));
}

/**
 * A recursive mkdir says ENOENT where a plain one would say why (EROFS, EACCES): ask the
 * first missing folder under the deepest existing one.
 */
async function realMkdirError(dir: string, error: unknown): Promise<unknown> {
  if ((error as NodeJS.ErrnoException).code !== 'ENOENT') return error;
  let missing = dir;
  while (dirname(missing) !== missing && !(await exists(dirname(missing)))) missing = dirname(missing);
  try {
    await mkdir(missing);
    await rm(missing, { recursive: true });
    return error;
  } catch (plain) {
    return plain;
  }
}

async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}

async function takeLock(dir: string, onCompromised: (error: Error) => void): Promise<() => Promise<void>> {
  const options = { lockfilePath: join(dir, LOCK_NAME), stale: STALE_MS, onCompromised };
  try {
    return await lockfile.lock(dir, options);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ELOCKED') throw outputError(dir, error);
  }
  const owner = await readOwner(dir);
  if (owner && owner.host === hostname() && !isAlive(owner.pid)) {
    // A killed run's lock: it goes stale once its mtime is STALE_MS old, so wait for that.
    const retries = { retries: STALE_MS / 1000 + 2, minTimeout: 1000, maxTimeout: 1000 };
    try {
      return await lockfile.lock(dir, { ...options, retries });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ELOCKED') throw outputError(dir, error);
    }
  }
  throw lockedError(dir, owner);
}

function lockedError(dir: string, owner: LockOwner | undefined): PhikitError {
  const who = owner
    ? `phikit ${owner.command} (pid ${owner.pid}, started ${owner.started})`
    : 'another phikit run';
  return new PhikitError(
    'OUTPUT_UNWRITABLE',
    `${dir} is in use by ${who}`,
    'wait for that run to finish, or choose another --out folder',
  );
}

function ownerText(command: string): string {
  const owner: LockOwner = {
    pid: process.pid,
    host: hostname(),
    command,
    started: new Date().toISOString(),
  };
  return `${JSON.stringify(owner)}\n`;
}

async function readOwner(dir: string): Promise<LockOwner | undefined> {
  try {
    return JSON.parse(await readFile(join(dir, OWNER_NAME), 'utf8')) as LockOwner;
  } catch {
    return undefined;
  }
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** With the lock held, before this run writes: our own pid's leftovers are a dead run's too (pids repeat in containers). */
async function removeLeftovers(dir: string): Promise<void> {
  for (const name of await readdir(dir)) {
    const match = LEFTOVER.exec(name);
    if (!match) continue;
    const pid = Number(match[1] ?? match[2]);
    if (pid === process.pid || !isAlive(pid)) await rm(join(dir, name), { recursive: true, force: true });
  }
}
