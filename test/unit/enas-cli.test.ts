import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";

const cli = path.join(__dirname, "..", "..", "lib", "cli", "main.js");
const env = { ...process.env, NASBOOK_BACKEND: process.env.NASBOOK_BACKEND || "wasm", NASBOOK_SCALE: "" };
const tempDir = () => fs.mkdtempSync(path.join(os.tmpdir(), "nasbook-enas-"));
const args = (method: string, out: string) => ["search", "--method", method, "--dataset", "fashion-mnist", "--scale", "smoke", "--seed", "1", "--out", out];

const epochsDone = (dir: string) => {
  const file = path.join(dir, "checkpoint.json");
  return fs.existsSync(file) ? (JSON.parse(fs.readFileSync(file, "utf8")).epochsDone as number) : 0;
};

/**
 * Kills the search as soon as checkpoint.json appears, which is after the first epoch (it is
 * written atomically, by rename, so it is whole when it appears). A watch on the directory
 * reacts without the delay of a timed poll; the next epoch is many times longer than the gap.
 */
function killAfterFirstEpoch(method: string, out: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [cli, ...args(method, out)], { env, stdio: "ignore" });
    const kill = () => {
      if (fs.existsSync(path.join(out, "checkpoint.json"))) child.kill("SIGKILL");
    };
    const watcher = fs.watch(out, kill);
    child.on("exit", () => {
      watcher.close();
      resolve();
    });
    child.on("error", reject);
  });
}

const outcome = (dir: string) => {
  const { history } = JSON.parse(fs.readFileSync(path.join(dir, "enas.json"), "utf8"));
  const trial = JSON.parse(fs.readFileSync(path.join(dir, "trials.jsonl"), "utf8").trim());
  return { genotype: trial.genotype, history: history.map(({ seconds: _, ...rest }: { seconds: number }) => rest), validAccuracy: trial.metrics.validAccuracy };
};

for (const method of ["enas", "enas-macro"]) {
  test(`${method}: a smoke search killed after its first epoch resumes from its checkpoint and ends as an uninterrupted one`, async () => {
    const whole = tempDir();
    const first = spawnSync(process.execPath, [cli, ...args(method, whole)], { env, encoding: "utf8" });
    assert.equal(first.status, 0, first.stderr);
    const killed = tempDir();
    await killAfterFirstEpoch(method, killed);
    assert.equal(epochsDone(killed), 1, "killed between the epochs");
    assert.ok(!fs.existsSync(path.join(killed, "trials.jsonl")) || fs.readFileSync(path.join(killed, "trials.jsonl"), "utf8").trim() === "");
    const resumed = spawnSync(process.execPath, [cli, ...args(method, killed)], { env, encoding: "utf8" });
    assert.equal(resumed.status, 0, resumed.stderr);
    assert.deepEqual(outcome(killed), outcome(whole));
  });
}
