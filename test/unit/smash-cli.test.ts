import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { killWhen } from "./run-fixtures";

const cli = path.join(__dirname, "..", "..", "lib", "cli", "main.js");
const env = { ...process.env, NASBOOK_BACKEND: process.env.NASBOOK_BACKEND || "wasm", NASBOOK_SCALE: "" };
const args = (method: string, out: string) => ["search", "--method", method, "--dataset", "fashion-mnist", "--scale", "smoke", "--seed", "1", "--out", out];
const readJson = (dir: string, file: string) => JSON.parse(fs.readFileSync(path.join(dir, file), "utf8"));
const trials = (dir: string) =>
  fs
    .readFileSync(path.join(dir, "trials.jsonl"), "utf8")
    .split("\n")
    .filter((l) => l.trim() !== "")
    .map((l) => JSON.parse(l));

/** A whole smoke search, then one killed when its first HyperNet checkpoint appears and resumed: the same scores, trials and pick. */
async function completesAndResumes(method: string, scoredCount: number, epochs: number): Promise<void> {
  const whole = fs.mkdtempSync(path.join(os.tmpdir(), `nasbook-${method}-`));
  const full = spawnSync(process.execPath, [cli, ...args(method, whole)], { env, encoding: "utf8" });
  assert.equal(full.status, 0, full.stderr);
  const summary = readJson(whole, "summary.json");
  assert.equal(typeof summary.best.testAccuracy, "number");
  const expected = trials(whole);
  assert.equal(expected.length, 2);
  const scores = readJson(whole, "smash-scores.json");
  assert.equal(scores.scored.length, scoredCount);
  assert.equal(scores.history.length, epochs);
  // Trial 0 is the best-scored cell.
  const best = scores.scored.reduce((a: { score: number }, b: { score: number }) => (b.score < a.score ? b : a));
  assert.deepEqual(expected[0].genotype, best.genotype);

  const killed = fs.mkdtempSync(path.join(os.tmpdir(), `nasbook-${method}-`));
  await killWhen(cli, args(method, killed), env, () => fs.existsSync(path.join(killed, "hypernet-checkpoint.json")));
  assert.ok(!fs.existsSync(path.join(killed, "smash-scores.json")), "killed after the search finished: nothing was resumed");
  const epochsAtKill = readJson(killed, "hypernet-checkpoint.json").history.length;
  assert.ok(epochsAtKill >= 1 && epochsAtKill < epochs, `killed after ${epochsAtKill} epochs`);
  const resumed = spawnSync(process.execPath, [cli, ...args(method, killed)], { env, encoding: "utf8" });
  assert.equal(resumed.status, 0, resumed.stderr);
  const after = readJson(killed, "smash-scores.json");
  assert.deepEqual(after.history.map((e: { loss: number }) => e.loss), scores.history.map((e: { loss: number }) => e.loss));
  assert.deepEqual(after.scored, scores.scored);
  assert.deepEqual(trials(killed).map((t) => [t.id, t.genotype, t.metrics.validAccuracy]), expected.map((t) => [t.id, t.genotype, t.metrics.validAccuracy]));
  assert.deepEqual(readJson(killed, "summary.json").best, summary.best);
}

test("smash: a smoke search completes; killed during HyperNet training it resumes from the checkpoint, repeating and losing nothing", () => completesAndResumes("smash", 12, 4));

test("smash-banks: the same on SMASH's memory-bank space", () => completesAndResumes("smash-banks", 8, 3));
