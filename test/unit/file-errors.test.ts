/**
 * Filesystem errors as a user meets them: `--out` on a file, under a file, in /sys or /proc, and
 * a disk that fills mid-run (trials.jsonl pointed at /dev/full, which answers every write with
 * ENOSPC). Each is one paragraph naming the path and what to do, exit 1, no stack trace, and what
 * was stored before stays.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { ensureDirectory } from "../../lib/core/atomic-files";
import { FileSystemError } from "../../lib/core/errors";
import { RunStore } from "../../lib/store/run-store";

const cli = path.join(__dirname, "..", "..", "lib", "cli", "main.js");
const tempDir = () => fs.mkdtempSync(path.join(os.tmpdir(), "nasbook-files-"));
const config = { method: "random", dataset: "mnist", scale: "smoke" as const, seed: 0 };

function searchInto(out: string) {
  // --benchmark with a missing table would fail later; the run directory is opened first, so a bad --out is what is reported.
  return spawnSync(process.execPath, [cli, "search", "--method", "random", "--dataset", "mnist", "--scale", "smoke", "--out", out], {
    encoding: "utf8", timeout: 60_000, env: { ...process.env, NASBOOK_BACKEND: "wasm" },
  });
}

test("--out on a file, under a file, in /sys and in /proc: one paragraph each, exit 1, no stack, no hang", () => {
  const dir = tempDir();
  const file = path.join(dir, "a-file");
  fs.writeFileSync(file, "not a directory");
  const cases: Array<[string, RegExp]> = [
    [file, /a file is in the way/],
    [path.join(file, "run"), /ENOTDIR .*a file is in the way/],
    ["/sys/nasbook-run", /Could not open the run directory \/sys\/nasbook-run \((EPERM|EACCES|EROFS)/],
    // Node's own recursive mkdir never returns here.
    ["/proc/self/nasbook-run", /Could not open the run directory \/proc\/self\/nasbook-run \(ENOENT/],
  ];
  for (const [out, message] of cases) {
    const run = searchInto(out);
    assert.equal(run.error, undefined, `${out}: ${run.error}`);
    assert.equal(run.status, 1, `${out}: ${run.stderr}`);
    assert.match(run.stderr, message, out);
    assert.doesNotMatch(run.stderr, /\n\s+at /, `${out}: no stack trace`);
  }
  assert.equal(fs.readFileSync(file, "utf8"), "not a directory", "the file in the way is untouched");
});

test("a disk that fills mid-run: the append is a FileSystemError saying what to do, and the trials before it stay", () => {
  const dir = tempDir();
  const store = RunStore.open(dir, config);
  const record = (id: number) => ({ id, genotype: null, status: "failed" as const, seconds: 0, error: "x" });
  store.append(record(0));
  const trials = path.join(dir, "trials.jsonl");
  const kept = fs.readFileSync(trials, "utf8");
  fs.renameSync(trials, path.join(dir, "trials-kept.jsonl"));
  fs.symlinkSync("/dev/full", trials);
  assert.throws(() => store.append(record(1)), (e: unknown) => e instanceof FileSystemError && /append trial 1 .*ENOSPC.*disk is full.*run the same command again/.test(e.message));
  fs.rmSync(trials);
  fs.renameSync(path.join(dir, "trials-kept.jsonl"), trials);
  assert.equal(fs.readFileSync(trials, "utf8"), kept);
});

test("ensureDirectory makes every missing level, accepts an existing folder and refuses a file on the way", () => {
  const dir = tempDir();
  ensureDirectory(path.join(dir, "a", "b", "c"));
  assert.ok(fs.statSync(path.join(dir, "a", "b", "c")).isDirectory());
  ensureDirectory(path.join(dir, "a"));
  fs.writeFileSync(path.join(dir, "f"), "");
  assert.throws(() => ensureDirectory(path.join(dir, "f", "g")), /ENOTDIR/);
});
