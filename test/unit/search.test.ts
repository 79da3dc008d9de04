import { test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as tf from "@tensorflow/tfjs";
import { initBackend } from "../../lib/backend/select";
import { loadDataset } from "../../lib/data";
import { Rng } from "../../lib/core/random";
import { TrainFromScratch } from "../../lib/evaluators/train-from-scratch";
import { train } from "../../lib/evaluators/training";
import { runMultiTrialSearch } from "../../lib/experiment/multi-trial-search";
import { MacroCnnSpace } from "../../lib/spaces/macro-cnn";
import { RunStore } from "../../lib/store/run-store";
import { RandomSearch } from "../../lib/strategies/random-search";

const space = new MacroCnnSpace({ minLayers: 1, maxLayers: 2, kernels: [1, 3], filters: [4, 8] });
const tempDir = () => fs.mkdtempSync(path.join(os.tmpdir(), "nasbook-search-"));

async function smallSplits() {
  await initBackend({ NASBOOK_BACKEND: process.env.NASBOOK_BACKEND || "wasm" });
  return loadDataset("fashion-mnist", { seed: 0, trainSize: 400, validSize: 200, testSize: 100 });
}

test("trials on real Fashion-MNIST learn something, and tensors do not pile up across trials", async () => {
  const splits = await smallSplits();
  const wide = new MacroCnnSpace({ minLayers: 1, maxLayers: 2, kernels: [3], filters: [32] });
  const evaluator = new TrainFromScratch(wide, splits, { epochs: 3, batchSize: 20 });
  const genotype = { layers: [{ kernel: 3, filters: 32, pool: "max" as const }, { kernel: 3, filters: 32, pool: "max" as const }] };
  const first = await evaluator.evaluate(genotype, { seed: 1 });
  const tensors = tf.memory().numTensors;
  const again = await evaluator.evaluate(genotype, { seed: 1 });
  assert.equal(tf.memory().numTensors, tensors);
  assert.deepEqual(again.validAccuracyHistory, first.validAccuracyHistory, "same seed, same training");
  assert.ok(first.validAccuracy > 0.3, `10 classes: chance is 0.1, got ${first.validAccuracy}`);
  assert.equal(first.validAccuracyHistory.length, 3);
  assert.ok(first.params > 0 && first.flops > 0 && first.latencyMs > 0 && first.trainSeconds > 0);
});

test("a diverging candidate is recorded as failed and the search goes on", async () => {
  const splits = await smallSplits();
  const store = RunStore.open(tempDir(), { method: "random", dataset: "fashion-mnist", scale: "smoke", seed: 3 });
  const unstable = new TrainFromScratch(space, splits, { epochs: 1, batchSize: 50 }, { learningRate: 1e30 });
  const tensors = tf.memory().numTensors;
  const trials = await runMultiTrialSearch({ space, strategy: new RandomSearch(space, 3), evaluator: unstable, store, budget: 2, seed: 3 });
  assert.deepEqual(trials.map((t) => t.status), ["failed", "failed"]);
  assert.match(trials[0].error ?? "", /diverged/);
  assert.equal(store.trials().length, 2);
  assert.equal(tf.memory().numTensors, tensors, "a failed trial leaves no tensor behind");
});

test("a training step that throws (here a network built for colour images) leaves no tensor behind", async () => {
  const splits = await smallSplits();
  const genotype = { layers: [{ kernel: 3, filters: 4, pool: "max" as const }] };
  // Built for 3-channel inputs, its first convolution cannot take the 1-channel images: the first step throws inside minimize.
  const network = space.build(genotype, [28, 28, 3], 10, new Rng(0));
  const tensors = tf.memory().numTensors;
  assert.throws(() => train(network, { train: splits.train, valid: splits.valid }, { epochs: 1, batchSize: 50, seed: 0 }));
  assert.equal(tf.memory().numTensors, tensors);
  network.dispose();
});

test("resuming replays stored trials instead of training them again", async () => {
  const splits = await smallSplits();
  const evaluator = new TrainFromScratch(space, splits, { epochs: 1, batchSize: 50 });
  const dir = tempDir();
  const config = { method: "random", dataset: "fashion-mnist", scale: "smoke" as const, seed: 5 };
  const search = (budget: number, onTrial?: () => void) =>
    runMultiTrialSearch({ space, strategy: new RandomSearch(space, 5), evaluator, store: RunStore.open(dir, config), budget, seed: 5, onTrial });
  await search(2);
  let trained = 0;
  const all = await search(4, () => trained++);
  assert.equal(trained, 2, "only the two missing trials are trained");
  assert.deepEqual(all.map((t) => t.id), [0, 1, 2, 3]);
  const uninterrupted = await runMultiTrialSearch({
    space,
    strategy: new RandomSearch(space, 5),
    evaluator,
    store: RunStore.open(tempDir(), config),
    budget: 4,
    seed: 5,
  });
  assert.deepEqual(all.map((t) => t.genotype), uninterrupted.map((t) => t.genotype));
  assert.deepEqual(all.map((t) => t.metrics?.validAccuracy), uninterrupted.map((t) => t.metrics?.validAccuracy));
});
