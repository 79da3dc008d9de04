/**
 * One writer per run directory, with real processes: a second writer is refused at once (also
 * through the CLI, before any work), a lock left by a killed process is taken over with a
 * message, another host's lock is refused with what to do, and a process may reopen its own run.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { RunStoreError } from "../../lib/core/errors";
import { RunStore } from "../../lib/store/run-store";

const STORE = path.join(__dirname, "..", "..", "lib", "store", "run-store.js");
const cli = path.join(__dirname, "..", "..", "lib", "cli", "main.js");
const config = { method: "random", dataset: "mnist", scale: "smoke" as const, seed: 0 };
const tempDir = () => fs.mkdtempSync(path.join(os.tmpdir(), "nasbook-lock-"));
const opener = (dir: string, hold: boolean) =>
  `const { RunStore } = require(${JSON.stringify(STORE)}); RunStore.open(${JSON.stringify(dir)}, ${JSON.stringify(config)}); console.log("locked"); ${hold ? "setInterval(() => {}, 1000);" : ""}`;

/** A process that opens `dir` to write and keeps it open until killed. */
async function holder(dir: string) {
  const child = spawn(process.execPath, ["-e", opener(dir, true)], { stdio: ["ignore", "pipe", "inherit"] });
  await new Promise<void>((resolve, reject) => {
    child.stdout.on("data", (chunk: Buffer) => chunk.toString().includes("locked") && resolve());
    child.on("exit", (code) => reject(new Error(`holder exited with ${code}`)));
  });
  return child;
}

test("a second writer is refused while the first runs, and takes the lock over once the first is killed with -9", async () => {
  const dir = tempDir();
  const first = await holder(dir);
  try {
    assert.throws(() => RunStore.open(dir, config), (e: unknown) => e instanceof RunStoreError && new RegExp(`being written by process ${first.pid} .*one writer`).test(e.message));
  } finally {
    first.kill("SIGKILL");
    await new Promise((resolve) => first.on("exit", resolve));
  }
  assert.ok(fs.existsSync(path.join(dir, "lock")), "a killed process leaves its lock");
  const second = spawnSync(process.execPath, ["-e", opener(dir, false)], { encoding: "utf8" });
  assert.equal(second.status, 0, second.stderr);
  assert.match(second.stderr, new RegExp(`was locked by process ${first.pid} .*no longer running; taking the lock over`));
  assert.equal(fs.existsSync(path.join(dir, "lock")), false, "a process that exits removes its lock");
});

test("the CLI refuses a second writer before any work, with one paragraph and exit 1", async () => {
  const out = tempDir();
  const first = await holder(path.join(out, "run"));
  try {
    const started = Date.now();
    const second = spawnSync(process.execPath, [cli, "bench", "build", "--space", "nb201", "--dataset", "fashion-mnist", "--scale", "smoke", "--out", out], {
      encoding: "utf8", env: { ...process.env, NASBOOK_BACKEND: "wasm" },
    });
    assert.equal(second.status, 1, second.stdout);
    assert.match(second.stderr, /run is being written by process \d+ .*choose another --out directory/);
    assert.doesNotMatch(second.stderr, /\n\s+at /, "no stack trace");
    assert.equal(fs.existsSync(path.join(out, "run", "trials.jsonl")), false, "nothing was trained");
    assert.ok(Date.now() - started < 60_000);
  } finally {
    first.kill("SIGKILL");
  }
});

test("a process reopens its own run; another host's lock is refused with what to do; a torn lock is taken over", () => {
  const dir = tempDir();
  RunStore.open(dir, config);
  assert.doesNotThrow(() => RunStore.open(dir, config), "the same process opens its run again");
  const other = tempDir();
  fs.writeFileSync(path.join(other, "lock"), JSON.stringify({ pid: 1, host: "elsewhere", startedAt: "2026-01-01T00:00:00Z" }));
  assert.throws(() => RunStore.open(other, config), /locked by process 1 on host elsewhere .*delete .*lock and run again/);
  const torn = tempDir();
  fs.writeFileSync(path.join(torn, "lock"), "");
  const run = spawnSync(process.execPath, ["-e", opener(torn, false)], { encoding: "utf8" });
  assert.equal(run.status, 0, run.stderr);
  assert.match(run.stderr, /locked by a process that stopped while taking it; taking the lock over/);
});
