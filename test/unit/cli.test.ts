import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";

const cli = path.join(__dirname, "..", "..", "lib", "cli", "main.js");
const env = { ...process.env, NASBOOK_BACKEND: process.env.NASBOOK_BACKEND || "wasm", NASBOOK_SCALE: "" };
const tempDir = () => fs.mkdtempSync(path.join(os.tmpdir(), "nasbook-cli-"));
const run = (args: string[], extraEnv: Record<string, string> = {}) =>
  spawnSync(process.execPath, [cli, ...args], { env: { ...env, ...extraEnv }, encoding: "utf8" });
const search = (out: string, ...more: string[]) =>
  ["search", "--method", "random", "--dataset", "fashion-mnist", "--scale", "smoke", "--seed", "1", "--out", out, ...more];

function assertNoStack(text: string) {
  assert.doesNotMatch(text, /\n\s+at .+:\d+:\d+/, `expected no stack trace in:\n${text}`);
}

test("bad flags and values get a usage message, not a stack trace", () => {
  const cases: Array<[string[], RegExp]> = [
    [["search", "--method", "magic", "--dataset", "mnist", "--out", "x"], /--method must be one of random, evolution/],
    [["search", "--method", "random", "--dataset", "imagenet", "--out", "x"], /--dataset must be one of mnist, fashion-mnist, cifar10/],
    [["search", "--method", "random", "--dataset", "mnist", "--scale", "huge", "--out", "x"], /--scale must be one of smoke, quick, paper/],
    [["search", "--method", "random", "--dataset", "mnist", "--seed", "-3", "--out", "x"], /--seed must be a non-negative integer; got "-3"/],
    [["search", "--method", "random", "--seed", "1", "--dataset", "mnist", "--seed", "2", "--out", "x"], /--seed was given 2 times \("1", "2"\); give it once/],
    [["search", "--method", "random", "--dataset", "mnist", "--bogus", "--out", "x"], /bogus/],
    [["search", "--method", "random", "--dataset", "mnist"], /--out is required/],
    [["frobnicate"], /Unknown command "frobnicate"/],
  ];
  for (const args of [["search", "--help"], ["bench", "build", "-h"], ["search", "--method", "random", "--help"]]) {
    const help = run(args);
    assert.equal(help.status, 0, `${args.join(" ")}: ${help.stderr}`);
    assert.match(help.stdout, /Usage:/);
  }
  for (const [args, message] of cases) {
    const result = run(args);
    assert.equal(result.status, 2, `${args.join(" ")} should exit 2`);
    assert.match(result.stderr, message);
    assert.match(result.stderr, /Usage:/);
    assertNoStack(result.stderr);
  }
});

test("a missing dataset is one paragraph naming the file and the way to get it; results stay intact", () => {
  const out = tempDir();
  fs.writeFileSync(path.join(out, "keep.txt"), "earlier results");
  const data = tempDir();
  const result = run(
    ["search", "--method", "random", "--dataset", "cifar10", "--scale", "smoke", "--out", out],
    { NASBOOK_DATA: data, NASBOOK_CIFAR10_URL: "http://127.0.0.1:9/cifar-10-binary.tar.gz" },
  );
  assert.equal(result.status, 1);
  assert.match(result.stderr, /nasbook: /);
  assert.match(result.stderr, new RegExp(data.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")));
  assert.match(result.stderr, /127\.0\.0\.1:9/);
  assertNoStack(result.stderr);
  assert.equal(fs.readFileSync(path.join(out, "keep.txt"), "utf8"), "earlier results");
  assert.deepEqual(fs.readdirSync(data).filter((f) => !f.startsWith(".")), []);
});

test("a smoke search writes the run directory; killed midway and re-run, no trial is lost or repeated", async () => {
  const whole = tempDir();
  const full = run(search(whole));
  assert.equal(full.status, 0, full.stderr);
  for (const file of ["config.json", "trials.jsonl", "summary.json", "report.html"]) assert.ok(fs.existsSync(path.join(whole, file)), file);
  const summary = JSON.parse(fs.readFileSync(path.join(whole, "summary.json"), "utf8"));
  for (const key of ["method", "dataset", "scale", "seed", "backend", "wallSeconds"]) assert.ok(key in summary, key);
  assert.equal(typeof summary.best.validAccuracy, "number");
  assert.equal(typeof summary.best.testAccuracy, "number");
  const expected = readTrials(whole);
  assert.equal(expected.length, 4);
  for (const t of expected) {
    assert.ok(["ok", "failed"].includes(t.status));
    assert.equal(typeof t.metrics.validAccuracy, "number");
    assert.equal(typeof t.metrics.params, "number");
    assert.equal(typeof t.seconds, "number");
  }
  const report = fs.readFileSync(path.join(whole, "report.html"), "utf8");
  assert.equal(report.split("Plotly.newPlot").length - 1 >= 2, true);

  const killed = tempDir();
  await killAfterFirstTrial(search(killed), path.join(killed, "trials.jsonl"));
  const partial = readTrials(killed).length;
  assert.ok(partial >= 1 && partial < 4, `killed after ${partial} trials`);
  const resumed = run(search(killed));
  assert.equal(resumed.status, 0, resumed.stderr);
  const after = readTrials(killed);
  assert.deepEqual(after.map((t) => t.id), [0, 1, 2, 3]);
  assert.deepEqual(after.map((t) => t.genotype), expected.map((t) => t.genotype));
  assert.deepEqual(after.map((t) => t.metrics.validAccuracy), expected.map((t) => t.metrics.validAccuracy));

  const other = run(search(whole).map((a) => (a === "1" ? "2" : a)));
  assert.equal(other.status, 1);
  assert.match(other.stderr, /another configuration \(seed: stored 1, asked 2\)/);
  assertNoStack(other.stderr);
  assert.deepEqual(readTrials(whole), expected);
});

function readTrials(dir: string) {
  return fs
    .readFileSync(path.join(dir, "trials.jsonl"), "utf8")
    .split("\n")
    .filter((l) => l.trim() !== "")
    .map((l) => JSON.parse(l));
}

function killAfterFirstTrial(args: string[], trialsFile: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [cli, ...args], { env, stdio: "ignore" });
    const poll = setInterval(() => {
      if (fs.existsSync(trialsFile) && fs.readFileSync(trialsFile, "utf8").trim() !== "") {
        clearInterval(poll);
        child.kill("SIGKILL");
      }
    }, 20);
    child.on("exit", () => {
      clearInterval(poll);
      resolve();
    });
    child.on("error", reject);
  });
}

test("nas-rl: a smoke search completes, keeps the controller's probabilities, and a re-run of the finished run trains and tests nothing", () => {
  const out = tempDir();
  const args = ["search", "--method", "nas-rl", "--dataset", "fashion-mnist", "--scale", "smoke", "--seed", "1", "--out", out];
  const first = run(args);
  assert.equal(first.status, 0, first.stderr);
  const trials = readTrials(out);
  assert.deepEqual(trials.map((t) => t.id), [0, 1, 2, 3]);
  const controller = JSON.parse(fs.readFileSync(path.join(out, "controller.json"), "utf8"));
  assert.ok(controller.updates.length >= 1);
  assert.equal(controller.updates[0].probabilities.length, controller.decisions.length);
  const summary = JSON.parse(fs.readFileSync(path.join(out, "summary.json"), "utf8"));
  assert.equal(summary.method, "nas-rl");
  const summaryText = fs.readFileSync(path.join(out, "summary.json"), "utf8");
  const again = run(args);
  assert.equal(again.status, 0, again.stderr);
  assert.deepEqual(readTrials(out), trials, "the re-run trains nothing new");
  assert.match(again.stderr, /holds a finished nas-rl run \(summary\.json\): nothing to train or test again/);
  assert.equal(fs.readFileSync(path.join(out, "summary.json"), "utf8"), summaryText, "no second final test, no wall time added");
});

test("darts: a smoke search writes the derived cell as trial 0 and the alpha history; a re-run does not search again", () => {
  const out = tempDir();
  const args = ["search", "--method", "darts", "--dataset", "fashion-mnist", "--scale", "smoke", "--seed", "1", "--out", out];
  const first = run(args);
  assert.equal(first.status, 0, first.stderr);
  const [trial, ...rest] = readTrials(out);
  assert.deepEqual(rest, []);
  assert.equal(trial.id, 0);
  assert.equal(trial.genotype.normal.length, 8);
  const alphas = JSON.parse(fs.readFileSync(path.join(out, "alphas.json"), "utf8"));
  assert.ok(alphas.alphaHistory.length >= 1);
  const summary = JSON.parse(fs.readFileSync(path.join(out, "summary.json"), "utf8"));
  assert.deepEqual(summary.best.genotype, trial.genotype);
  const alphasBefore = fs.statSync(path.join(out, "alphas.json")).mtimeMs;
  const again = run(args);
  assert.equal(again.status, 0, again.stderr);
  assert.deepEqual(readTrials(out), [trial]);
  assert.equal(fs.statSync(path.join(out, "alphas.json")).mtimeMs, alphasBefore, "the search did not run again");
  assert.deepEqual(JSON.parse(fs.readFileSync(path.join(out, "summary.json"), "utf8")), summary, "the winner was not tested again");
});

test("nasnet-ppo: a smoke search keeps the controller's probabilities after each update, one row per decision", () => {
  const out = tempDir();
  const result = run(["search", "--method", "nasnet-ppo", "--dataset", "fashion-mnist", "--scale", "smoke", "--seed", "1", "--out", out]);
  assert.equal(result.status, 0, result.stderr);
  const controller = JSON.parse(fs.readFileSync(path.join(out, "controller.json"), "utf8"));
  // Smoke: 4 children, controller batch 2, so two updates over the 40 decisions of B = 5 cells.
  assert.equal(controller.updates.length, 2);
  assert.equal(controller.decisions.length, 40);
  assert.equal(controller.decisions[0], "normal.block0.input0");
  for (const update of controller.updates) {
    assert.equal(update.probabilities.length, 40);
    update.probabilities.forEach((row: number[]) => assert.ok(Math.abs(row.reduce((a, b) => a + b, 0) - 1) < 1e-4));
  }
});

test("nasnet-evolution: a smoke search completes, and killed midway and re-run it loses and repeats no trial", async () => {
  const args = (out: string) => ["search", "--method", "nasnet-evolution", "--dataset", "fashion-mnist", "--scale", "smoke", "--seed", "1", "--out", out];
  const whole = tempDir();
  const full = run(args(whole));
  assert.equal(full.status, 0, full.stderr);
  const expected = readTrials(whole);
  assert.equal(expected.length, 4);
  assert.equal(JSON.parse(fs.readFileSync(path.join(whole, "summary.json"), "utf8")).method, "nasnet-evolution");
  const killed = tempDir();
  await killAfterFirstTrial(args(killed), path.join(killed, "trials.jsonl"));
  const partial = readTrials(killed).length;
  assert.ok(partial >= 1 && partial < 4, `killed after ${partial} trials`);
  const resumed = run(args(killed));
  assert.equal(resumed.status, 0, resumed.stderr);
  const after = readTrials(killed);
  assert.deepEqual(after.map((t) => t.id), [0, 1, 2, 3]);
  assert.deepEqual(after.map((t) => t.genotype), expected.map((t) => t.genotype));
  assert.deepEqual(after.map((t) => t.metrics.validAccuracy), expected.map((t) => t.metrics.validAccuracy));
});
