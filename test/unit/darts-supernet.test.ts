import { test } from "node:test";
import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { initBackend } from "../../lib/backend/select";
import { DivergedError } from "../../lib/core/errors";
import { Rng } from "../../lib/core/random";
import { CELL_TYPES, validateDartsGenotype } from "../../lib/spaces/darts/genotypes";
import { DartsSpace } from "../../lib/spaces/darts/space";
import { DartsSupernet } from "../../lib/spaces/darts/supernet";
import { deriveGenotype } from "../../lib/strategies/darts/derive";
import { GumbelSample } from "../../lib/strategies/darts/gumbel";
import { firstOrderAlphaGradient, secondOrderAlphaGradient, supernetLoss } from "../../lib/strategies/darts/hypergradient";
import { BilevelSearch, GDAS_TAU, dartsSearch } from "../../lib/strategies/darts/search";
import { CLASSES, SHAPE, batch, config, tinySubset } from "./supernet-fixtures";

// Three cells (normal, reduce, reduce) on 6 x 6 images: every code path, tiny enough for the cpu backend.
const TINY = { layers: 3, channels: 2 };

/** Loss with one alpha entry moved by `delta`, the entry restored afterwards. */
function lossWithAlpha(supernet: DartsSupernet, alpha: tf.Variable, at: [number, number], delta: number, loss: () => number): number {
  const bump = tf.tidy(() => tf.scatterND([at], [delta], alpha.shape));
  tf.tidy(() => alpha.assign(alpha.add(bump)));
  const value = loss();
  tf.tidy(() => alpha.assign(alpha.sub(bump)));
  bump.dispose();
  return value;
}

const ENTRIES: Array<[number, number]> = [[0, 4], [5, 3], [13, 7], [2, 1]];

test("the supernet's gradient wrt alpha matches central finite differences", async () => {
  await initBackend({ NASBOOK_BACKEND: "cpu" });
  const supernet = new DartsSupernet(TINY, SHAPE, CLASSES, new Rng(1));
  const valid = batch(1);
  const mixing = () => supernet.softmaxMixing();
  const { grads } = firstOrderAlphaGradient(supernet, valid, mixing);
  const loss = () => tf.tidy(() => supernetLoss(supernet, valid, mixing).dataSync()[0]);
  for (const type of CELL_TYPES) {
    const alpha = supernet.alphas[type];
    const analytic = grads[alpha.name].arraySync() as number[][];
    for (const at of ENTRIES) {
      const h = 1e-2;
      const numeric = (lossWithAlpha(supernet, alpha, at, h, loss) - lossWithAlpha(supernet, alpha, at, -h, loss)) / (2 * h);
      const exact = analytic[at[0]][at[1]];
      assert.ok(Math.abs(numeric - exact) <= 2e-4 + 0.05 * Math.abs(exact), `${type}${JSON.stringify(at)}: analytic ${exact}, numeric ${numeric}`);
    }
  }
  tf.dispose([grads, valid.x, valid.labels]);
  supernet.dispose();
});

test("the second-order gradient matches finite differences of L_val(w - xi grad L_train(w, alpha), alpha)", async () => {
  await initBackend({ NASBOOK_BACKEND: "cpu" });
  const supernet = new DartsSupernet(TINY, SHAPE, CLASSES, new Rng(2));
  const [train, valid] = [batch(2), batch(3)];
  const mixing = () => supernet.softmaxMixing();
  const xi = 0.5;
  const weights = supernet.weights();
  const unrolledValidLoss = () => {
    const w = weights.map((v) => tf.clone(v));
    const { value, grads } = tf.variableGrads(() => supernetLoss(supernet, train, mixing), weights);
    tf.tidy(() => weights.forEach((v) => v.assign(v.sub(grads[v.name].mul(xi)))));
    const loss = tf.tidy(() => supernetLoss(supernet, valid, mixing).dataSync()[0]);
    tf.tidy(() => weights.forEach((v, i) => v.assign(w[i])));
    tf.dispose([value, grads, w]);
    return loss;
  };
  // ReLU and max-pool kinks make these functions only piecewise smooth, and a tiny network
  // crosses kinks often: both finite differences take small steps (r = 1e-4, not the paper's 1e-2).
  const second = secondOrderAlphaGradient(supernet, train, valid, mixing, xi, 1e-4);
  const first = firstOrderAlphaGradient(supernet, valid, mixing);
  let correction = 0;
  for (const type of CELL_TYPES) {
    const alpha = supernet.alphas[type];
    const analytic = second.grads[alpha.name].arraySync() as number[][];
    const firstOrder = first.grads[alpha.name].arraySync() as number[][];
    for (const at of ENTRIES.slice(0, 2)) {
      const h = 1e-4;
      const numeric =
        (lossWithAlpha(supernet, alpha, at, h, unrolledValidLoss) - lossWithAlpha(supernet, alpha, at, -h, unrolledValidLoss)) / (2 * h);
      const exact = analytic[at[0]][at[1]];
      assert.ok(Math.abs(numeric - exact) <= 0.02 + 0.05 * Math.abs(exact), `${type}${JSON.stringify(at)}: second order ${exact}, numeric ${numeric}`);
      correction = Math.max(correction, Math.abs(exact - firstOrder[at[0]][at[1]]));
    }
  }
  assert.ok(correction > 0.1, "the unrolled step must change the gradient, or this test proves nothing");
  tf.dispose([second.grads, first.grads, train.x, train.labels, valid.x, valid.labels]);
  supernet.dispose();
});

/** Makes every edge's op `op` near-certain, so GDAS samples the same path at every step. */
function dominate(supernet: DartsSupernet, op: number): void {
  for (const type of CELL_TYPES) {
    const alpha = supernet.alphas[type];
    tf.tidy(() => alpha.assign(tf.mul(tf.oneHot(tf.fill([alpha.shape[0]], op, "int32") as tf.Tensor1D, alpha.shape[1] as number), 100)));
  }
}

test("search steps free their tensors: first order, second order and GDAS", async () => {
  await initBackend({ NASBOOK_BACKEND: "cpu" });
  for (const overrides of [{}, { order: 2 as const }, { gdasTau: GDAS_TAU }]) {
    const supernet = new DartsSupernet(TINY, SHAPE, CLASSES, new Rng(3));
    // GDAS allocates an op's optimiser state when the op is first sampled; a fixed path keeps that out of the count.
    if (overrides.gdasTau) dominate(supernet, 4);
    const search = new BilevelSearch(supernet, config(overrides));
    const [train, valid] = [batch(4), batch(5)];
    const counts: number[] = [];
    for (let step = 0; step < 3; step++) {
      search.step(train, valid, 0);
      counts.push(tf.memory().numTensors);
    }
    assert.equal(counts[1], counts[0], `${JSON.stringify(overrides)}: ${counts}`);
    assert.equal(counts[2], counts[1], `${JSON.stringify(overrides)}: ${counts}`);
    search.dispose();
    tf.dispose([train.x, train.labels, valid.x, valid.labels]);
    supernet.dispose();
  }
});

test("GDAS runs one op per edge and still sends a gradient to every alpha row", async () => {
  await initBackend({ NASBOOK_BACKEND: "cpu" });
  const supernet = new DartsSupernet(TINY, SHAPE, CLASSES, new Rng(4));
  const sample = new GumbelSample(supernet.alphas, 1, new Rng(5));
  const valid = batch(6);
  const mixing = sample.mixing();
  for (const type of CELL_TYPES) {
    const hard = mixing[type].weights.arraySync();
    hard.forEach((row: number[], e: number) => {
      assert.deepEqual(row.map((v) => Math.round(v)), row.map((_, o) => (o === mixing[type].chosen![e] ? 1 : 0)));
      assert.ok(row.every((v) => Math.abs(v - Math.round(v)) < 1e-6));
    });
  }
  const { grads } = firstOrderAlphaGradient(supernet, valid, () => sample.mixing());
  for (const type of CELL_TYPES) {
    const g = grads[supernet.alphas[type].name].arraySync() as number[][];
    assert.ok(g.every((row) => row.some((v) => v !== 0) && row.every(Number.isFinite)), type);
  }
  tf.dispose([grads, valid.x, valid.labels, mixing.normal.weights, mixing.reduce.weights]);
  sample.dispose();
  supernet.dispose();
});

test("a GDAS sample of none on every edge, which cuts the earlier cells off, still makes a step", async () => {
  await initBackend({ NASBOOK_BACKEND: "cpu" });
  const supernet = new DartsSupernet(TINY, SHAPE, CLASSES, new Rng(10));
  dominate(supernet, 0);
  const search = new BilevelSearch(supernet, config({ gdasTau: GDAS_TAU }));
  const [train, valid] = [batch(8), batch(9)];
  const before = supernet.alphas.normal.arraySync();
  const { trainLoss, validLoss } = search.step(train, valid, 0);
  assert.ok(Number.isFinite(trainLoss) && Number.isFinite(validLoss));
  // No gradient reaches the normal cell's alpha; only its weight decay moves it.
  const after = supernet.alphas.normal.arraySync() as number[][];
  after.forEach((row, e) => row.forEach((v, o) => assert.ok(v <= (before as number[][])[e][o] + 1e-9)));
  search.dispose();
  tf.dispose([train.x, train.labels, valid.x, valid.labels]);
  supernet.dispose();
});

test("GDAS's hard straight-through path trains the weights: every edge fixed on one op, it takes DARTS's steps with that op", async () => {
  await initBackend({ NASBOOK_BACKEND: "cpu" });
  const sepConv = 4;
  const losses = [];
  for (const gdasTau of [null, GDAS_TAU]) {
    const supernet = new DartsSupernet(TINY, SHAPE, CLASSES, new Rng(7));
    dominate(supernet, sepConv);
    // alpha held still (learning rate and decay 0), so only the weights learn, on the same batches.
    const result = await dartsSearch(supernet, { train: tinySubset(16, 1), valid: tinySubset(16, 2) }, config({ gdasTau, epochs: 3, alphaLr: 0, alphaWeightDecay: 0 }));
    assert.ok(result.epochs.every((e) => e.genotype.normal.every((edge) => edge.op === "sep_conv_3x3")));
    losses.push(result.losses.map((l) => l.trainLoss));
    supernet.dispose();
  }
  const [darts, gdas] = losses;
  assert.equal(gdas.length, 12);
  gdas.forEach((loss, step) => assert.ok(Math.abs(loss - darts[step]) < 1e-4, `step ${step + 1}: GDAS ${loss}, DARTS ${darts[step]}`));
  assert.ok(new Set(gdas.map((l) => l.toFixed(4))).size > 1, "the weights moved");
});

test("a search returns softmax(alpha) per epoch, per-step losses and the cell derived from the last alphas", async () => {
  await initBackend({ NASBOOK_BACKEND: "cpu" });
  const supernet = new DartsSupernet(TINY, SHAPE, CLASSES, new Rng(6));
  const steps: number[] = [];
  const counts: number[] = [];
  const before = tf.memory().numTensors;
  const result = await dartsSearch(supernet, { train: tinySubset(8, 1), valid: tinySubset(8, 2) }, config(), {
    onProgress: (done) => steps.push(done),
    onEpoch: () => counts.push(tf.memory().numTensors),
  });
  assert.deepEqual(steps, [1, 2, 3, 4]);
  assert.equal(counts[1], counts[0], `tensors after each epoch: ${counts}`);
  assert.equal(tf.memory().numTensors, before, "a finished search leaves only the supernet");
  assert.equal(result.alphaHistory.length, 3);
  for (const snapshot of result.alphaHistory) {
    for (const row of [...snapshot.normal, ...snapshot.reduce]) assert.ok(Math.abs(row.reduce((a, b) => a + b, 0) - 1) < 1e-5);
  }
  assert.notDeepEqual(result.alphaHistory[2].normal, result.alphaHistory[0].normal, "alphas move");
  assert.equal(result.losses.length, 4);
  assert.equal(result.epochs.length, 2);
  assert.deepEqual(result.genotype, deriveGenotype(result.alphaHistory[2]));
  assert.deepEqual(validateDartsGenotype(result.genotype), result.genotype);
  supernet.dispose();

  const again = new DartsSupernet(TINY, SHAPE, CLASSES, new Rng(6));
  const repeat = await dartsSearch(again, { train: tinySubset(8, 1), valid: tinySubset(8, 2) }, config());
  assert.deepEqual(repeat.losses, result.losses, "the same seeds give the same search");
  assert.deepEqual(repeat.alphaHistory, result.alphaHistory);
  again.dispose();
});

test("a NaN loss stops the search with DivergedError", async () => {
  await initBackend({ NASBOOK_BACKEND: "cpu" });
  const supernet = new DartsSupernet(TINY, SHAPE, CLASSES, new Rng(7));
  const head = supernet.weights().at(-2)!;
  tf.tidy(() => head.assign(tf.fill(head.shape, NaN)));
  const before = tf.memory().numTensors;
  await assert.rejects(dartsSearch(supernet, { train: tinySubset(4, 1), valid: tinySubset(4, 2) }, config()), (e: unknown) => {
    return e instanceof DivergedError && /diverged at epoch 1, step 1/.test(e.message);
  });
  assert.equal(tf.memory().numTensors, before, "nothing leaks when a search fails");
  supernet.dispose();
});

test("a derived genotype builds a standalone network that the evaluator can train", async () => {
  await initBackend({ NASBOOK_BACKEND: "cpu" });
  const space = new DartsSpace(TINY);
  const network = space.build(space.sample(new Rng(8)), SHAPE, CLASSES, new Rng(9));
  const x = batch(7);
  const logits = network.apply(x.x, true);
  assert.deepEqual(logits.shape, [4, CLASSES]);
  assert.ok(network.paramCount() > 0 && network.macs() > 0);
  const { grads } = tf.variableGrads(() => tf.losses.softmaxCrossEntropy(x.labels, network.apply(x.x, true)) as tf.Scalar, network.trainableVariables);
  assert.equal(Object.keys(grads).length, network.trainableVariables.length);
  tf.dispose([logits, grads, x.x, x.labels]);
  network.dispose();
});
