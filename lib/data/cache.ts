/**
 * Where downloaded datasets live. Files get there through `core/atomic-files`: written under a
 * temporary name and renamed into place, so a reader sees a missing file or a complete one.
 */
import { existsSync } from "node:fs";
import { dirname, join, resolve } from "node:path";

/** The nearest folder above this file that holds a package.json: the nasbook checkout. */
export function packageRoot(): string {
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
