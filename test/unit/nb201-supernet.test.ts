import { test } from "node:test";
import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { initBackend } from "../../lib/backend/select";
import { Rng } from "../../lib/core/random";
import { countMacs } from "../../lib/nn/macs";
import { runNb201OneShot } from "../../lib/experiment/methods/nb201-darts";
import { NB201_OPS, parseNb201 } from "../../lib/spaces/nb201/genotypes";
import { Nb201Network } from "../../lib/spaces/nb201/network";
import { Nb201Space } from "../../lib/spaces/nb201/space";
import { Nb201Supernet } from "../../lib/spaces/nb201/supernet";
import type { Mixing } from "../../lib/spaces/supernet";
import { deriveGenotype } from "../../lib/strategies/darts/derive";
import { deriveNb201Genotype } from "../../lib/strategies/darts/derive-nb201";
import { GumbelSample } from "../../lib/strategies/darts/gumbel";
import { supernetLoss } from "../../lib/strategies/darts/hypergradient";
import { BilevelSearch, GDAS_TAU, alphaSnapshot, supernetSearch, type DartsSearchConfig } from "../../lib/strategies/darts/search";
import { CLASSES, SHAPE, batch, config, tinySubset } from "./supernet-fixtures";

// One cell per stage at C = 2: every code path, fast on wasm.
const TINY = { cellsPerStage: 1, channels: 2 };
const VARIANTS: Array<[string, Partial<DartsSearchConfig>]> = [
  ["darts", {}],
  ["darts2", { order: 2 }],
  ["gdas", { gdasTau: GDAS_TAU }],
];

/** Sets every edge's alpha to 100 on op `ops[e]`: softmax and Gumbel samples then pick those ops. */
function dominate(supernet: Nb201Supernet, ops: readonly number[]): void {
  tf.tidy(() => supernet.alphas.cell.assign(tf.mul(tf.oneHot(tf.tensor1d([...ops], "int32"), NB201_OPS.length), 100)));
}

test("one [6 edges x 5 ops] alpha near zero, and a loss's gradient reaches every weight and the alpha", async () => {
  await initBackend({ NASBOOK_BACKEND: "wasm" });
  const supernet = new Nb201Supernet(TINY, SHAPE, CLASSES, new Rng(1));
  assert.deepEqual(Object.keys(supernet.alphas), ["cell"]);
  assert.deepEqual(supernet.alphas.cell.shape, [6, 5]);
  assert.ok((supernet.alphas.cell.arraySync() as number[][]).flat().every((v) => v !== 0 && Math.abs(v) < 0.01));
  const valid = batch(1);
  const variables = [...supernet.weights(), ...supernet.alphaVariables()];
  const { value, grads } = tf.variableGrads(() => supernetLoss(supernet, valid, () => supernet.softmaxMixing()), variables);
  assert.equal(Object.keys(grads).length, variables.length, "every variable is reached");
  const alphaGrad = grads[supernet.alphas.cell.name].arraySync() as number[][];
  assert.ok(alphaGrad.flat().every((g) => Number.isFinite(g) && g !== 0), JSON.stringify(alphaGrad));
  tf.dispose([value, grads, valid.x, valid.labels]);
  supernet.dispose();
});

test("search steps free their tensors: first order, second order and GDAS", async () => {
  await initBackend({ NASBOOK_BACKEND: "wasm" });
  for (const [name, overrides] of VARIANTS) {
    const supernet = new Nb201Supernet(TINY, SHAPE, CLASSES, new Rng(2));
    // GDAS allocates an op's optimiser state when the op is first sampled; a fixed path keeps that out of the count.
    if (overrides.gdasTau) dominate(supernet, [3, 2, 3, 1, 4, 3]);
    const search = new BilevelSearch(supernet, config(overrides));
    const [train, valid] = [batch(3), batch(4)];
    const counts: number[] = [];
    for (let step = 0; step < 3; step++) {
      search.step(train, valid, 0);
      counts.push(tf.memory().numTensors);
    }
    assert.equal(counts[1], counts[0], `${name}: ${counts}`);
    assert.equal(counts[2], counts[1], `${name}: ${counts}`);
    search.dispose();
    tf.dispose([train.x, train.labels, valid.x, valid.labels]);
    supernet.dispose();
  }
});

test("GDAS runs only the sampled op of each edge: its pass costs what the sampled cell's network costs", async () => {
  await initBackend({ NASBOOK_BACKEND: "wasm" });
  const arch = "|nor_conv_3x3~0|+|nor_conv_1x1~0|nor_conv_3x3~1|+|nor_conv_1x1~0|nor_conv_3x3~1|nor_conv_1x1~2|";
  const space = new Nb201Space(TINY);
  const tokens = space.encode(parseNb201(arch));
  const supernet = new Nb201Supernet(TINY, SHAPE, CLASSES, new Rng(3));
  dominate(supernet, tokens);
  const sample = new GumbelSample(supernet.alphas, 1, new Rng(4));
  const cost = (mixing: () => Mixing<"cell">) =>
    countMacs(() => tf.tidy(() => void supernet.apply(tf.zeros([1, ...SHAPE]) as tf.Tensor4D, false, mixing())));
  const sampled = sample.mixing();
  assert.deepEqual(sampled.cell.chosen, tokens);
  const network = new Nb201Network(parseNb201(arch), TINY, SHAPE, CLASSES, new Rng(5));
  // Every edge a convolution: the standalone network computes every edge, so the costs compare op for op.
  assert.equal(cost(() => sample.mixing()), network.macs());
  assert.ok(cost(() => supernet.softmaxMixing()) > network.macs(), "DARTS runs both convolutions of every edge");
  tf.dispose(sampled.cell.weights);
  sample.dispose();
  network.dispose();
  supernet.dispose();
});

test("derivation takes each edge's strongest op, none included (NAS-Bench-201's rule), where DARTS's rule skips none", async () => {
  await initBackend({ NASBOOK_BACKEND: "wasm" });
  const supernet = new Nb201Supernet(TINY, SHAPE, CLASSES, new Rng(6));
  dominate(supernet, [0, 3, 0, 1, 4, 2]);
  const genotype = deriveNb201Genotype(alphaSnapshot(supernet, 0));
  assert.equal(new Nb201Space().toArch(genotype), "|none~0|+|nor_conv_3x3~0|none~1|+|skip_connect~0|avg_pool_3x3~1|nor_conv_1x1~2|");
  supernet.dispose();
  const row = [0.3, 0.25, 0.2, 0.15, 0.1];
  assert.deepEqual(deriveNb201Genotype({ cell: Array.from({ length: 6 }, () => row) }).edges, Array(6).fill("none"));
  const dartsRow = [0.3, 0.1, 0.1, 0.1, 0.25, 0.05, 0.05, 0.05];
  const darts = deriveGenotype({ normal: Array.from({ length: 14 }, () => dartsRow), reduce: Array.from({ length: 14 }, () => dartsRow) });
  assert.ok(darts.normal.every((edge) => edge.op === "sep_conv_3x3"), "DARTS keeps the strongest op other than none");
  assert.throws(() => deriveNb201Genotype({ cell: [row] }), /6 x 5/);
});

test("a search of each variant derives a valid cell and repeats exactly; first and second order move alpha differently", async () => {
  await initBackend({ NASBOOK_BACKEND: "wasm" });
  const space = new Nb201Space();
  const search = (overrides: Partial<DartsSearchConfig>) => {
    const supernet = new Nb201Supernet(TINY, SHAPE, CLASSES, new Rng(7));
    const data = { train: tinySubset(8, 1), valid: tinySubset(8, 2) };
    return supernetSearch(supernet, data, config(overrides), deriveNb201Genotype).finally(() => supernet.dispose());
  };
  const histories: Record<string, unknown> = {};
  for (const [name, overrides] of VARIANTS) {
    const before = tf.memory().numTensors;
    const result = await search(overrides);
    assert.equal(tf.memory().numTensors, before, `${name}: nothing is left behind`);
    assert.deepEqual(space.validate(result.genotype), result.genotype, name);
    assert.deepEqual(result.genotype, deriveNb201Genotype(result.alphaHistory[2]), name);
    assert.equal(result.alphaHistory.length, 3);
    assert.ok(result.alphaHistory[2].cell.every((row) => Math.abs(row.reduce((a, b) => a + b, 0) - 1) < 1e-5));
    assert.notDeepEqual(result.alphaHistory[2].cell, result.alphaHistory[0].cell, `${name}: alphas move`);
    const repeat = await search(overrides);
    assert.deepEqual(repeat.losses, result.losses, `${name}: the same seed gives the same search`);
    assert.deepEqual(repeat.alphaHistory, result.alphaHistory, name);
    histories[name] = result.alphaHistory;
  }
  assert.notDeepEqual(histories.darts2, histories.darts, "the unrolled step changes alpha's path");
});

test("runNb201OneShot at smoke scale searches Fashion-MNIST and names the cell by its architecture string", async () => {
  await initBackend({ NASBOOK_BACKEND: "wasm" });
  const steps: number[] = [];
  const result = await runNb201OneShot({ method: "gdas", seed: 1, scale: "smoke", onProgress: (done) => steps.push(done) });
  assert.deepEqual(result.config.gdasTau, GDAS_TAU);
  assert.equal(result.epochs.length, result.config.epochs);
  assert.equal(steps.length, result.losses.length);
  assert.equal(result.arch, new Nb201Space().toArch(result.genotype));
  assert.ok(result.wallSeconds > 0 && result.supernetParams > 0);
});
