import { open, readFile, unlink, type FileHandle } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { StoreError, errorLike } from './errors';

/**
 * PGlite is PostgreSQL in one process, without PostgreSQL's own postmaster.pid check: two processes on
 * one data directory each run their own database on the same files and the data splits. The lock is a
 * file inside the data directory (where the gateway may write even when the parent directory is not
 * its own) that names the process holding it.
 */
const LOCK_FILE = 'inzage.lock';

export interface DataDirLock {
  release(): Promise<void>;
}

/** Who holds a lock: enough to tell a live holder from a dead one whose pid was reused since. */
interface Holder {
  pid: number;
  /** Start time in clock ticks since boot (/proc/<pid>/stat); a reused pid has a different one. */
  start?: string;
  /** A lock written before the last reboot is stale whatever its pid. */
  boot?: string;
  command?: string;
}

/** How long a lock file may stay empty or unreadable: another process may be writing it just now. */
const UNREADABLE_PATIENCE_MS = 1_000;
/** How long to wait for another process that is taking over a stale lock. */
const TAKEOVER_PATIENCE_MS = 3_000;
const RETRY_MS = 50;

const delay = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

function readProc(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
}

/** Field 22 of /proc/<pid>/stat. The command name (field 2) may hold spaces and parentheses. */
function startTimeOf(pid: number | 'self'): string | undefined {
  const stat = readProc(`/proc/${pid}/stat`);
  if (stat === undefined) return undefined;
  return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
}

function commandLineOf(pid: number): string | undefined {
  const raw = readProc(`/proc/${pid}/cmdline`);
  if (raw === undefined) return undefined;
  const words = raw.split('\0').filter((word) => word !== '');
  return words.length > 0 ? words.join(' ') : undefined;
}

function thisProcess(): Holder {
  const start = startTimeOf('self');
  const boot = readProc('/proc/sys/kernel/random/boot_id')?.trim();
  return {
    pid: process.pid,
    ...(start === undefined ? {} : { start }),
    ...(boot === undefined ? {} : { boot }),
    command: process.argv.join(' '),
  };
}

function parseHolder(text: string): Holder | undefined {
  try {
    const value = JSON.parse(text) as Partial<Holder>;
    if (!Number.isSafeInteger(value.pid) || (value.pid as number) <= 0) return undefined;
    return value as Holder;
  } catch {
    return undefined;
  }
}

type Standing = 'this process' | 'alive' | 'dead';

function standingOf(holder: Holder, me: Holder): Standing {
  if (holder.boot !== undefined && me.boot !== undefined && holder.boot !== me.boot) return 'dead';
  if (holder.pid === me.pid) {
    // Our pid, another start time: an earlier process that had our pid (pid 1 in a container, say).
    return holder.start !== undefined && me.start !== undefined && holder.start !== me.start
      ? 'dead'
      : 'this process';
  }
  try {
    process.kill(holder.pid, 0);
  } catch (error) {
    // EPERM: the process exists but belongs to another user.
    if (errorLike(error)?.code === 'ESRCH') return 'dead';
  }
  const start = startTimeOf(holder.pid);
  return holder.start !== undefined && start !== undefined && start !== holder.start ? 'dead' : 'alive';
}

function errorCode(error: unknown): unknown {
  return errorLike(error)?.code;
}

/** Creates `path` with `content` unless it exists. 'wx' makes the existence check and the creation one step. */
async function createExclusive(path: string, content: string): Promise<boolean> {
  let file: FileHandle;
  try {
    file = await open(path, 'wx');
  } catch (error) {
    if (errorCode(error) === 'EEXIST') return false;
    throw error;
  }
  try {
    await file.writeFile(content);
  } catch (error) {
    // An empty lock file would refuse every later opener: it is ours, so it goes.
    await file.close().catch(() => undefined);
    await unlink(path).catch(() => undefined);
    throw error;
  }
  await file.close();
  return true;
}

type LockFileState =
  { state: 'absent' } | { state: 'unreadable' } | { state: 'held'; text: string; holder: Holder };

async function readLockFile(path: string): Promise<LockFileState> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if (errorCode(error) === 'ENOENT') return { state: 'absent' };
    throw error;
  }
  const holder = parseHolder(text);
  return holder === undefined ? { state: 'unreadable' } : { state: 'held', text, holder };
}

/** Reads the lock file, giving a writer that has just created it a moment to fill it in. */
async function readSettled(path: string): Promise<LockFileState> {
  const until = Date.now() + UNREADABLE_PATIENCE_MS;
  for (;;) {
    const read = await readLockFile(path);
    if (read.state !== 'unreadable' || Date.now() > until) return read;
    await delay(RETRY_MS);
  }
}

function describeHolder(holder: Holder): string {
  const command = commandLineOf(holder.pid) ?? holder.command;
  return `process ${holder.pid}${command === undefined ? '' : ` (${command})`}`;
}

function lockedError(dataDir: string, why: string, advice: string): StoreError {
  return new StoreError('ERR_STORE_LOCKED', `the PGlite data directory ${dataDir} ${why}. ${advice}`);
}

const ADVICE =
  'PGlite allows one process per data directory. Stop that process first; or run the command ' +
  'against the running gateway instead (an ECD export can be POSTed to its /ecd/sync); or, for ' +
  'several processes on one database, use PostgreSQL (set DATABASE_URL).';

/**
 * Removes a lock whose holder is dead, unless it changed since it was read. Two processes doing this at
 * once could each remove the other's fresh lock, so a takeover runs under a second, short-lived lock.
 */
async function removeStale(lockPath: string, staleText: string, me: Holder, dataDir: string): Promise<void> {
  const guardPath = `${lockPath}.takeover`;
  const until = Date.now() + TAKEOVER_PATIENCE_MS;
  while (!(await createExclusive(guardPath, JSON.stringify(me)))) {
    const guard = await readSettled(guardPath);
    if (guard.state === 'absent') continue;
    if (guard.state === 'unreadable' || standingOf(guard.holder, me) === 'dead') {
      throw lockedError(
        dataDir,
        `has a stale lock file ${lockPath} whose takeover was interrupted`,
        `If no process uses the directory, delete ${guardPath} and ${lockPath}.`,
      );
    }
    if (Date.now() > until) {
      throw lockedError(dataDir, `is being taken over by ${describeHolder(guard.holder)}`, ADVICE);
    }
    await delay(RETRY_MS);
  }
  try {
    const current = await readLockFile(lockPath);
    if (current.state === 'held' && current.text === staleText) await unlink(lockPath);
  } finally {
    await unlink(guardPath).catch(() => undefined);
  }
}

/**
 * Takes the lock on a data directory for this process, or throws ERR_STORE_LOCKED naming the process
 * that has it. A lock left behind by a process that has died is taken over.
 */
export async function lockDataDir(dataDir: string): Promise<DataDirLock> {
  const lockPath = join(dataDir, LOCK_FILE);
  const me = thisProcess();
  const text = JSON.stringify(me);
  const fail = (error: unknown): never => {
    throw new StoreError(
      'ERR_STORE_CONFIG',
      `cannot lock the PGlite data directory ${dataDir}: ${errorLike(error)?.message ?? String(error)}`,
      { cause: error },
    );
  };
  // A few rounds: each one either takes the lock, refuses, or removes a stale lock and tries again.
  for (let round = 0; round < 5; round += 1) {
    if (await createExclusive(lockPath, text).catch(fail)) return heldLock(lockPath, text);
    const current = await readSettled(lockPath).catch(fail);
    if (current.state === 'absent') continue;
    if (current.state === 'unreadable') {
      throw lockedError(
        dataDir,
        `has a lock file ${lockPath} that names no process`,
        `If no process uses the directory, delete ${lockPath}.`,
      );
    }
    const standing = standingOf(current.holder, me);
    if (standing === 'this process') {
      throw lockedError(
        dataDir,
        'is already open in this process',
        'Open one store on it and share that store, or close it before opening it again.',
      );
    }
    if (standing === 'alive')
      throw lockedError(dataDir, `is in use by ${describeHolder(current.holder)}`, ADVICE);
    await removeStale(lockPath, current.text, me, dataDir).catch((error: unknown) => {
      if (error instanceof StoreError) throw error;
      fail(error);
    });
  }
  throw lockedError(dataDir, 'keeps changing hands', ADVICE);
}

function heldLock(lockPath: string, text: string): DataDirLock {
  let released: Promise<void> | undefined;
  return {
    release() {
      released ??= (async () => {
        // Only our own: were our lock ever taken over in error, the new holder's stays.
        const current = await readLockFile(lockPath).catch(() => undefined);
        if (current?.state === 'held' && current.text === text) await unlink(lockPath).catch(() => undefined);
      })();
      return released;
    },
  };
}
