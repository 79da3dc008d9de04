import { test } from "node:test";
import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { initBackend } from "../../lib/backend/select";
import { GenotypeError } from "../../lib/core/errors";
import { Rng } from "../../lib/core/random";
import { loadDataset, type DataSplits } from "../../lib/data";
import { encodeMemoryBank, encodingChannels } from "../../lib/spaces/smash/encoding";
import type { MemoryBankGenotype, MemoryBankSpaceOptions } from "../../lib/spaces/smash/genotypes";
import { dilateKernel, opKernelShapes, reluGroupedConv } from "../../lib/spaces/smash/network";
import { MemoryBankSpace } from "../../lib/spaces/smash/space";
import { GeneratedBankNetwork } from "../../lib/strategies/smash/generated-bank-network";
import { distinctDraws, scoreArchitectures } from "../../lib/strategies/smash/score";
import { HyperNetTraining } from "../../lib/strategies/smash/training";
import { assertGradientsMatchFiniteDifferences } from "./gradient-fixtures";

const OPTIONS: MemoryBankSpaceOptions = { blocks: 2, banks: 3, bankChannels: 2, maxOps: 2, maxLayers: 2, widthFactors: [1, 2], kernels: [1, 3], dilations: [1, 2], groups: [1, 2] };
const space = new MemoryBankSpace(OPTIONS);

/** Block 0: a wide grouped dilated op reading banks 0 and 2, then a 1x1 op writing every bank; block 1: one op reading all. */
const EXAMPLE: MemoryBankGenotype = {
  blocks: [
    {
      ops: [
        { reads: [0, 2], writes: [1], widthFactor: 2, layers: 2, kernel: 3, dilation: 2, groups: 2 },
        { reads: [1], writes: [0, 1, 2], widthFactor: 1, layers: 1, kernel: 1, dilation: 1, groups: 1 },
      ],
    },
    { ops: [{ reads: [0, 1, 2], writes: [2], widthFactor: 1, layers: 1, kernel: 3, dilation: 1, groups: 2 }] },
  ],
};

let splits: DataSplits | null = null;
async function data(): Promise<DataSplits> {
  await initBackend({ NASBOOK_BACKEND: "wasm" });
  splits ??= await loadDataset("fashion-mnist", { seed: 0, trainSize: 60, validSize: 40, testSize: 20, downsample: 2 });
  return splits;
}

/** `EXAMPLE` with one field replaced (a path of keys and indices). */
function broken(path: Array<string | number>, value: unknown): unknown {
  const copy = JSON.parse(JSON.stringify(EXAMPLE));
  let at = copy;
  for (const key of path.slice(0, -1)) at = at[key];
  at[path[path.length - 1]] = value;
  return copy;
}

test("memory-bank genotypes are validated field by field, each error naming its field", () => {
  assert.deepEqual(space.validate(EXAMPLE), EXAMPLE);
  const cases: Array<[unknown, string]> = [
    [null, "genotype"],
    [{ blocks: [EXAMPLE.blocks[0]] }, "blocks"],
    [broken(["blocks", 1, "ops"], []), "blocks[1].ops"],
    [broken(["blocks", 0, "ops", 1, "reads"], []), "blocks[0].ops[1].reads"],
    [broken(["blocks", 0, "ops", 0, "reads"], [2, 0]), "blocks[0].ops[0].reads[1]"],
    [broken(["blocks", 0, "ops", 0, "writes"], [3]), "blocks[0].ops[0].writes[0]"],
    [broken(["blocks", 1, "ops", 0, "layers"], 3), "blocks[1].ops[0].layers"],
    [broken(["blocks", 1, "ops", 0, "kernel"], 5), "blocks[1].ops[0].kernel"],
    [broken(["blocks", 0, "ops", 1, "dilation"], 3), "blocks[0].ops[1].dilation"],
    [broken(["blocks", 0, "ops", 1, "groups"], 4), "blocks[0].ops[1].groups"],
    [broken(["blocks", 0, "ops", 1, "widthFactor"], 3), "blocks[0].ops[1].widthFactor"],
  ];
  for (const [value, field] of cases) {
    assert.throws(() => space.validate(value), (e: unknown) => e instanceof GenotypeError && e.field === field, `expected an error naming ${field}`);
  }
  // Options whose groups cannot split an op's width are refused when the space is made.
  assert.throws(() => new MemoryBankSpace({ ...OPTIONS, groups: [1, 4] }), /groups 4 does not divide/);
});

test("sampling draws every depth; tokens round-trip; a mutation changes the genotype and stays valid", () => {
  const rng = new Rng(4);
  const samples = Array.from({ length: 60 }, () => space.sample(rng));
  for (const g of samples) {
    assert.deepEqual(space.validate(g), g);
    assert.deepEqual(space.decode(space.encode(g)), g);
  }
  const depths = new Set(samples.map((g) => g.blocks.map((b) => b.ops.length).join(",")));
  assert.deepEqual([...depths].sort(), ["1,1", "1,2", "2,1", "2,2"]);
  for (const g of samples.slice(0, 20)) {
    const mutant = space.mutate(g, rng);
    assert.notDeepEqual(mutant, g);
    assert.deepEqual(space.validate(mutant), mutant);
  }
});

test("the encoding tensor writes each op's reads, writes and settings into named channel slices, zeros where nothing is", () => {
  const e = encodeMemoryBank(EXAMPLE, OPTIONS);
  assert.deepEqual(e.rows, ["b0.op0", "b0.op1", "b1.op0", "b1.op1"]);
  assert.deepEqual(e.columns, ["1x1", "conv1", "conv2"]);
  assert.deepEqual(e.channels, encodingChannels(OPTIONS));
  const on = (row: number, column: number) => e.channels.filter((_, c) => e.values[row][column][c] === 1);
  assert.deepEqual(on(0, 0), ["read0", "read2", "write1", "block0", "width2", "present"]);
  assert.deepEqual(on(0, 2), ["read0", "read2", "write1", "block0", "width2", "kernel3", "dilation2", "groups2", "present", "last"]);
  assert.deepEqual(on(1, 1), ["read1", "write0", "write1", "write2", "block0", "width1", "kernel1", "dilation1", "groups1", "present", "last"]);
  assert.deepEqual(on(1, 2), []);
  assert.deepEqual(on(2, 0), ["read0", "read1", "read2", "write2", "block1", "width1", "present"]);
  for (const column of [0, 1, 2]) assert.deepEqual(on(3, column), []);
});

test("dilated and grouped convolutions match tfjs's own dilation and per-group convolutions", async () => {
  await data();
  tf.tidy(() => {
    const x = tf.randomNormal([2, 7, 7, 4], 0, 1, "float32", 1) as tf.Tensor4D;
    const kernel = tf.randomNormal([3, 3, 2, 6], 0, 1, "float32", 2) as tf.Tensor4D;
    assert.deepEqual(dilateKernel(kernel, 2).shape, [5, 5, 2, 6]);
    const ours = reluGroupedConv(x, kernel, 2, 2);
    const [x0, x1] = tf.split(tf.relu(x), 2, 3) as tf.Tensor4D[];
    const [k0, k1] = tf.split(kernel, 2, 3) as tf.Tensor4D[];
    const reference = tf.concat([tf.conv2d(x0, k0, 1, "same", "NHWC", 2), tf.conv2d(x1, k1, 1, "same", "NHWC", 2)], 3);
    assert.ok(tf.max(tf.abs(tf.sub(ours, reference))).dataSync()[0] < 1e-4);
  });
});

test("the HyperNet generates exactly the kernel shapes the sampled network needs, and the network runs on them", async () => {
  const { train } = await data();
  const network = new GeneratedBankNetwork(OPTIONS, { hidden: 3 }, [14, 14, 1], 10, new Rng(1));
  const before = tf.memory().numTensors;
  assert.deepEqual(network.hypernet.generatedShapes(EXAMPLE), [
    [
      { read: [1, 1, 4, 4], convs: [[3, 3, 2, 4], [3, 3, 2, 2]] },
      { read: [1, 1, 2, 2], convs: [[1, 1, 2, 2]] },
    ],
    [{ read: [1, 1, 12, 4], convs: [[3, 3, 2, 4]] }],
  ]);
  const rng = new Rng(2);
  for (let n = 0; n < 10; n++) {
    const g = space.sample(rng);
    const expected = g.blocks.map((block, b) => block.ops.map((op) => opKernelShapes(op, network.bankWidths()[b])));
    assert.deepEqual(network.hypernet.generatedShapes(g), expected);
  }
  const batch = train.take(4).batches(4).next().value!;
  const logits = tf.tidy(() => network.apply(batch.x, EXAMPLE).shape);
  assert.deepEqual(logits, [4, 10]);
  // A network trained from scratch holds kernels of the same shapes as variables.
  const own = space.build(EXAMPLE, [14, 14, 1], 10, new Rng(3));
  const shapes = own.trainableVariables.map((v) => v.shape.join("x"));
  for (const s of ["1x1x12x4", "3x3x2x4", "3x3x2x2", "1x1x2x2"]) assert.ok(shapes.includes(s), `built network has a ${s} kernel`);
  assert.ok(own.macs() > 0);
  own.dispose();
  tf.dispose([batch.x, batch.y]);
  assert.equal(tf.memory().numTensors, before);
  network.dispose();
});

test("the loss's gradient reaches every HyperNet parameter the architecture uses, agreeing with finite differences; the others get none", async () => {
  await data();
  const network = new GeneratedBankNetwork(OPTIONS, { hidden: 8 }, [8, 8, 1], 4, new Rng(2));
  const x = tf.randomNormal([6, 8, 8, 1], 0, 1, "float32", 5) as tf.Tensor4D;
  const labels = tf.oneHot(tf.tensor1d([0, 1, 2, 3, 0, 1], "int32"), 4).toFloat() as tf.Tensor2D;
  const loss = () => tf.losses.softmaxCrossEntropy(labels, network.apply(x, EXAMPLE)) as tf.Scalar;
  const used = network.hypernet.usedVariables(EXAMPLE);
  // Trunk (4) and five heads: 0 read, 0 3x3 g2, 0 1x1 g1, 1 read, 1 3x3 g2.
  assert.equal(used.length, 4 + 2 * 5);
  assertGradientsMatchFiniteDifferences(loss, used);
  const unused = network.hypernet.variables().filter((v) => !used.includes(v));
  const { grads, value } = tf.variableGrads(loss, [...used, ...unused]);
  for (const v of unused) assert.ok(!grads[v.name] || tf.max(tf.abs(grads[v.name])).dataSync()[0] === 0, `${v.name} is not used by the architecture`);
  tf.dispose([x, labels, value, ...Object.values(grads)]);
  network.dispose();
});

test("training and scores are the same for a seed, differ across seeds, and leave no tensor behind", async () => {
  const { train, valid } = await data();
  const config = { epochs: 1, batchSize: 20, learningRate: 0.05, momentum: 0.9, weightDecay: 3e-4, gradClip: 5 };
  const rng = new Rng(7);
  const candidates = distinctDraws(3, () => space.sample(rng), (g) => JSON.stringify(g));
  const before = tf.memory().numTensors;
  const run = async (seed: number) => {
    const network = new GeneratedBankNetwork(OPTIONS, { hidden: 3 }, [14, 14, 1], 10, new Rng(seed));
    const training = new HyperNetTraining(network, { ...config, seed });
    await training.trainEpoch(train);
    const scored = await scoreArchitectures(network, candidates, valid, 20);
    training.dispose();
    network.dispose();
    return { loss: training.history[0].loss, scores: scored.map((s) => s.score), arch: scored[0].arch };
  };
  const a = await run(1);
  const b = await run(1);
  const c = await run(2);
  assert.deepEqual(a, b);
  assert.notDeepEqual(a.loss, c.loss);
  assert.equal(a.arch, space.describe(candidates[0]));
  assert.ok(a.scores.every((s) => s >= 0 && s <= 1));
  assert.equal(tf.memory().numTensors, before);
});
