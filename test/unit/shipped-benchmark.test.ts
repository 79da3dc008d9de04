/**
 * The table nasbook ships (data/benchmarks/nb201-fashion-mnist): complete, every number in range,
 * its README's figures the file's own, and searches against it that finish in seconds, repeat
 * per seed, and are the CLI's runs.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { loadBenchmark, benchmarksDir } from "../../lib/benchmarks/load";
import { summarizeBenchmark } from "../../lib/benchmarks/summary";
import { compareOnBenchmark } from "../../lib/experiment/tabular-comparison";
import { allNb201Genotypes, nb201CanonicalKey, uniqueNb201Genotypes, type Nb201Genotype } from "../../lib/spaces/nb201";
import { bestSoFar, bestSoFarAtTimes, meanWithBand } from "../../lib/viz";

const NAME = "nb201-fashion-mnist";
const DIR = path.join(benchmarksDir(), NAME);
const table = loadBenchmark<Nb201Genotype>(NAME);
const cli = path.join(__dirname, "..", "..", "lib", "cli", "main.js");

test("every one of the 15,625 architecture strings finds its cell's entry, and every cell has one", () => {
  assert.equal(table.entries.length, uniqueNb201Genotypes().length);
  const keys = new Set(table.entries.map((e) => nb201CanonicalKey(table.space.fromArch(e.arch))));
  assert.equal(keys.size, 6466);
  for (const genotype of allNb201Genotypes()) assert.ok(keys.has(nb201CanonicalKey(genotype)));
  assert.equal(table.entries.reduce((n, e) => n + e.runs.length, 0), 6466 + 500, "500 cells trained twice");
});

test("every metric is in range: accuracies in [0, 1] and above chance for most cells, losses and times positive", () => {
  let aboveChance = 0;
  for (const entry of table.entries) {
    assert.ok(entry.params > 0 && entry.flops >= 0 && entry.latencyMs > 0, entry.arch);
    for (const run of entry.runs) {
      assert.equal(run.validAccuracy.length, table.epochs);
      assert.ok(run.trainSeconds > 0 && run.trainLoss.every((l) => l > 0), entry.arch);
      assert.ok(run.testAccuracy >= 0 && run.testAccuracy <= 1);
    }
    if (table.accuracy(entry, "valid") > 0.2) aboveChance++;
  }
  // Cells whose output does not depend on the input (every path cut by `none`) stay at chance (10 classes).
  assert.ok(aboveChance > 0.8 * table.entries.length, `${aboveChance} of ${table.entries.length} cells above chance`);
});

test("summary.json is what the table says, and the README quotes it", () => {
  const summary = JSON.parse(fs.readFileSync(path.join(DIR, "summary.json"), "utf8"));
  assert.deepEqual(summary, summarizeBenchmark(table));
  const readme = fs.readFileSync(path.join(DIR, "README.md"), "utf8");
  for (const value of [summary.seedSpearman, summary.seedNoise, summary.spreadAcrossCells, summary.valid.median, summary.best.byValid.valid, summary.trainHours]) {
    assert.ok(readme.includes(String(value)), `README quotes ${value}`);
  }
  assert.ok(readme.includes(summary.best.byValid.arch), "README names the best cell");
  const check = JSON.parse(fs.readFileSync(path.join(DIR, "check.json"), "utf8"));
  for (const value of [check.validSpearman, check.testSpearman]) assert.ok(readme.includes(value.toFixed(3)), `README quotes bench check's ${value}`);
});

test("many seeds of random search and evolution finish in seconds, repeat per seed, and propose what the CLI does", async () => {
  const started = performance.now();
  const request = { benchmark: NAME, methods: ["random", "evolution"] as const, seeds: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10], scale: "quick" as const };
  const comparison = await compareOnBenchmark(request);
  assert.ok((performance.now() - started) / 1000 < 60, "20 runs of 150 trials in under a minute");
  assert.equal(comparison.runs.length, 20);
  for (const run of comparison.runs) {
    assert.equal(run.trials.length, 150);
    assert.ok(run.trials.every((t) => t.status === "ok"), "every cell is in the table");
    const best = Math.max(...run.trials.map((t) => t.metrics?.validAccuracy ?? 0));
    assert.equal(run.best?.validAccuracy, best);
    assert.ok(run.best, "every run has a best cell");
    assert.equal(run.best.testAccuracy, table.accuracy(table.entry(run.best.arch), "test"), "the test accuracy is the table's");
  }
  // A trial's `seconds` is the wall time of its lookup: everything else repeats.
  const looked = (runs: typeof comparison.runs) => runs.map((r) => r.trials.map((t) => [t.genotype, t.status, t.metrics]));
  const again = await compareOnBenchmark({ ...request, seeds: [3] });
  assert.deepEqual(looked(again.runs), looked(comparison.runs.filter((r) => r.seed === 3)));
  const out = fs.mkdtempSync(path.join(os.tmpdir(), "nasbook-shipped-"));
  const cliRun = spawnSync(process.execPath, [cli, "search", "--method", "evolution", "--benchmark", NAME, "--scale", "quick", "--seed", "3", "--out", out], { encoding: "utf8" });
  assert.equal(cliRun.status, 0, cliRun.stderr);
  const lines = fs.readFileSync(path.join(out, "trials.jsonl"), "utf8").trim().split("\n").map((l) => JSON.parse(l));
  const inMemory = comparison.runs.find((r) => r.method === "evolution" && r.seed === 3);
  assert.deepEqual(lines.map((t) => [t.genotype, t.metrics]), inMemory?.trials.map((t) => [t.genotype, t.metrics]));
  // On the time axis, each trial's cumulative time reads the best so far after it.
  const trials = inMemory?.trials ?? [];
  const times = trials.map((_, i) => trials.slice(0, i + 1).reduce((s, t) => s + (t.metrics?.trainSeconds ?? 0), 0));
  assert.deepEqual(bestSoFarAtTimes(trials, times), bestSoFar(trials));
  assert.ok(Number.isNaN(bestSoFarAtTimes(trials, [times[0] / 2])[0]), "nothing is known before the first training ends");
  // Two seeds 0.2 apart: their sample standard deviation is 0.2 / sqrt(2).
  const traces = meanWithBand("evolution", [[0.5, 0.7], [0.7, 0.9]], { band: "std", x: [10, 20] });
  const d = 0.2 * Math.SQRT1_2;
  const expected = [[0.6 + d, 0.8 + d], [0.6 - d, 0.8 - d], [0.6, 0.8]];
  traces.forEach((trace, i) => (trace.y as number[]).forEach((y, j) => assert.ok(Math.abs(y - expected[i][j]) < 1e-12, `trace ${i} point ${j}: ${y}`)));
  assert.deepEqual(traces[2].x, [10, 20]);
});
