import { test } from "node:test";
import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { initBackend } from "../../lib/backend/select";
import { GenotypeError } from "../../lib/core/errors";
import { Rng } from "../../lib/core/random";
import type { Json, SearchSpace } from "../../lib/core/types";
import { MomentumSGD } from "../../lib/nn/sgd";
import { preprocessors, type CellPlan } from "../../lib/spaces/darts/skeleton";
import {
  NASNET_OPS,
  NasnetCell,
  NasnetSpace,
  cellSequence,
  nasnetFilters,
  nasnetSvg,
  planNasnetCells,
  unusedBlocks,
  type NasnetBlock,
  type NasnetGenotype,
} from "../../lib/spaces/nasnet";
import type { OperationName } from "../../lib/spaces/operations";
import { spaceFromSpec } from "../../lib/spaces/registry";
import { ENAS_MICRO_OPS } from "../../lib/spaces/enas/micro";

const tiny = { repeats: 1, channels: 4, stemMultiplier: 1 };
const ENAS_OPS = [...ENAS_MICRO_OPS];

/** Five blocks, all applying `op`, wired so that blocks 5 and 6 (states) are left unused. */
function uniformCell(op: OperationName): NasnetBlock[] {
  return [
    { inputs: [0, 1], ops: [op, op] },
    { inputs: [1, 1], ops: [op, op] },
    { inputs: [2, 0], ops: [op, op] },
    { inputs: [3, 1], ops: [op, op] },
    { inputs: [2, 4], ops: [op, op] },
  ];
}

function plan(type: "normal" | "reduce", reductionPrev: boolean): CellPlan {
  return { type, reductionPrev, prevPrevChannels: 6, prevChannels: 5, channels: 4 };
}

test("every NASNet op in a normal and a reduction cell: the output has the cell's resolution and C x (unused blocks) channels", async () => {
  await initBackend({ NASBOOK_BACKEND: "wasm" });
  assert.equal(NASNET_OPS.length, 13);
  const before = tf.memory().numTensors;
  for (const op of NASNET_OPS) {
    const blocks = uniformCell(op);
    assert.deepEqual(unusedBlocks(blocks), [5, 6]);
    for (const [type, reductionPrev] of [["normal", false], ["normal", true], ["reduce", false]] as const) {
      const cell = new NasnetCell(blocks, plan(type, reductionPrev), new Rng(1));
      // After a reduction, h_{i-2} is at twice the resolution of h_{i-1}.
      const s0 = tf.randomNormal([2, reductionPrev ? 14 : 7, reductionPrev ? 14 : 7, 6], 0, 1, "float32", 1) as tf.Tensor4D;
      const s1 = tf.randomNormal([2, 7, 7, 5], 0, 1, "float32", 2) as tf.Tensor4D;
      const side = type === "reduce" ? 4 : 7;
      const shape = tf.tidy(() => cell.apply(s0, s1, true).shape);
      assert.deepEqual(shape, [2, side, side, 2 * 4], `${op} in a ${type} cell${reductionPrev ? " after a reduction" : ""}`);
      tf.dispose([s0, s1]);
      for (const m of cell.modules) m.dispose();
    }
  }
  assert.equal(tf.memory().numTensors, before, "no tensor left behind");
});

test("a cell outputs exactly its unused blocks, concatenated in order", async () => {
  await initBackend({ NASBOOK_BACKEND: "wasm" });
  // All identities, so every block is a sum of the preprocessed inputs p0 and p1.
  const blocks: NasnetBlock[] = [
    { inputs: [0, 1], ops: ["skip_connect", "skip_connect"] }, // 2 = p0 + p1 (read by 3)
    { inputs: [2, 1], ops: ["skip_connect", "skip_connect"] }, // 3 = p0 + 2 p1 (unused)
    { inputs: [0, 0], ops: ["skip_connect", "skip_connect"] }, // 4 = 2 p0 (read by 6)
    { inputs: [1, 1], ops: ["skip_connect", "skip_connect"] }, // 5 = 2 p1 (unused)
    { inputs: [4, 0], ops: ["skip_connect", "skip_connect"] }, // 6 = 3 p0 (unused)
  ];
  assert.deepEqual(unusedBlocks(blocks), [3, 5, 6]);
  const p = plan("normal", false);
  const cell = new NasnetCell(blocks, p, new Rng(5));
  // The cell draws its preprocessors first, so the same seed gives the same ones.
  const [pre0, pre1] = preprocessors(p, { affine: true }, new Rng(5));
  const s0 = tf.randomNormal([2, 5, 5, 6], 0, 1, "float32", 3) as tf.Tensor4D;
  const s1 = tf.randomNormal([2, 5, 5, 5], 0, 1, "float32", 4) as tf.Tensor4D;
  const gap = tf.tidy(() => {
    const [p0, p1] = [pre0.apply(s0, false), pre1.apply(s1, false)];
    const expected = tf.concat([p0.add(p1.mul(2)), p1.mul(2), p0.mul(3)], 3);
    return tf.max(tf.abs(cell.apply(s0, s1, false).sub(expected))).dataSync()[0];
  });
  assert.ok(gap < 1e-5, `cell output differs from the concat of blocks 3, 5, 6 by ${gap}`);
  tf.dispose([s0, s1]);
  for (const m of [...cell.modules, pre0, pre1]) m.dispose();
});

test("N@F: 3N + 2 cells, channels doubling at the two reductions, F the last cell's output", () => {
  const genotype: NasnetGenotype = { normal: uniformCell("sep_conv_3x3"), reduce: uniformCell("max_pool_3x3") };
  assert.deepEqual(cellSequence(2), ["normal", "normal", "reduce", "normal", "normal", "reduce", "normal", "normal"]);
  const plans = planNasnetCells(genotype, { repeats: 2, channels: 32 });
  assert.deepEqual(plans.map((p) => p.channels), [32, 32, 64, 64, 64, 128, 128, 128]);
  assert.deepEqual(plans.map((p) => p.reductionPrev), [false, false, false, true, false, false, true, false]);
  // Two unused blocks per cell: every cell outputs 2C channels; the stem 3C.
  assert.deepEqual(plans.map((p) => p.prevChannels), [96, 64, 64, 128, 128, 128, 256, 256]);
  assert.equal(nasnetFilters(genotype, { repeats: 2, channels: 32 }), 256);
  assert.throws(() => planNasnetCells(genotype, { repeats: 2, channels: 5 }), /even/);
});

test("random genotypes build, train a step on real gradients, and leave no tensor behind", async () => {
  await initBackend({ NASBOOK_BACKEND: "wasm" });
  const space = new NasnetSpace(tiny);
  const rng = new Rng(7);
  const x = tf.randomNormal([4, 12, 12, 1], 0, 1, "float32", 3) as tf.Tensor4D;
  const y = tf.oneHot(tf.tensor1d([0, 1, 2, 3], "int32"), 10);
  const before = tf.memory().numTensors;
  for (let trial = 0; trial < 3; trial++) {
    const net = space.build(space.sample(rng), [12, 12, 1], 10, rng.fork());
    const sgd = new MomentumSGD(net.trainableVariables);
    const weights = net.trainableVariables.map((v) => v.dataSync().slice());
    const loss = sgd.minimize(() => tf.losses.softmaxCrossEntropy(y, net.apply(x, true)) as tf.Scalar, 0.05);
    assert.ok(Number.isFinite(loss.dataSync()[0]), "finite loss");
    const changed = net.trainableVariables.filter((v, i) => v.dataSync().some((w, k) => w !== weights[i][k])).length;
    assert.ok(changed > net.trainableVariables.length / 2, `${changed} of ${net.trainableVariables.length} variables moved`);
    loss.dispose();
    sgd.dispose();
    net.dispose();
    assert.equal(tf.memory().numTensors, before, `trial ${trial}: tensors do not grow`);
  }
  tf.dispose([x, y]);
});

test("genotypes round-trip through JSON and the token encoding; the grammar has 2 x 4B decisions", () => {
  const space = new NasnetSpace(tiny);
  const decisions = space.decisions();
  assert.equal(decisions.length, 40);
  assert.deepEqual(decisions.slice(12, 16).map((d) => [d.name, d.choices]), [
    ["normal.block3.input0", 5],
    ["normal.block3.input1", 5],
    ["normal.block3.op0", 13],
    ["normal.block3.op1", 13],
  ]);
  const rng = new Rng(2);
  for (let i = 0; i < 50; i++) {
    const g = space.sample(rng);
    assert.deepEqual(space.validate(JSON.parse(JSON.stringify(g))), g);
    const tokens = space.encode(g);
    tokens.forEach((t, k) => assert.ok(t >= 0 && t < decisions[k].choices, `token ${k}`));
    assert.deepEqual(space.decode(tokens), g);
  }
  assert.throws(() => space.decode(new Array(40).fill(0).map((_, k) => (k === 1 ? 2 : 0))), /tokens\[1\] \(normal.block0.input1\)/);
});

test("validation names the bad field", () => {
  const space = new NasnetSpace(tiny);
  const good = space.sample(new Rng(3));
  const broken = (edit: (g: NasnetGenotype) => void) => {
    const g = structuredClone(good);
    edit(g);
    return g;
  };
  const cases: Array<[NasnetGenotype | Json, RegExp]> = [
    [broken((g) => (g.reduce[3].ops[1] = "none")), /reduce\[3\]\.ops\[1\] must be one of/],
    [broken((g) => (g.normal[0].inputs[1] = 2)), /normal\[0\]\.inputs\[1\] must be an integer in \[0, 2\)/],
    [broken((g) => g.normal.pop()), /normal must be an array of 5 blocks/],
    [broken((g) => (g.reduce[2].inputs = [0])), /reduce\[2\]\.inputs must be an array of two/],
  ];
  for (const [value, message] of cases) assert.throws(() => space.validate(value), (e: unknown) => e instanceof GenotypeError && message.test(e.message));
  assert.throws(() => new NasnetSpace({ ...tiny, ops: ["sep_conv_3x3", "sep_conv_3x3"] }), /ops\[1\] repeats/);
  assert.throws(() => new NasnetSpace({ ...tiny, ops: ["conv_9x9" as OperationName] }), /ops\[0\] must be one of/);
});

test("a mutation changes exactly one input or one op of one block, and both kinds happen", () => {
  const space = new NasnetSpace(tiny);
  const rng = new Rng(4);
  const kinds = new Set<string>();
  let g = space.sample(rng);
  for (let i = 0; i < 200; i++) {
    const child = space.mutate(g, rng);
    const [a, b] = [space.encode(g), space.encode(child)];
    const diff = a.flatMap((t, k) => (t === b[k] ? [] : [space.decisions()[k].name]));
    assert.equal(diff.length, 1, `mutation ${i} changed ${diff.join(", ")}`);
    kinds.add(diff[0].replace(/.*\.(input|op)\d$/, "$1"));
    g = child;
  }
  assert.deepEqual([...kinds].sort(), ["input", "op"]);
});

test("the op set is a parameter: a restricted space (ENAS's 5 ops) built from the registry samples, encodes and refuses only within it", () => {
  const space = spaceFromSpec({ kind: "nasnet", options: { ...tiny, ops: ENAS_OPS } }) as unknown as SearchSpace<NasnetGenotype>;
  assert.ok(space.decisions().filter((d) => d.name.endsWith("op0")).every((d) => d.choices === 5));
  const rng = new Rng(8);
  const seen = new Set<string>();
  for (let i = 0; i < 40; i++) for (const b of [...space.sample(rng).normal, ...space.sample(rng).reduce]) b.ops.forEach((op) => seen.add(op));
  assert.deepEqual([...seen].sort(), [...ENAS_OPS].sort());
  const g = space.sample(rng);
  g.normal[0].ops[0] = "conv_3x3";
  assert.throws(() => space.validate(g), /normal\[0\]\.ops\[0\] must be one of "sep_conv_3x3"/);
});

test("size() counts every token sequence: the product of the decisions' choices", () => {
  for (const options of [{ ...tiny, blocks: 1, ops: ["skip_connect", "conv_1x1"] as OperationName[] }, { ...tiny, ops: ENAS_OPS }, tiny]) {
    const space = new NasnetSpace(options);
    const product = space.decisions().reduce((n, d) => n * BigInt(d.choices), 1n);
    assert.equal(space.size(), product);
  }
  assert.equal(new NasnetSpace({ ...tiny, blocks: 1, ops: ["skip_connect", "conv_1x1"] }).size(), 256n);
  // NASNet's 13 ops, B = 5: (720^2 x 13^10)^2, about 5.1e33 cell pairs.
  assert.equal(new NasnetSpace(tiny).size(), (720n ** 2n * 13n ** 10n) ** 2n);
});

test("the drawing shows both cells, every op used, and one dashed arrow per concatenated block", () => {
  const genotype: NasnetGenotype = { normal: uniformCell("sep_conv_5x5"), reduce: uniformCell("max_pool_7x7") };
  const svg = nasnetSvg(genotype, "test");
  assert.ok(svg.includes("test normal cell") && svg.includes("test reduction cell"));
  assert.equal(svg.match(/>sep_conv_5x5</g)?.length, 10);
  assert.equal(svg.match(/>max_pool_7x7</g)?.length, 10);
  assert.equal(svg.match(/stroke-dasharray/g)?.length, 4);
});
