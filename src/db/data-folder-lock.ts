// One process per embedded data folder. Two PGlite instances on the same files corrupt them or lose each
// other's changes without a word, so the process that opens a folder holds `clearway.lock` in it: who it is
// (pid, command, since, host) and where it serves the database to other commands (a unix socket). The lock
// file is made with an exclusive create; a lock left by a process that died (SIGKILL, power cut) is taken
// over, under a second exclusive file so that two processes never take over the same stale lock.
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export const LOCK_FILE = 'clearway.lock';
const SOCKET_FILE = 'clearway.sock';
/** A takeover file older than this was left by a process that died while taking over: removed. */
const TAKEOVER_STALE_MS = 10_000;

export interface DataFolderHolder {
  pid: number;
  /** The command line that opened the folder, e.g. `clearway serve --port 8080`. */
  command: string;
  /** ISO time the folder was opened. */
  since: string;
  host: string;
  /** The process's start time in clock ticks since boot (Linux), so a reused pid is not taken for the holder. */
  processStart: string | null;
  /** Unix socket on which the holder serves the database to other commands. */
  socket: string;
}

/** The folder is held by another live process (or one on another host, which cannot be checked). */
export class DataFolderInUse extends Error {
  constructor(readonly dataDir: string, readonly holder: DataFolderHolder) {
    super(
      `The data folder ${dataDir} is in use by process ${holder.pid} (\`${holder.command}\`, since ${holder.since}` +
        `${holder.host === os.hostname() ? '' : ` on host ${holder.host}`}): one process per data folder. ` +
        'Stop that process first, or run this command while it serves (commands other than start and serve go through it).',
    );
    this.name = 'DataFolderInUse';
  }
}

export interface DataFolderLock {
  readonly holder: DataFolderHolder;
  /** Removes the lock file if it is still ours. */
  release(): void;
}

/** Start time of a process in clock ticks since boot (field 22 of /proc/PID/stat); null where there is no /proc. */
function processStartOf(pid: number): string | null {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) is in parentheses and may hold spaces: count fields after the last ')'.
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19] ?? null;
  } catch {
    return null;
  }
}

function isAlive(holder: DataFolderHolder): boolean {
  // On another host the pid means nothing here: treat the lock as held (the message names the host).
  if (holder.host !== os.hostname()) return true;
  try {
    process.kill(holder.pid, 0);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  // The pid is in use: by the holder, unless the holder died and the pid was given to a new process.
  const start = processStartOf(holder.pid);
  return start === null || holder.processStart === null || start === holder.processStart;
}

/**
 * The socket path: in the data folder when it fits the 107-byte limit of unix socket paths, else in the
 * temporary folder under a name derived from the data folder's path.
 */
export function socketPathFor(dataDir: string): string {
  if (process.platform === 'win32') return `\\\\.\\pipe\\clearway-${crypto.createHash('sha256').update(path.resolve(dataDir)).digest('hex').slice(0, 16)}`;
  const inside = path.join(path.resolve(dataDir), SOCKET_FILE);
  if (Buffer.byteLength(inside) < 100) return inside;
  return path.join(os.tmpdir(), `clearway-${crypto.createHash('sha256').update(path.resolve(dataDir)).digest('hex').slice(0, 16)}.sock`);
}

/** The holder named in the folder's lock file, if there is a readable one. */
export function readHolder(dataDir: string): DataFolderHolder | null {
  try {
    return JSON.parse(fs.readFileSync(path.join(dataDir, LOCK_FILE), 'utf8')) as DataFolderHolder;
  } catch {
    return null;
  }
}

/** The live process holding the folder, or null when it is free (no lock, or a dead holder's lock). */
export function liveHolder(dataDir: string): DataFolderHolder | null {
  const holder = readHolder(dataDir);
  return holder && isAlive(holder) ? holder : null;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Takes the folder for this process, or throws DataFolderInUse naming the live holder. */
export async function lockDataFolder(dataDir: string, command: string): Promise<DataFolderLock> {
  const dir = path.resolve(dataDir);
  fs.mkdirSync(dir, { recursive: true });
  const lockPath = path.join(dir, LOCK_FILE);
  const holder: DataFolderHolder = {
    pid: process.pid,
    command,
    since: new Date().toISOString(),
    host: os.hostname(),
    processStart: processStartOf(process.pid),
    socket: socketPathFor(dir),
  };
  const text = `${JSON.stringify(holder, null, 2)}\n`;
  for (let attempt = 0; attempt < 50; attempt++) {
    try {
      // Written to a private file first and linked into place: the lock never exists half-written.
      const temporary = `${lockPath}.${process.pid}.${crypto.randomBytes(4).toString('hex')}`;
      fs.writeFileSync(temporary, text, { mode: 0o600 });
      try {
        fs.linkSync(temporary, lockPath);
      } finally {
        fs.rmSync(temporary, { force: true });
      }
      return {
        holder,
        release() {
          if (readHolder(dir)?.pid === process.pid) fs.rmSync(lockPath, { force: true });
        },
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    const current = readHolder(dir);
    if (current && isAlive(current)) throw new DataFolderInUse(dir, current);
    await takeOverStaleLock(dir, lockPath, current);
  }
  throw new Error(`Could not take the lock of the data folder ${dir}: other processes kept taking it`);
}

/** Removes a dead holder's lock, once, even when several processes find it stale at the same moment. */
async function takeOverStaleLock(dir: string, lockPath: string, stale: DataFolderHolder | null): Promise<void> {
  const takeover = `${lockPath}.takeover`;
  try {
    fs.writeFileSync(takeover, String(process.pid), { flag: 'wx' });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    const age = Date.now() - (fs.statSync(takeover, { throwIfNoEntry: false })?.mtimeMs ?? Date.now());
    if (age > TAKEOVER_STALE_MS) fs.rmSync(takeover, { force: true });
    await sleep(100);
    return;
  }
  try {
    // Still the same stale lock? Another process may have taken over and locked since we read it.
    const now = readHolder(dir);
    if (JSON.stringify(now) === JSON.stringify(stale)) {
      fs.rmSync(lockPath, { force: true });
      if (stale?.socket && !stale.socket.startsWith('\\\\')) fs.rmSync(stale.socket, { force: true });
    }
  } finally {
    fs.rmSync(takeover, { force: true });
  }
}
