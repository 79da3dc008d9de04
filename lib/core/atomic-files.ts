/** Files that are either wholly there or not at all: write a temporary sibling, fsync, rename. */
import { randomBytes } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";

/** A unique sibling name for writing `file` before renaming it into place (worker threads share a pid). */
export function temporaryPath(file: string): string {
  return `${file}.${process.pid}-${randomBytes(4).toString("hex")}.part`;
}

/**
 * `mkdir -p`, one level at a time: Node's recursive mkdir never returns where mkdir answers ENOENT
 * under a folder that exists (`/proc/self/x`); here that ENOENT is thrown.
 */
export function ensureDirectory(dir: string): void {
  const missing: string[] = [];
  for (let d = path.resolve(dir); !fs.existsSync(d) && path.dirname(d) !== d; d = path.dirname(d)) missing.push(d);
  for (const d of missing.reverse()) {
    try {
      fs.mkdirSync(d);
    } catch (error) {
      // Another process may have made it meanwhile.
      if ((error as NodeJS.ErrnoException).code !== "EEXIST" || !fs.statSync(d).isDirectory()) throw error;
    }
  }
}

/** Writes `data` to `file`, creating its folder; on failure nothing is left behind. */
export function writeFileAtomic(file: string, data: string | Uint8Array): void {
  ensureDirectory(path.dirname(file));
  const temporary = temporaryPath(file);
  try {
    const fd = fs.openSync(temporary, "w");
    try {
      fs.writeFileSync(fd, data);
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
    fs.renameSync(temporary, file);
  } catch (error) {
    fs.rmSync(temporary, { force: true });
    throw error;
  }
}

/** Appends one line and fsyncs, so a finished trial survives a kill or a power cut. */
export function appendLineDurable(file: string, line: string): void {
  const fd = fs.openSync(file, "a");
  try {
    fs.writeSync(fd, line.endsWith("\n") ? line : `${line}\n`);
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}
