/**
 * One writer per run directory. Opening a run to write creates `DIR/lock` exclusively, holding the
 * writer's pid, host and start time, whole: written to a temporary file and hard-linked into place
 * (link fails when the lock exists), so no process ever reads a half-written lock and takes it for
 * a torn one. The lock goes when the process exits. A second
 * process that opens the directory meanwhile is refused at once, before any work, instead of
 * both appending every trial id. A lock whose process is gone (killed with -9, the machine
 * restarted) is stale: on the same host that is checked with signal 0 and the lock taken over
 * with a message; another host's lock cannot be checked and is refused with what to do. The same
 * process may open its own run again (a notebook cell run twice).
 * Two processes taking over one stale lock must not remove each other's new lock: the stale
 * file is known by its inode and its text (read and stat through one descriptor; the inode alone
 * is not enough, as the file system hands a removed lock's inode to the next file made), renamed
 * aside (one rename wins), and put back if the file renamed turns out to be a newer lock.
 */
import { randomBytes } from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { RunStoreError } from "../core/errors";

export const LOCK = "lock";

type LockHolder = { pid: number; host: string; startedAt: string };

/** Paths this process holds, removed at exit. */
const held = new Set<string>();

/** Which lock file this is: its inode and its text, read through one descriptor so both are of the same file. */
type LockIdentity = { inode: number; text: string };

function sameLock(a: LockIdentity, b: LockIdentity): boolean {
  return a.inode === b.inode && a.text === b.text;
}

/** The lock's holder and identity; null when there is no lock. */
function readLock(file: string): { holder: LockHolder | null; identity: LockIdentity } | null {
  let fd: number;
  try {
    fd = fs.openSync(file, "r");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return null;
    throw error;
  }
  try {
    const text = fs.readFileSync(fd, "utf8");
    return { holder: parseHolder(text), identity: { inode: fs.fstatSync(fd).ino, text } };
  } finally {
    fs.closeSync(fd);
  }
}

function parseHolder(text: string): LockHolder | null {
  try {
    const value = JSON.parse(text);
    return Number.isInteger(value?.pid) && typeof value?.host === "string" ? (value as LockHolder) : null;
  } catch {
    return null;  // damaged (locks are linked into place whole): nobody can be holding it
  }
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";  // alive, another user's
  }
}

function releaseAtExit(file: string): void {
  if (held.size === 0) {
    process.on("exit", () => {
      for (const lock of held) if (readLock(lock)?.holder?.pid === process.pid) fs.rmSync(lock, { force: true });
    });
  }
  held.add(file);
}

/** Creates `file` holding `text`, all at once; false when it exists already. */
function createWhole(file: string, text: string): boolean {
  // Not a `.part` name: the directory's owner removes those on open, and another process may be between write and link.
  const temporary = `${file}.${process.pid}-${randomBytes(4).toString("hex")}.taking`;
  fs.writeFileSync(temporary, text);
  try {
    fs.linkSync(temporary, file);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
    return false;
  } finally {
    fs.rmSync(temporary, { force: true });
  }
}

/** Removes the lock file `stale`, and no newer one another process has linked into its place meanwhile. */
function removeStale(file: string, stale: LockIdentity): void {
  const aside = `${file}.${process.pid}-${randomBytes(4).toString("hex")}.stale`;
  try {
    fs.renameSync(file, aside);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return;  // another process removed it first
    throw error;
  }
  try {
    const moved = readLock(aside);
    if (moved && !sameLock(moved.identity, stale)) fs.linkSync(aside, file);
  } catch (error) {
    // EEXIST: a third process locked in between; the loop reads whoever holds the lock now.
    if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
  } finally {
    fs.rmSync(aside, { force: true });
  }
}

/** Takes `dir`'s lock for this process, or throws a RunStoreError naming the process that has it. */
export function lockRunDirectory(dir: string): void {
  const file = path.join(dir, LOCK);
  const me: LockHolder = { pid: process.pid, host: os.hostname(), startedAt: new Date().toISOString() };
  // A few tries: processes taking over the same stale lock race on the exclusive create, and all but one lose.
  for (let attempt = 0; attempt < 5; attempt++) {
    if (createWhole(file, `${JSON.stringify(me)}\n`)) {
      releaseAtExit(file);
      return;
    }
    const lock = readLock(file);
    if (lock === null) continue;  // removed since the create failed: try again
    const { holder, identity } = lock;
    if (held.has(file) && holder?.pid === me.pid) return;
    if (holder && holder.host !== me.host) {
      throw new RunStoreError(`${dir} is locked by process ${holder.pid} on host ${holder.host} (since ${holder.startedAt}), which this machine cannot check. If no process writes it any more, delete ${file} and run again.`);
    }
    // A lock with this pid that this process did not take is an earlier process's whose pid came round again.
    if (holder && holder.pid !== me.pid && isRunning(holder.pid)) {
      throw new RunStoreError(`${dir} is being written by process ${holder.pid} (since ${holder.startedAt}); one run directory has one writer. Wait for it to finish, or choose another --out directory.`);
    }
    const who = holder ? `process ${holder.pid} (since ${holder.startedAt}), which is no longer running` : "a process that stopped while taking it";
    process.stderr.write(`nasbook: ${dir} was locked by ${who}; taking the lock over.\n`);
    removeStale(file, identity);
  }
  throw new RunStoreError(`${dir}: could not take its lock (${file}); another process keeps taking it. Run again.`);
}
