/**
 * `nasbook bench build` at smoke scale (12 real Fashion-MNIST cells, 4 of them twice), killed and
 * resumed, and the table it writes: loaded, validated, queried by any member of a cell's class,
 * and searched through the TabularEvaluator without a test accuracy ever reaching the search.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { BenchmarkError } from "../../lib/core/errors";
import { loadBenchmark } from "../../lib/benchmarks/load";
import { summarizeBenchmark } from "../../lib/benchmarks/summary";
import { describeMachine, machineName } from "../../lib/core/machine";
import { validateBenchmarkFile } from "../../lib/benchmarks/table";
import { TabularEvaluator } from "../../lib/evaluators/tabular";
import { partEnd, workList } from "../../lib/experiment/benchmark-build";
import { benchmarkPreset } from "../../lib/experiment/presets/benchmark";
import { allNb201Genotypes, formatNb201, nb201CanonicalKey, uniqueNb201Genotypes, type Nb201Genotype } from "../../lib/spaces/nb201";

const cli = path.join(__dirname, "..", "..", "lib", "cli", "main.js");
const env = { ...process.env, NASBOOK_BACKEND: process.env.NASBOOK_BACKEND || "wasm", NASBOOK_SCALE: "" };
const tempDir = () => fs.mkdtempSync(path.join(os.tmpdir(), "nasbook-bench-"));
const build = (out: string, more: string[] = [], seed = "3") =>
  ["bench", "build", "--space", "nb201", "--dataset", "fashion-mnist", "--scale", "smoke", "--seed", seed, "--out", out, ...more];
const run = (args: string[]) => spawnSync(process.execPath, [cli, ...args], { env, encoding: "utf8" });

function trialLines(out: string): Array<{ id: number; genotype: Nb201Genotype; metrics: Record<string, unknown> }> {
  const file = path.join(out, "run", "trials.jsonl");
  return fs.readFileSync(file, "utf8").split("\n").filter((l) => l.trim() !== "").map((l) => JSON.parse(l));
}

/** One uninterrupted smoke build, shared by the tests below. */
const whole = tempDir();
const wholeRun = run(build(whole));

test("the work list is every unique cell once, in a seeded order, then the first 500 again", () => {
  const list = workList(uniqueNb201Genotypes(), benchmarkPreset("quick"), 0);
  assert.equal(list.length, 6466 + 500);
  const keys = list.map(nb201CanonicalKey);
  assert.equal(new Set(keys.slice(0, 6466)).size, 6466);
  assert.deepEqual(keys.slice(6466), keys.slice(0, 500));
  assert.notDeepEqual(keys.slice(0, 6466), uniqueNb201Genotypes().map(nb201CanonicalKey), "shuffled, so any part is a random sample");
  assert.deepEqual(workList(uniqueNb201Genotypes(), benchmarkPreset("quick"), 0), list, "the same seed, the same list");
  assert.equal(partEnd(6966, { k: 1, n: 6 }), 1161);
  assert.equal(partEnd(6966, { k: 6, n: 6 }), 6966);
  assert.throws(() => partEnd(6966, { k: 7, n: 6 }), /--part must be K\/N/);
});

test("a smoke build trains 16 cells and writes a table that validates and answers for every member of a class", () => {
  assert.equal(wholeRun.status, 0, wholeRun.stderr);
  assert.match(wholeRun.stdout, /Table: .*table\.json \(16 trainings/);
  const table = loadBenchmark<Nb201Genotype>(path.join(whole, "table.json"));
  assert.equal(table.entries.length, 12);
  assert.deepEqual(table.entries.map((e) => e.runs.length).sort(), [1, 1, 1, 1, 1, 1, 1, 1, 2, 2, 2, 2]);
  for (const entry of table.entries) {
    const seeds = entry.runs.map((r) => r.seed);
    assert.equal(new Set(seeds).size, seeds.length, "a repeat trains with another seed");
    for (const r of entry.runs) assert.ok(r.testAccuracy >= 0 && r.testAccuracy <= 1 && r.trainLoss[0] > 0 && r.trainSeconds > 0);
  }
  // Another string of the same class finds the same entry, as a genotype and as a string.
  const classes = table.entries.map((entry) => {
    const key = nb201CanonicalKey(table.space.fromArch(entry.arch));
    return { entry, sibling: allNb201Genotypes().find((g) => nb201CanonicalKey(g) === key && table.space.toArch(g) !== entry.arch) };
  });
  const withSibling = classes.find((c) => c.sibling !== undefined);
  assert.ok(withSibling?.sibling, "some cell of the table has another string");
  assert.equal(table.entry(withSibling.sibling), withSibling.entry);
  assert.equal(table.entry(table.space.toArch(withSibling.sibling)), withSibling.entry);
  const missing = allNb201Genotypes().find((g) => !table.entries.some((e) => nb201CanonicalKey(table.space.fromArch(e.arch)) === nb201CanonicalKey(g)));
  assert.throws(() => table.entry(missing as Nb201Genotype), (e: unknown) => e instanceof BenchmarkError && /has no entry for \|/.test(e.message));
  assert.equal(table.rank(table.best("valid").arch, "valid"), 1);
  const summary = JSON.parse(fs.readFileSync(path.join(whole, "summary.json"), "utf8"));
  assert.deepEqual(summary, summarizeBenchmark(table), "summary.json is what the table says");
  assert.deepEqual([summary.cells, summary.trainings, summary.repeated], [12, 16, 4]);
  assert.ok(summary.valid.min <= summary.valid.median && summary.valid.median <= summary.valid.max);
  assert.equal(summary.best.byValid.arch, table.best("valid").arch);
  // One machine trained it all: its times are the table's, unscaled.
  const machine = machineName(describeMachine());
  assert.deepEqual(JSON.parse(fs.readFileSync(path.join(whole, "run", "machines.json"), "utf8")), [{ fromRecord: 0, machine }]);
  assert.equal(table.file.timing.reference, machine);
  assert.deepEqual(table.file.timing.machines.map((m) => [m.machine, m.trials, m.factor]), [[machine, 16, 1]]);
  const byNumber = (a: number, b: number) => a - b;
  const seconds = trialLines(whole).map((t) => Number((t.metrics.trainSeconds as number).toFixed(3))).sort(byNumber);
  assert.deepEqual(table.entries.flatMap((e) => e.runs.map((r) => r.trainSeconds)).sort(byNumber), seconds);
  assert.equal(summary.machine, machine);
});

test("bench check trains the table's first cells again at a higher fidelity and says whether the ranking holds", () => {
  const result = run(["bench", "check", "--space", "nb201", "--dataset", "fashion-mnist", "--scale", "smoke", "--seed", "3", "--out", whole]);
  assert.equal(result.status, 0, result.stderr);
  const check = JSON.parse(fs.readFileSync(path.join(whole, "check.json"), "utf8"));
  assert.equal(check.entries.length, 6);
  assert.deepEqual(check.entries.map((e: { arch: string }) => e.arch), trialLines(whole).slice(0, 6).map((t) => formatNb201(t.genotype)));
  assert.deepEqual(check.fidelity, { epochs: 2, batchSize: 50 });
  assert.equal(typeof check.validSpearman, "number");
  assert.match(result.stdout, /6 cells trained again .*Spearman with the table/);
  const early = run(["bench", "check", "--space", "nb201", "--dataset", "fashion-mnist", "--scale", "smoke", "--out", tempDir()]);
  assert.equal(early.status, 1);
  assert.match(early.stderr, /holds no run/);
});

test("killed mid-build with SIGKILL and re-run, the build loses and repeats nothing and writes the same table", async () => {
  const killed = tempDir();
  await new Promise<void>((resolve, reject) => {
    const child = spawn(process.execPath, [cli, ...build(killed)], { env, stdio: "ignore" });
    const trials = path.join(killed, "run", "trials.jsonl");
    const poll = setInterval(() => {
      if (fs.existsSync(trials) && fs.readFileSync(trials, "utf8").split("\n").length > 5) child.kill("SIGKILL");
    }, 20);
    child.on("exit", () => {
      clearInterval(poll);
      resolve();
    });
    child.on("error", reject);
  });
  const partial = trialLines(killed).length;
  assert.ok(partial >= 5 && partial < 16, `killed after ${partial} trainings`);
  assert.ok(!fs.existsSync(path.join(killed, "table.json")));
  // A part of the work: the first half only, then the rest.
  const half = run(build(killed, ["--part", "1/2"]));
  assert.equal(half.status, 0, half.stderr);
  assert.equal(trialLines(killed).length, Math.max(partial, 8));
  const rest = run(build(killed));
  assert.equal(rest.status, 0, rest.stderr);
  const lines = trialLines(killed);
  assert.deepEqual(lines.map((t) => t.id), Array.from({ length: 16 }, (_, i) => i));
  const accuracies = (out: string) => trialLines(out).map((t) => t.metrics.validAccuracyHistory);
  assert.deepEqual(accuracies(killed), accuracies(whole), "every training is seeded by its place in the list");
  const strip = (file: string) => JSON.parse(fs.readFileSync(file, "utf8")).entries.map((e: { arch: string; runs: Array<{ validAccuracy: number[]; testAccuracy: number }> }) => [e.arch, e.runs.map((r) => [r.validAccuracy, r.testAccuracy])]);
  assert.deepEqual(strip(path.join(killed, "table.json")), strip(path.join(whole, "table.json")));
  const spans = JSON.parse(fs.readFileSync(path.join(killed, "run", "machines.json"), "utf8"));
  assert.deepEqual(spans, [{ fromRecord: 0, machine: machineName(describeMachine()) }], "three calls on one machine are one span");
  const other = run(build(killed, [], "4"));
  assert.equal(other.status, 1);
  assert.match(other.stderr, /another configuration/);
});

test("the tabular evaluator returns what the table holds, charges its training time, and opens test accuracies once", async () => {
  const table = loadBenchmark<Nb201Genotype>(path.join(whole, "table.json"));
  const twice = table.entries.find((e) => e.runs.length === 2);
  assert.ok(twice);
  const genotype = table.space.fromArch(twice.arch);
  const evaluator = new TabularEvaluator(table);
  const [a, b] = [await evaluator.evaluate(genotype, { seed: 0 }), await evaluator.evaluate(genotype, { seed: 1 })];
  assert.deepEqual(a.validAccuracyHistory, twice.runs[0].validAccuracy);
  assert.deepEqual(b.validAccuracyHistory, twice.runs[1].validAccuracy, "the seed picks the run");
  assert.equal(a.trainSeconds, twice.runs[0].trainSeconds);
  assert.deepEqual(await evaluator.evaluate(genotype, { seed: 0 }), a, "the same seed, the same answer");
  assert.ok(!("testAccuracy" in a) && !JSON.stringify(a).includes("test"), "a search never sees a test accuracy");
  assert.throws(() => new TabularEvaluator(table, { epoch: 2 }), /epoch must be an integer from 1 to 1/);
  const mean = (twice.runs[0].testAccuracy + twice.runs[1].testAccuracy) / 2;
  assert.equal(await evaluator.finalTest(genotype, "final test"), mean);
  await assert.rejects(evaluator.finalTest(genotype, "a second look"), /already opened for "final test"/);
});

test("a tabular search records a cell the table lacks as failed, goes on, and repeats exactly for the same seed", () => {
  const [first, second] = [tempDir(), tempDir()];
  const search = (out: string) => run(["search", "--method", "evolution", "--benchmark", path.join(whole, "table.json"), "--scale", "smoke", "--seed", "2", "--out", out]);
  const result = search(first);
  assert.equal(result.status, 0, result.stderr);
  const trials = fs.readFileSync(path.join(first, "trials.jsonl"), "utf8").trim().split("\n").map((l) => JSON.parse(l));
  assert.equal(trials.length, 8);
  for (const t of trials.filter((t) => t.status === "failed")) assert.match(t.error, /has no entry for/);
  assert.doesNotMatch(fs.readFileSync(path.join(first, "trials.jsonl"), "utf8"), /testAccuracy/);
  assert.equal(search(second).status, 0);
  const strip = (dir: string) => fs.readFileSync(path.join(dir, "trials.jsonl"), "utf8").replace(/"seconds":[0-9.e-]+/g, "");
  assert.equal(strip(second), strip(first));
  const bad = run(["search", "--method", "darts", "--benchmark", "x", "--out", tempDir()]);
  assert.equal(bad.status, 2);
  assert.match(bad.stderr, /--method with --benchmark must be one of random, evolution, nas-rl/);
  const missing = run(["search", "--method", "random", "--benchmark", "no-such-table", "--out", tempDir()]);
  assert.equal(missing.status, 1);
  assert.match(missing.stderr, /No benchmark table at .*no-such-table/);
});

test("a damaged table file is refused with the field that is wrong", () => {
  const file = JSON.parse(fs.readFileSync(path.join(whole, "table.json"), "utf8"));
  file.entries[3].runs[0].validAccuracy[0] = 2;
  assert.throws(() => validateBenchmarkFile(file, "t.json"), /t\.json: entries\[3\]\.runs\[0\]\.validAccuracy\[0\] must be a number in \[0, 1\], got 2/);
  delete file.fidelity;
  assert.throws(() => validateBenchmarkFile(file, "t.json"), /fidelity must be an object/);
});
