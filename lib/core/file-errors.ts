/**
 * Node's filesystem errors (EACCES, ENOTDIR, ENOSPC...) as one paragraph a user can act on:
 * which path, what went wrong in words, and what to do. Anything that is not such an error is
 * passed on untouched (it is a bug, and keeps its stack).
 */
import { FileSystemError } from "./errors";

const ADVICE: Record<string, string> = {
  EACCES: "permission denied: choose a directory you can write, or change its permissions",
  EPERM: "the operation is not permitted there: choose another directory",
  EROFS: "the filesystem is read-only: choose a directory on a writable disk",
  ENOTDIR: "a file is in the way: that path, or a folder above it, is a file, not a directory; choose another path",
  EISDIR: "it is a directory, where a file was expected",
  EEXIST: "a file is in the way: something already exists there that is not the expected directory; choose another path",
  ENOSPC: "the disk is full: free some space and run the same command again (what was finished is kept, and the run resumes)",
  EDQUOT: "the disk quota is used up: free some space and run the same command again (what was finished is kept)",
  ENOENT: "it does not exist, or a folder on the way is missing",
  ENAMETOOLONG: "the path is too long",
  ELOOP: "the path goes round a loop of symbolic links",
};

type ErrnoLike = { code: string; path?: string; syscall?: string };

function isErrno(error: unknown): error is ErrnoLike {
  return error instanceof Error && typeof (error as Partial<ErrnoLike>).code === "string" && (error as Partial<ErrnoLike>).code! in ADVICE;
}

/** A FileSystemError for `error` if it is a filesystem error; otherwise `error` itself. `action` says what nasbook was doing. */
export function fileError(error: unknown, action: string): unknown {
  if (!isErrno(error)) return error;
  const where = error.path ? ` ${error.path}` : "";
  return new FileSystemError(`Could not ${action} (${error.code}${where}): ${ADVICE[error.code]}.`);
}

/** Runs `work`; a filesystem error it throws becomes a FileSystemError saying what was being done. */
export function withFileErrors<T>(action: string, work: () => T): T {
  try {
    return work();
  } catch (error) {
    throw fileError(error, action);
  }
}
