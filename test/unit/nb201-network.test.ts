import { test } from "node:test";
import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { initBackend } from "../../lib/backend/select";
import { Rng } from "../../lib/core/random";
import type { ImageShape } from "../../lib/core/types";
import { MomentumSGD } from "../../lib/nn/sgd";
import { nb201CanonicalKey } from "../../lib/spaces/nb201/canonical";
import { computedEdges } from "../../lib/spaces/nb201/cell";
import { parseNb201, type Nb201Genotype } from "../../lib/spaces/nb201/genotypes";
import { Nb201Network } from "../../lib/spaces/nb201/network";
import { Nb201Space } from "../../lib/spaces/nb201/space";

const ALL_CONV = "|nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_3x3~1|+|nor_conv_3x3~0|nor_conv_3x3~1|nor_conv_3x3~2|";
const ALL_NONE = "|none~0|+|none~0|none~1|+|none~0|none~1|none~2|";
const MID = "|nor_conv_3x3~0|+|nor_conv_3x3~0|avg_pool_3x3~1|+|skip_connect~0|nor_conv_3x3~1|skip_connect~2|";
const tiny = { cellsPerStage: 1, channels: 4 };

function network(text: string | Nb201Genotype, input: ImageShape, options = tiny, seed = 1): Nb201Network {
  const genotype = typeof text === "string" ? parseNb201(text) : text;
  return new Nb201Network(genotype, options, input, 10, new Rng(seed));
}

/** Logits of `net` on a fixed random batch, as numbers. */
function logits(net: Nb201Network, input: ImageShape, training = true): Float32Array {
  return tf.tidy(() => net.apply(tf.randomNormal([4, ...input], 0, 1, "float32", 7) as tf.Tensor4D, training).dataSync() as Float32Array);
}

function maxDifference(a: Float32Array, b: Float32Array): number {
  return a.reduce((m, v, i) => Math.max(m, Math.abs(v - b[i])), 0);
}

test("logits have shape [batch, classes] for CIFAR, Fashion-MNIST and odd sizes; nothing leaks", async () => {
  await initBackend({ NASBOOK_BACKEND: "wasm" });
  for (const input of [[32, 32, 3], [28, 28, 1], [15, 15, 1], [7, 7, 2]] as ImageShape[]) {
    for (const cell of [MID, ALL_NONE]) {
      const before = tf.memory().numTensors;
      const net = network(cell, input);
      assert.ok(net.macs() > 0 && net.paramCount() > 0);
      for (const training of [true, false]) {
        const out = logits(net, input, training);
        assert.equal(out.length, 40, `${input} ${cell}`);
        assert.ok(out.every(Number.isFinite));
      }
      net.dispose();
      assert.equal(tf.memory().numTensors, before, `${input} ${cell}`);
    }
  }
});

test("the space builds at the width the multiplier asks for", async () => {
  await initBackend({ NASBOOK_BACKEND: "wasm" });
  const space = new Nb201Space({ cellsPerStage: 1, channels: 8 });
  const genotype = parseNb201(ALL_CONV);
  const half = space.build(genotype, [8, 8, 1], 10, new Rng(1), { widthMultiplier: 0.5 });
  const direct = network(ALL_CONV, [8, 8, 1], { cellsPerStage: 1, channels: 4 });
  assert.equal(half.paramCount(), direct.paramCount());
  half.dispose();
  direct.dispose();
});

test("the paper-size network on CIFAR-10 has NAS-Bench-201's parameters and multiply-adds", async () => {
  await initBackend({ NASBOOK_BACKEND: "wasm" });
  // NAS-Bench-201 reports, for CIFAR-10, params from 0.073306 MB (all none) to 1.531546 MB (all
  // nor_conv_3x3) and FLOPs from 7.78305 M to 220.11969 M (conv and linear multiply-adds).
  // Parameters by hand, C = 16, N = 5, weights plus BatchNorm's scale and shift (conv kxk: k*k*in*out):
  //   stem 3*3*3*16 + 32 = 464
  //   stage 1: 5 cells * 6 edges * (3*3*16*16 + 32) = 70,080
  //   block 16->32: (3*3*16*32 + 64) + (3*3*32*32 + 64) + 16*32 = 14,464
  //   stage 2: 5 * 6 * (3*3*32*32 + 64) = 278,400
  //   block 32->64: (3*3*32*64 + 128) + (3*3*64*64 + 128) + 32*64 = 57,600
  //   stage 3: 5 * 6 * (3*3*64*64 + 128) = 1,109,760
  //   last BN 128, classifier 64*10 + 10 = 650
  // total 1,531,546; without the cells' 30 convs per stage, 73,306.
  const full = network(ALL_CONV, [32, 32, 3], { cellsPerStage: 5, channels: 16 });
  const empty = network(ALL_NONE, [32, 32, 3], { cellsPerStage: 5, channels: 16 });
  assert.equal(full.paramCount(), 1531546);
  assert.equal(empty.paramCount(), 1531546 - 30 * (2304 + 32 + 9216 + 64 + 36864 + 128));
  assert.equal(empty.paramCount(), 73306);
  // nasbook also counts BatchNorm (2 per output value) and not the classifier's 10 bias adds:
  // the skeleton has BN on 32*32*16 (stem), 2 * 16*16*32, 2 * 8*8*64 and 8*8*64 (last) values,
  // each cell conv one more at its stage's size, 30 per stage.
  const skeletonBn = 2 * (32 * 32 * 16 + 2 * 16 * 16 * 32 + 2 * 8 * 8 * 64 + 8 * 8 * 64);
  const cellBn = 30 * 2 * (32 * 32 * 16 + 16 * 16 * 32 + 8 * 8 * 64);
  assert.equal(empty.macs(), 7783050 - 10 + skeletonBn);
  assert.equal(full.macs(), 220119690 - 10 + skeletonBn + cellBn);
  full.dispose();
  empty.dispose();
});

test("a few SGD steps on a tiny batch lower the loss", async () => {
  await initBackend({ NASBOOK_BACKEND: "wasm" });
  const net = network(MID, [12, 12, 1]);
  const x = tf.randomNormal([8, 12, 12, 1], 0, 1, "float32", 3) as tf.Tensor4D;
  const y = tf.oneHot(tf.tensor1d([0, 1, 2, 3, 4, 5, 6, 7], "int32"), 10);
  const sgd = new MomentumSGD(net.trainableVariables);
  const losses: number[] = [];
  for (let step = 0; step < 8; step++) {
    const loss = sgd.minimize(() => tf.losses.softmaxCrossEntropy(y, net.apply(x, true)) as tf.Scalar, 0.05);
    losses.push(loss.dataSync()[0]);
    loss.dispose();
  }
  assert.ok(losses[7] < 0.7 * losses[0], `losses ${losses.map((l) => l.toFixed(3)).join(", ")}`);
  tf.dispose([x, y]);
  sgd.dispose();
  net.dispose();
});

test("edges the network does not compute do not change its output (same seed, other ops there)", async () => {
  await initBackend({ NASBOOK_BACKEND: "wasm" });
  const space = new Nb201Space(tiny);
  const rng = new Rng(11);
  const input: ImageShape = [8, 8, 2];
  let compared = 0;
  while (compared < 12) {
    const g = space.sample(rng);
    const dead = computedEdges(g).flatMap((c, k) => (c ? [] : [k]));
    if (dead.length === 0) continue;
    const other = { edges: [...g.edges] };
    for (const k of dead) other.edges[k] = space.sample(rng).edges[k];
    if (computedEdges(other).join() !== computedEdges(g).join()) continue;
    const [a, b] = [network(g, input), network(other, input)];
    assert.equal(maxDifference(logits(a, input), logits(b, input)), 0, `${space.describe(g)} vs ${space.describe(other)}`);
    a.dispose();
    b.dispose();
    compared++;
  }
});

/** Gives `to`'s op on edge `edgeTo` the weights of `from`'s op on edge `edgeFrom`, in every cell. */
function copyEdge(from: Nb201Network, edgeFrom: number, to: Nb201Network, edgeTo: number): void {
  from.cells.forEach((cell, i) => {
    const source = cell.operations[edgeFrom]!.variables();
    to.cells[i].operations[edgeTo]!.variables().forEach((v, j) => v.assign(source[j]));
  });
}

test("isomorphic cells with the same canonical key compute the same function given the same weights", async () => {
  await initBackend({ NASBOOK_BACKEND: "wasm" });
  const input: ImageShape = [8, 8, 2];
  const cases: Array<[string, string, Array<[number, number]>]> = [
    // conv(skip(x)) through node 2 vs conv(x) on edge 2<-0: the conv moves from edge 2 to edge 1.
    ["|skip_connect~0|+|none~0|nor_conv_3x3~1|+|none~0|none~1|skip_connect~2|", "|none~0|+|nor_conv_3x3~0|none~1|+|none~0|none~1|skip_connect~2|", [[2, 1]]],
    // Node 1 copies the input, so node 2's two ops may swap sources.
    ["|skip_connect~0|+|nor_conv_3x3~0|avg_pool_3x3~1|+|none~0|none~1|skip_connect~2|", "|skip_connect~0|+|avg_pool_3x3~0|nor_conv_3x3~1|+|none~0|none~1|skip_connect~2|", [[1, 2]]],
  ];
  for (const [left, right, moves] of cases) {
    assert.equal(nb201CanonicalKey(parseNb201(left)), nb201CanonicalKey(parseNb201(right)));
    const [a, b] = [network(left, input), network(right, input)];
    for (const [edgeA, edgeB] of moves) copyEdge(a, edgeA, b, edgeB);
    assert.ok(maxDifference(logits(a, input), logits(b, input)) < 1e-5, `${left} vs ${right}`);
    a.dispose();
    b.dispose();
  }
});
