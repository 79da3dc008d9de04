import { test } from "node:test";
import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { initBackend } from "../../lib/backend/select";
import { GenotypeError } from "../../lib/core/errors";
import { Rng } from "../../lib/core/random";
import { expectedSkipRate, runEnasMacroSearch } from "../../lib/experiment/methods/enas-macro";
import { enasMacroPreset } from "../../lib/experiment/presets/enas-macro";
import { ENAS_MACRO_OPS, EnasMacroSinglePath, EnasMacroSpace, enasMacroSvg, enasPoolLayers, skipRate, type EnasMacroGenotype } from "../../lib/spaces/enas";
import { ReinforceController } from "../../lib/strategies/controller/reinforce";
import { skipPenalty } from "../../lib/strategies/controller/skip-penalty";
import { ENAS_MACRO_CONTROLLER } from "../../lib/strategies/enas/search";
import { ENAS_SHARED_WEIGHTS, SharedWeightsTrainer } from "../../lib/strategies/enas/shared-weights";
import { CLASSES, SHAPE, reached, tinySubset, weightValues } from "./supernet-fixtures";

const TINY = { layers: 3, channels: 2 };
const op = (name: (typeof ENAS_MACRO_OPS)[number]) => ENAS_MACRO_OPS.indexOf(name);

/** Bernoulli KL, written out: p log(p / t) + (1 - p) log((1 - p) / (1 - t)). */
const kl = (p: number, t: number) => p * Math.log(p / t) + (1 - p) * Math.log((1 - p) / (1 - t));

const genotype = (): EnasMacroGenotype => ({
  layers: [
    { op: "conv_3x3", skips: [] },
    { op: "sep_conv_5x5", skips: [1] },
    { op: "max_pool_3x3", skips: [0, 1] },
  ],
});

test("the macro space: ENAS's 12 layers have 12 op and 66 skip decisions, reductions after layers 3 and 7, tokens in fixed_arc order", () => {
  const space = new EnasMacroSpace();
  const decisions = space.decisions();
  assert.equal(decisions.filter((d) => d.kind === "categorical" && d.choices === 6).length, 12);
  assert.equal(decisions.filter((d) => d.kind === "anchor").length, (12 * 11) / 2);
  assert.deepEqual(space.poolLayers, [3, 7]);
  assert.deepEqual(enasPoolLayers(6), [1, 3]);
  const tiny = new EnasMacroSpace(TINY);
  assert.deepEqual(tiny.encode(genotype()), [op("conv_3x3"), op("sep_conv_5x5"), 1, op("max_pool_3x3"), 0, 1], "per layer: op id, then its skip bits");
  assert.deepEqual(tiny.decode(tiny.encode(genotype())), genotype());
  assert.equal(tiny.describe(genotype()), "0:conv3 /2 | 1:sep5+0 /2 | 2:max3+1");
  assert.equal(skipRate(genotype()), 2 / 3);
  const rng = new Rng(4);
  for (let k = 0; k < 20; k++) {
    const g = tiny.mutate(tiny.sample(rng), rng);
    assert.deepEqual(tiny.validate(JSON.parse(JSON.stringify(g))), g);
  }
});

test("the drawing has a box per layer, stem and classifier, and an edge per predecessor and per skip", () => {
  const svg = enasMacroSvg(genotype(), "a <title>");
  assert.match(svg, /^<svg [^>]*>.*<\/svg>$/s);
  assert.equal((svg.match(/<rect /g) ?? []).length, 3 + 2);
  // Edges: stem->0, 0->1, 1->2, the skips stem->1 and 0->2, and 2 into the classifier.
  assert.equal((svg.match(/<path d="M [^"]*" fill="none"/g) ?? []).length, 6);
  assert.match(svg, /then \/2/);
  assert.match(svg, /<title>a &lt;title&gt;<\/title>/);
});

test("a bad macro genotype is refused naming the field", () => {
  const space = new EnasMacroSpace(TINY);
  const field = (value: unknown) => {
    try {
      space.validate(value);
    } catch (error) {
      assert.ok(error instanceof GenotypeError, String(error));
      return error.field;
    }
    assert.fail("accepted");
  };
  const with_ = (i: number, layer: unknown) => ({ layers: genotype().layers.map((l, j) => (j === i ? layer : l)) });
  assert.equal(field({ layers: genotype().layers.slice(0, 2) }), "layers");
  assert.equal(field(with_(1, { op: "identity", skips: [0] })), "layers[1].op");
  assert.equal(field(with_(2, { op: "conv_5x5", skips: [1] })), "layers[2].skips");
  assert.equal(field(with_(2, { op: "conv_5x5", skips: [1, 2] })), "layers[2].skips[1]");
  assert.equal(field(with_(0, "conv_3x3")), "layers[0]");
  assert.equal(field([]), "genotype");
});

test("two architectures that put the same op at the same layer read the same variables, and a step on one moves the other", async () => {
  await initBackend({ NASBOOK_BACKEND: "wasm" });
  const supernet = new EnasMacroSinglePath(TINY, SHAPE, CLASSES, new Rng(5));
  const [batch] = [...tinySubset(8, 1).batches(8)];
  const a = [op("conv_3x3"), op("sep_conv_3x3"), 0, op("conv_5x5"), 1, 0];
  const b = [op("avg_pool_3x3"), op("sep_conv_3x3"), 1, op("max_pool_3x3"), 0, 1];
  // The trainable ones: BatchNorm's running statistics take no gradient.
  const trainable = (i: number, name: (typeof ENAS_MACRO_OPS)[number]) => new Set(supernet.net.branchVariables(i, name).filter((v) => v.trainable).map((v) => v.name));
  const layer1 = trainable(1, "sep_conv_3x3");
  assert.ok(layer1.size > 0);
  for (const name of layer1) {
    assert.ok(reached(supernet, a, batch.x).has(name) && reached(supernet, b, batch.x).has(name), `${name}: layer 1's sep 3x3, read by both`);
  }
  const onlyA = trainable(0, "conv_3x3");
  for (const name of onlyA) assert.ok(!reached(supernet, b, batch.x).has(name), `${name}: layer 0's conv 3x3 is not b's`);

  const before = weightValues(supernet);
  const outputA = tf.tidy(() => supernet.apply(batch.x, false, a).arraySync());
  const trainer = new SharedWeightsTrainer(supernet, { ...ENAS_SHARED_WEIGHTS, batchSize: 8 });
  trainer.step(batch, b, 0);
  const after = weightValues(supernet);
  const moved = (name: string) => after.get(name)!.some((v, i) => v !== before.get(name)![i]);
  for (const name of layer1) assert.ok(moved(name), `${name} learned from b's step`);
  for (const name of onlyA) assert.ok(!moved(name), `${name} is not b's and stays`);
  assert.notDeepEqual(tf.tidy(() => supernet.apply(batch.x, false, a).arraySync()), outputA, "a's output moved with b's step");
  tf.dispose([batch.x, batch.y]);
  trainer.dispose();
  supernet.dispose();
});

test("a macro architecture builds a network of its ops alone that classifies and frees its tensors", async () => {
  await initBackend({ NASBOOK_BACKEND: "wasm" });
  const space = new EnasMacroSpace(TINY);
  const tensors = tf.memory().numTensors;
  const net = space.build(genotype(), SHAPE, CLASSES, new Rng(1));
  const supernet = new EnasMacroSinglePath(TINY, SHAPE, CLASSES, new Rng(1));
  assert.ok(net.paramCount() > 0 && net.paramCount() < supernet.weights().reduce((n, v) => n + v.size, 0), "one op per layer, not six");
  assert.ok(net.macs() > 0);
  const logits = tf.tidy(() => net.apply(tf.randomNormal([4, ...SHAPE]) as tf.Tensor4D, true));
  assert.deepEqual(logits.shape, [4, CLASSES]);
  logits.dispose();
  net.dispose();
  supernet.dispose();
  assert.equal(tf.memory().numTensors, tensors);
});

test("the skip penalty is the mean over layers of the summed KL(p || 0.4), and with equal rewards it is the whole loss, weighted 0.8", async () => {
  await initBackend({ NASBOOK_BACKEND: "wasm" });
  // A batch of two sequences, two layers: skip probabilities (0.5, 0.9) into one and 0.2 into the other in the first, 0.4 everywhere in the second.
  const skips = [[0.5, 0.4], [0.9, 0.4], [0.2, 0.4]];
  const logProbs = tf.tensor3d(skips.map((anchor) => anchor.map((q) => [Math.log(1 - q), Math.log(q)])));
  const byHand = (kl(0.5, 0.4) + kl(0.9, 0.4) + kl(0.2, 0.4)) / 2;
  const [first, atTarget] = skipPenalty({ logProbs, groups: 2 }, 0.4).dataSync();
  assert.ok(Math.abs(first - byHand) < 1e-6);
  assert.ok(Math.abs(atTarget) < 1e-7, "no penalty at the target");
  logProbs.dispose();

  const space = new EnasMacroSpace(TINY);
  const controller = new ReinforceController(space, 3, { ...ENAS_MACRO_CONTROLLER, batchSize: 1, entropyWeight: 0, reward: () => 0 });
  controller.reward(controller.ask(), 0.5);
  const [update] = controller.updates;
  assert.equal(update.baseline, 0.5, "the first batch is its own baseline: no advantage");
  // Decisions: op 0, op 1, skip (1 <- 0), op 2, skips (2 <- 0), (2 <- 1).
  const p = update.probabilities.map((row) => row[1]);
  const penalty = (kl(p[2], 0.4) + kl(p[4], 0.4) + kl(p[5], 0.4)) / 2;
  assert.ok(Math.abs(update.loss - 0.8 * penalty) < 1e-6, `loss ${update.loss} = 0.8 * ${penalty}`);
  controller.dispose();
});

test("with equal rewards the skip penalty alone pulls the controller's skip rate to its target", async () => {
  await initBackend({ NASBOOK_BACKEND: "wasm" });
  const space = new EnasMacroSpace({ layers: 4, channels: 2 });
  const tensors = tf.memory().numTensors;
  const controller = new ReinforceController(space, 7, {
    ...ENAS_MACRO_CONTROLLER, learningRate: 0.05, batchSize: 2, entropyWeight: 0, skipPenalty: { target: 0.1, weight: 0.8 }, reward: () => 0,
  });
  for (let k = 0; k < 2 * 40; k++) controller.reward(controller.ask(), 0.5);
  const rates = controller.updates.map((u) => expectedSkipRate(space, u.probabilities));
  assert.ok(Math.abs(rates[0] - 0.5) < 0.1, `starts near 1/2 (${rates[0]})`);
  assert.ok(rates.at(-1)! < 0.2, `ends near the target 0.1 (${rates.at(-1)})`);
  controller.dispose();
  assert.equal(tf.memory().numTensors, tensors, "no tensor outlives the controller");
});

test("a macro search at smoke scale, with the controller or uniform sampling, derives a valid architecture and leaves no tensor behind", async () => {
  await initBackend({ NASBOOK_BACKEND: "wasm" });
  const tensors = tf.memory().numTensors;
  for (const sampler of ["controller", "uniform"] as const) {
    const result = await runEnasMacroSearch({ sampler, seed: 1, scale: "smoke", train: tinySubset(64, 2) });
    assert.equal(result.history.length, result.config.epochs);
    assert.deepEqual(new EnasMacroSpace(enasMacroPreset("smoke").space).validate(result.genotype), result.genotype);
    assert.equal(result.history.every((e) => e.probabilities !== null), sampler === "controller", "only the controller has distributions");
  }
  assert.equal(tf.memory().numTensors, tensors, "no tensor outlives a search");
});
