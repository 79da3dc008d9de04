import { test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { spawnSync } from "node:child_process";
import * as tf from "@tensorflow/tfjs";
import { initBackend } from "../../lib/backend/select";
import { Rng } from "../../lib/core/random";
import { Adam } from "../../lib/nn/adam";
import { MomentumSGD } from "../../lib/nn/sgd";
import { Nb201Supernet } from "../../lib/spaces/nb201/supernet";
import { deriveNb201Genotype } from "../../lib/strategies/darts/derive-nb201";
import { GDAS_TAU, searchHalves, supernetSearch, type DartsSearchConfig, type SearchCheckpoint } from "../../lib/strategies/darts/search";
import { CLASSES, SHAPE, config, tinySubset } from "./supernet-fixtures";

const TINY = { cellsPerStage: 1, channels: 2 };

test("an Rng set back to a state it had continues the same sequence", () => {
  const rng = new Rng(42);
  rng.next();
  const state = rng.state;
  const ahead = [rng.next(), rng.next(), rng.int(100)];
  rng.state = state;
  assert.deepEqual([rng.next(), rng.next(), rng.int(100)], ahead);
  assert.deepEqual([new Rng(state).next()], [ahead[0]]);
  assert.throws(() => (rng.state = -1), /32-bit unsigned integer/);
});

test("Adam takes the steps tfjs's Adam takes, and a restored Adam continues exactly", async () => {
  await initBackend({ NASBOOK_BACKEND: "wasm" });
  const start = [0.5, -1.5, 2];
  const ours = tf.variable(tf.tensor1d(start));
  const theirs = tf.variable(tf.tensor1d(start));
  const adam = new Adam([ours], { learningRate: 0.1, betas: [0.5, 0.999], epsilon: 1e-8 });
  const reference = tf.train.adam(0.1, 0.5, 0.999, 1e-8);
  const grad = (v: tf.Variable, step: number) => tf.tidy(() => tf.add(tf.mul(v, 2), step));
  for (let step = 0; step < 5; step++) {
    const g = grad(ours, step);
    adam.applyGradients({ [ours.name]: g });
    const h = grad(theirs, step);
    reference.applyGradients({ [theirs.name]: h as tf.Variable });
    tf.dispose([g, h]);
  }
  const a = ours.dataSync();
  const b = theirs.dataSync();
  a.forEach((value, i) => assert.ok(Math.abs(value - b[i]) < 1e-5, `${value} vs ${b[i]}`));

  const saved = adam.saveState();
  const copy = tf.variable(ours.clone());
  const restored = new Adam([copy], adam.options);
  restored.restoreState(saved);
  for (const [optimiser, variable] of [[adam, ours], [restored, copy]] as const) {
    const g = grad(variable, 7);
    optimiser.applyGradients({ [variable.name]: g });
    g.dispose();
  }
  assert.deepEqual(Array.from(copy.dataSync()), Array.from(ours.dataSync()), "bit for bit");
  assert.throws(() => restored.restoreState({ step: 1, moments: [] }), /Adam moments: 0 tensors for 2 variables/);
  adam.dispose();
  restored.dispose();
  reference.dispose();
  tf.dispose([ours, theirs, copy]);
});

test("SGD's velocities round-trip, and a shape that differs is refused before anything is assigned", async () => {
  await initBackend({ NASBOOK_BACKEND: "wasm" });
  const w = tf.variable(tf.tensor2d([[1, 2], [3, 4]]));
  const sgd = new MomentumSGD([w], { momentum: 0.9 });
  const g = tf.ones([2, 2]);
  sgd.apply({ [w.name]: g }, 0.1);
  const saved = sgd.saveState();
  const other = new MomentumSGD([w], { momentum: 0.9 });
  other.restoreState(JSON.parse(JSON.stringify(saved)));
  assert.deepEqual(other.saveState(), saved);
  const velocity = () => Array.from(other.velocities()[0].dataSync());
  assert.deepEqual(velocity(), [1, 1, 1, 1]);
  assert.throws(() => other.restoreState([{ shape: [4], data: saved[0].data }]), /SGD velocities\[0\]: shape \[4\], the variable has \[2,2\]/);
  assert.deepEqual(velocity(), [1, 1, 1, 1], "a refused checkpoint changes nothing");
  tf.dispose([w, g]);
  sgd.dispose();
  other.dispose();
});

/** A search of the tiny NAS-Bench-201 supernet; its checkpoints after each epoch go through JSON, as on disk. */
async function tinySearch(overrides: Partial<DartsSearchConfig>, resume?: SearchCheckpoint<"cell", string>, stopAfter = Infinity) {
  const supernet = new Nb201Supernet(TINY, SHAPE, CLASSES, new Rng(7));
  const checkpoints: SearchCheckpoint<"cell", string>[] = [];
  const onCheckpoint = (c: SearchCheckpoint<"cell", string>) => {
    checkpoints.push(JSON.parse(JSON.stringify(c)));
    if (checkpoints.length >= stopAfter) throw new Error("killed");
  };
  const data = searchHalves(tinySubset(16, 3));
  const derive = (w: Parameters<typeof deriveNb201Genotype>[0]) => JSON.stringify(deriveNb201Genotype(w));
  try {
    const result = await supernetSearch(supernet, data, config({ epochs: 3, ...overrides }), derive, { onCheckpoint }, resume);
    return { result, checkpoints };
  } catch (error) {
    if ((error as Error).message !== "killed") throw error;
    return { result: null, checkpoints };
  } finally {
    supernet.dispose();
  }
}

for (const [name, overrides] of [["darts", {}], ["darts2", { order: 2 as const }], ["gdas", { gdasTau: GDAS_TAU }]] as const) {
  test(`${name}: a search resumed from its epoch-1 checkpoint ends exactly as an uninterrupted one, leaking no tensor`, async () => {
    await initBackend({ NASBOOK_BACKEND: "wasm" });
    const whole = await tinySearch(overrides);
    const before = tf.memory().numTensors;
    const killed = await tinySearch(overrides, undefined, 1);
    assert.equal(killed.checkpoints.length, 1);
    const resumed = await tinySearch(overrides, killed.checkpoints[0]);
    assert.equal(tf.memory().numTensors, before, "no tensor leaked by a kill or a resume");
    assert.ok(whole.result && resumed.result);
    assert.deepEqual(resumed.result.alphaHistory, whole.result.alphaHistory);
    assert.deepEqual(resumed.result.losses, whole.result.losses);
    assert.deepEqual(resumed.result.epochs.map((e) => [e.genotype, e.trainLoss, e.supernetAccuracy]), whole.result.epochs.map((e) => [e.genotype, e.trainLoss, e.supernetAccuracy]));
    assert.deepEqual(resumed.checkpoints.at(-1)?.variables, whole.checkpoints.at(-1)?.variables, "every variable, bit for bit");
  });
}

test("darts through the CLI: a run killed after its search's last checkpoint resumes without searching again", () => {
  const cli = path.join(__dirname, "..", "..", "lib", "cli", "main.js");
  const env = { ...process.env, NASBOOK_BACKEND: process.env.NASBOOK_BACKEND || "wasm", NASBOOK_SCALE: "" };
  const out = fs.mkdtempSync(path.join(os.tmpdir(), "nasbook-resume-"));
  const args = [cli, "search", "--method", "gdas", "--dataset", "fashion-mnist", "--scale", "smoke", "--seed", "1", "--out", out];
  const first = spawnSync(process.execPath, args, { env, encoding: "utf8" });
  assert.equal(first.status, 0, first.stderr);
  const trials = fs.readFileSync(path.join(out, "trials.jsonl"), "utf8");
  const alphas = fs.readFileSync(path.join(out, "alphas.json"), "utf8");
  assert.ok(fs.existsSync(path.join(out, "search-checkpoint.json")));
  // What a kill between the checkpoint and the trial leaves: the checkpoint, no trial, no summary.
  for (const name of ["trials.jsonl", "alphas.json", "summary.json"]) fs.rmSync(path.join(out, name));
  const again = spawnSync(process.execPath, args, { env, encoding: "utf8" });
  assert.equal(again.status, 0, again.stderr);
  const genotype = (text: string) => JSON.parse(text.trim()).genotype;
  assert.deepEqual(genotype(fs.readFileSync(path.join(out, "trials.jsonl"), "utf8")), genotype(trials));
  const strip = (text: string) => JSON.parse(text).alphaHistory;
  assert.deepEqual(strip(fs.readFileSync(path.join(out, "alphas.json"), "utf8")), strip(alphas), "the alphas come from the checkpoint");
  const file = path.join(out, "search-checkpoint.json");
  const checkpoint = JSON.parse(fs.readFileSync(file, "utf8"));
  fs.writeFileSync(file, JSON.stringify({ ...checkpoint, epochsDone: "one" }));
  for (const name of ["trials.jsonl", "summary.json"]) fs.rmSync(path.join(out, name));
  const damaged = spawnSync(process.execPath, args, { env, encoding: "utf8" });
  assert.notEqual(damaged.status, 0);
  assert.match(damaged.stderr, /search-checkpoint\.json: `epochsDone` should be a non-negative integer; delete the file to search again/);
  assert.doesNotMatch(damaged.stderr, /\n\s+at .+:\d+:\d+/, "no stack trace");
});
