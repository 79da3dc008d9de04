import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { killWhen, trialsWithoutTimings } from "./run-fixtures";

const cli = path.join(__dirname, "..", "..", "lib", "cli", "main.js");
const env = { ...process.env, NASBOOK_BACKEND: process.env.NASBOOK_BACKEND || "wasm", NASBOOK_SCALE: "" };
const tempDir = () => fs.mkdtempSync(path.join(os.tmpdir(), "nasbook-nao-"));
const args = (out: string) => ["search", "--method", "nao", "--dataset", "fashion-mnist", "--scale", "smoke", "--seed", "1", "--out", out];
const readJson = (dir: string, file: string) => JSON.parse(fs.readFileSync(path.join(dir, file), "utf8"));
const storedTrials = (dir: string) => {
  const file = path.join(dir, "trials.jsonl");
  return fs.existsSync(file) ? fs.readFileSync(file, "utf8").split("\n").filter((l) => l.trim() !== "").length : 0;
};

test("nao: a smoke search completes; killed after its first model round it resumes by replay and ends as an uninterrupted run", async () => {
  const whole = tempDir();
  const full = spawnSync(process.execPath, [cli, ...args(whole)], { env, encoding: "utf8" });
  assert.equal(full.status, 0, full.stderr);
  for (const file of ["config.json", "trials.jsonl", "summary.json", "report.html", "nao-rounds.json"]) assert.ok(fs.existsSync(path.join(whole, file)), file);
  assert.equal(typeof readJson(whole, "summary.json").best.testAccuracy, "number");
  // Smoke: 4 random cells, then 2 model rounds of 2, every cell new.
  const expected = trialsWithoutTimings(whole) as Array<{ genotype: { edges: string[] } }>;
  assert.equal(expected.length, 8);
  assert.equal(new Set(expected.map((t) => t.genotype.edges.join())).size, 8);
  const rounds = readJson(whole, "nao-rounds.json").rounds;
  assert.deepEqual(rounds.map((r: { trainedOn: number }) => r.trainedOn), [4, 6]);

  // Trials 4 and 5 came from the first model round: the resumed run must retrain the model to propose them again, then go on.
  const killed = tempDir();
  await killWhen(cli, args(killed), env, () => storedTrials(killed) >= 6);
  const atKill = storedTrials(killed);
  assert.ok(atKill >= 6 && atKill < 8, `killed after ${atKill} trials`);
  assert.ok(!fs.existsSync(path.join(killed, "summary.json")), "killed after the search finished: nothing was resumed");
  const resumed = spawnSync(process.execPath, [cli, ...args(killed)], { env, encoding: "utf8" });
  assert.equal(resumed.status, 0, resumed.stderr);
  assert.deepEqual(trialsWithoutTimings(killed), expected);
  assert.deepEqual(readJson(killed, "nao-rounds.json"), readJson(whole, "nao-rounds.json"));
  assert.deepEqual(readJson(killed, "summary.json").best, readJson(whole, "summary.json").best);
});

test("nao --benchmark: a search against the table looks every cell up, proposes only new cells and repeats exactly for the same seed", () => {
  const search = (out: string) =>
    spawnSync(process.execPath, [cli, "search", "--method", "nao", "--benchmark", "nb201-fashion-mnist", "--scale", "smoke", "--seed", "1", "--out", out], { env, encoding: "utf8" });
  const [first, second] = [tempDir(), tempDir()];
  const result = search(first);
  assert.equal(result.status, 0, result.stderr);
  const summary = readJson(first, "summary.json");
  assert.equal(summary.benchmark, "nb201-fashion-mnist");
  assert.match(summary.accuracies, /looked up/);
  assert.equal(readJson(first, "config.json").search.perRound, 2);
  const trials = trialsWithoutTimings(first) as Array<{ status: string; genotype: { edges: string[] } }>;
  assert.equal(trials.length, 8);
  assert.ok(trials.every((t) => t.status === "ok"));
  assert.equal(new Set(trials.map((t) => t.genotype.edges.join())).size, 8);
  assert.equal(search(second).status, 0);
  assert.deepEqual(trialsWithoutTimings(second), trials);
});
