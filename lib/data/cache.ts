/**
 * Where downloaded datasets live, and how files get there: always written under a temporary
 * name in the same directory and renamed into place, so a reader only ever sees a missing file
 * or a complete one, never a half-written one (rename is atomic within a file system).
 */
import { existsSync } from "node:fs";
import { mkdir, rename, rm, writeFile } from "node:fs/promises";
import { randomBytes } from "node:crypto";
import { dirname, join, resolve } from "node:path";

/** The nearest folder above this file that holds a package.json: the nasbook checkout. */
function packageRoot(): string {
  for (let dir = __dirname; ; dir = dirname(dir)) {
    if (existsSync(join(dir, "package.json"))) return dir;
    if (dirname(dir) === dir) return process.cwd();
  }
}

/** `dataDir` when given, else `$NASBOOK_DATA`, else `data/` at the repository root. */
export function resolveDataDir(dataDir?: string, env: NodeJS.ProcessEnv = process.env): string {
  if (dataDir) return resolve(dataDir);
  if (env.NASBOOK_DATA) return resolve(env.NASBOOK_DATA);
  return join(packageRoot(), "data");
}

/** A unique sibling name for writing `file` before renaming it into place. */
export function temporaryPath(file: string): string {
  return `${file}.${process.pid}-${randomBytes(4).toString("hex")}.part`;
}

/** Writes `data` to `file` atomically, creating the folder; on failure nothing is left behind. */
export async function writeFileAtomic(file: string, data: Uint8Array): Promise<void> {
  await mkdir(dirname(file), { recursive: true });
  const temporary = temporaryPath(file);
  try {
    await writeFile(temporary, data);
    await rename(temporary, file);
  } catch (error) {
    await rm(temporary, { force: true });
    throw error;
  }
}
