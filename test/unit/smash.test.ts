import { test } from "node:test";
import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { initBackend } from "../../lib/backend/select";
import { RunStoreError } from "../../lib/core/errors";
import { correlationGap, kendallTau, spearman } from "../../lib/core/rank-correlation";
import { Rng } from "../../lib/core/random";
import { loadDataset, type DataSplits } from "../../lib/data";
import { parseNb201, type Nb201Genotype } from "../../lib/spaces/nb201/genotypes";
import { encodeNb201, slotInputs } from "../../lib/strategies/smash/encoding";
import { GeneratedNetwork } from "../../lib/strategies/smash/generated-network";
import { bestScored, distinctRandomCells, scoreArchitectures } from "../../lib/strategies/smash/score";
import type { HyperNetCheckpoint } from "../../lib/strategies/smash/checkpoint";
import { HyperNetTraining, type HyperNetTrainingConfig } from "../../lib/strategies/smash/training";
import { assertGradientsMatchFiniteDifferences } from "./gradient-fixtures";

const MIXED = "|nor_conv_3x3~0|+|nor_conv_1x1~0|none~1|+|skip_connect~0|nor_conv_3x3~1|avg_pool_3x3~2|";
const tiny = { cellsPerStage: 1, channels: 2 };
const CONFIG: HyperNetTrainingConfig = { epochs: 2, batchSize: 20, learningRate: 0.05, momentum: 0.9, weightDecay: 3e-4, gradClip: 5, seed: 3 };

let splits: DataSplits | null = null;
async function data(): Promise<DataSplits> {
  await initBackend({ NASBOOK_BACKEND: "wasm" });
  splits ??= await loadDataset("fashion-mnist", { seed: 0, trainSize: 60, validSize: 40, testSize: 20, downsample: 2 });
  return splits;
}

function net(seed: number, hidden = 4): GeneratedNetwork {
  return new GeneratedNetwork(tiny, { hidden }, [14, 14, 1], 10, new Rng(seed));
}

test("the encoding is one op per edge, named; each slot reads it with its edge and cell", () => {
  const encoding = encodeNb201(parseNb201(MIXED));
  assert.deepEqual(encoding.rows, ["node1.from0", "node2.from0", "node2.from1", "node3.from0", "node3.from1", "node3.from2"]);
  assert.equal(encoding.columns[3], "nor_conv_3x3");
  assert.deepEqual(encoding.values[0], [0, 0, 0, 1, 0]);
  assert.deepEqual(encoding.values[2], [1, 0, 0, 0, 0]);
  const inputs = slotInputs(encoding, 3);
  assert.deepEqual(inputs.shape, [18, 30 + 6 + 3]);
  const row7 = inputs.arraySync()[7]; // cell 1, edge 1
  assert.deepEqual(row7.slice(30), [0, 1, 0, 0, 0, 0, 0, 1, 0]);
  inputs.dispose();
});

test("generated weights have the shapes the architecture's convolutions need, and nothing else is generated", async () => {
  await data();
  const network = new GeneratedNetwork({ cellsPerStage: 1, channels: 4 }, { hidden: 5 }, [14, 14, 1], 10, new Rng(1));
  const before = tf.memory().numTensors;
  const shapes = network.hypernet.generatedShapes(parseNb201(MIXED));
  assert.equal(tf.memory().numTensors, before);
  const expected = (c: number) => [[3, 3, c, c], [1, 1, c, c], null, null, [3, 3, c, c], null];
  assert.deepEqual(shapes, [expected(4), expected(8), expected(16)]);
  // An edge into a node that cannot reach the output gets no kernel: node 1 feeds only `none`s and node 3 reads node 2 only.
  const dead = parseNb201("|nor_conv_3x3~0|+|nor_conv_1x1~0|none~1|+|none~0|none~1|skip_connect~2|");
  const deadShapes = network.hypernet.generatedShapes(dead)[0];
  assert.deepEqual(deadShapes, [null, [1, 1, 4, 4], null, null, null, null]);
  network.dispose();
});

/** The mean cross-entropy of a fixed batch through `network` for `genotype`. */
function lossOf(network: GeneratedNetwork, x: tf.Tensor4D, labels: tf.Tensor2D, arch: string): () => tf.Scalar {
  return () => tf.losses.softmaxCrossEntropy(labels, network.apply(x, parseNb201(arch))) as tf.Scalar;
}

test("the loss's gradient reaches every HyperNet parameter, and agrees with finite differences", async () => {
  await data();
  const network = net(2, 8);
  const x = tf.randomNormal([6, 14, 14, 1], 0, 1, "float32", 5) as tf.Tensor4D;
  const labels = tf.oneHot(tf.tensor1d([0, 1, 2, 3, 4, 5], "int32"), 10).toFloat() as tf.Tensor2D;
  const loss = lossOf(network, x, labels, MIXED);
  assertGradientsMatchFiniteDifferences(loss, network.hypernet.variables());
  tf.dispose([x, labels]);
  network.dispose();
});

/** Trains a HyperNet on the test data for `epochs` of CONFIG and scores three cells. */
async function trainAndScore(seed: number, epochs = 1): Promise<{ scores: number[]; network: GeneratedNetwork; training: HyperNetTraining<Nb201Genotype> }> {
  const { train, valid } = await data();
  const network = net(seed);
  const training = new HyperNetTraining(network, { ...CONFIG, seed });
  for (let e = 0; e < epochs; e++) await training.trainEpoch(train);
  const scored = await scoreArchitectures(network, distinctRandomCells(3, seed), valid, 20);
  return { scores: scored.map((s) => s.score), network, training };
}

test("scores are the same for the same seed, and nothing leaks across epochs and scoring", async () => {
  const a = await trainAndScore(4);
  const b = await trainAndScore(4);
  assert.deepEqual(a.scores, b.scores);
  for (const s of a.scores) assert.ok(s >= 0 && s <= 1);
  // Velocities exist after the first epoch; from then on the count holds.
  const { train, valid } = await data();
  const before = tf.memory().numTensors;
  await a.training.trainEpoch(train);
  await scoreArchitectures(a.network, distinctRandomCells(2, 9), valid, 20);
  assert.equal(tf.memory().numTensors, before);
  for (const run of [a, b]) {
    run.training.dispose();
    run.network.dispose();
  }
});

test("a training resumed from its JSON checkpoint ends where the uninterrupted one does; a wrong checkpoint is refused by field", async () => {
  const { train, valid } = await data();
  const straight = await trainAndScore(6, 2);
  const half = await trainAndScore(6, 1);
  const saved: HyperNetCheckpoint = JSON.parse(JSON.stringify(half.training.checkpoint()));
  const resumedNet = net(99); // other initial weights: the checkpoint must overwrite them all
  const resumed = new HyperNetTraining(resumedNet, { ...CONFIG, seed: 6 });
  resumed.restore(saved);
  assert.equal(resumed.history.length, 1);
  await resumed.trainEpoch(train);
  const cells = distinctRandomCells(3, 6);
  const scores = (await scoreArchitectures(resumedNet, cells, valid, 20)).map((s) => s.score);
  const straightScores = (await scoreArchitectures(straight.network, cells, valid, 20)).map((s) => s.score);
  assert.deepEqual(scores, straightScores);
  assert.deepEqual(resumed.history.map((h) => h.loss), straight.training.history.map((h) => h.loss));

  const other = new GeneratedNetwork(tiny, { hidden: 5 }, [14, 14, 1], 10, new Rng(1));
  const wrong = new HyperNetTraining(other, CONFIG);
  assert.throws(() => wrong.restore(saved), (e: unknown) => e instanceof RunStoreError && /checkpoint variables\[0\]: shape \[39,4\], the variable has \[39,5\]/.test(e.message));
  // A refused checkpoint leaves the network as it was, and a malformed tensor entry is named.
  const mangled = { ...saved, variables: saved.variables.map((v, i) => (i === 2 ? { shape: v.shape } : v)) };
  const fresh = new HyperNetTraining(straight.network, CONFIG);
  assert.throws(() => fresh.restore(mangled), /checkpoint variables\[2\]: should be \{ shape/);
  fresh.dispose();
  for (const t of [straight, half]) {
    t.training.dispose();
    t.network.dispose();
  }
  for (const t of [resumed, wrong]) t.dispose();
  resumedNet.dispose();
  other.dispose();
});

test("Spearman and Kendall's tau agree with hand computations, ties included; the best scores come first", () => {
  // One swapped pair of four: d^2 sums to 2, rho = 1 - 6*2 / (4*15); tau = (5 - 1) / 6.
  assert.ok(Math.abs(spearman([1, 2, 3, 4], [1, 3, 2, 4]) - 0.8) < 1e-12);
  assert.ok(Math.abs(kendallTau([1, 2, 3, 4], [1, 3, 2, 4]) - 4 / 6) < 1e-12);
  // Four concordant pairs, one tied in each list: tau-b = 4 / sqrt(5 * 5).
  assert.ok(Math.abs(kendallTau([1, 2, 2, 3], [1, 2, 3, 3]) - 0.8) < 1e-12);
  assert.equal(kendallTau([3, 2, 1], [1, 2, 3]), -1);
  assert.ok(Number.isNaN(kendallTau([1, 1, 1], [1, 2, 3])));
  // atanh(0.8) - atanh(0.2) = 0.8959; standard error sqrt(2 * 1.06 / 97) = 0.1478: beyond two of them.
  const gap = correlationGap(0.8, 100, 0.2, 100);
  assert.ok(Math.abs(gap.zGap - 0.895880) < 1e-5 && Math.abs(gap.standardError - 0.147836) < 1e-5);
  assert.equal(gap.verdict, "beyond");
  assert.equal(correlationGap(0.5, 30, 0.4, 30).verdict, "within");
  assert.equal(correlationGap(0.5, 3, 0.4, 30).verdict, "too-few");
  const scored = [0.5, 0.2, 0.9, 0.2].map((score, i) => ({ genotype: { edges: [] }, arch: String(i), score }));
  assert.deepEqual(bestScored(scored, 3).map((s) => s.arch), ["1", "3", "0"]);
});
