import { before, test } from "node:test";
import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { initBackend } from "../../lib/backend/select";
import { Rng } from "../../lib/core/random";
import { pairwiseAccuracy } from "../../lib/core/rank-correlation";
import { Nb201Space } from "../../lib/spaces/nb201";
import { NaoModel } from "../../lib/strategies/nao/model";
import { moveAlongPredictor } from "../../lib/strategies/nao/gradient-move";

const space = new Nb201Space();

/**
 * A synthetic accuracy over NB201's six edges: each op has a worth (convolutions best, none
 * worst), and an edge into the output counts double, so the function has a structure to learn.
 */
const OP_WORTH = [0, 0.4, 0.7, 1, 0.2];
function synthetic(tokens: readonly number[]): number {
  const intoOutput = new Set([3, 4, 5]);
  return tokens.reduce((sum, t, k) => sum + OP_WORTH[t] * (intoOutput.has(k) ? 2 : 1), 0) / 9;
}

function distinctSample(count: number, rng: Rng): number[][] {
  const seen = new Set<string>();
  const out: number[][] = [];
  while (out.length < count) {
    const tokens = space.encode(space.sample(rng));
    if (seen.has(tokens.join())) continue;
    seen.add(tokens.join());
    out.push(tokens);
  }
  return out;
}

const all = distinctSample(140, new Rng(3));
const train = all.slice(0, 60);
const heldOut = all.slice(60);

/** The paper's model narrowed (hidden 96 -> 32, predictor 200 -> 64 units, Adam 1e-3 -> 1e-2) so the tests train in seconds. */
const EPOCHS = 40;
const SMALL = { hiddenSize: 32, embeddingSize: 16, predictorUnits: 64 };

/** One model trained on the 60 training architectures, shared by the tests that read it. */
let trained: NaoModel;
let trainSeconds = 0;
before(async () => {
  await initBackend({ NASBOOK_BACKEND: "wasm" });
  const start = performance.now();
  trained = new NaoModel(space.decisions(), { ...SMALL, learningRate: 1e-2 }, new Rng(11));
  trained.train(train, train.map(synthetic), EPOCHS, 20, new Rng(12));
  trainSeconds = (performance.now() - start) / 1000;
});

test("after training, decoding an encoded training architecture gives it back", () => {
  const decoded = trained.reconstruct(train);
  const exact = decoded.filter((row, i) => row.join() === train[i].join()).length;
  assert.ok(exact >= 0.9 * train.length, `${exact} of ${train.length} reconstructed exactly (trained in ${trainSeconds.toFixed(1)} s)`);
});

test("the predictor orders unseen architectures of a synthetic accuracy far better than chance", () => {
  const accuracy = pairwiseAccuracy(trained.predict(heldOut), heldOut.map(synthetic));
  assert.ok(accuracy > 0.75, `pairwise accuracy ${accuracy.toFixed(3)} on ${heldOut.length} held-out architectures (chance 0.5)`);
});

test("a small step along df/dh raises the predicted accuracy of every architecture", () => {
  const { predicted, moves } = moveAlongPredictor(trained, heldOut.slice(0, 20), [0.5]);
  moves.forEach(([moved], i) => assert.ok(moved.predicted > predicted[i], `architecture ${i}: f ${predicted[i]} -> ${moved.predicted}`));
});

test("larger steps decode to architectures the synthetic function scores higher", () => {
  const start = heldOut.filter((t) => synthetic(t) < 0.5).slice(0, 10);
  const { moves } = moveAlongPredictor(trained, start, [5, 20, 50]);
  const changed = moves.map((row) => row[row.length - 1].tokens);
  const gain = changed.reduce((s, t, i) => s + synthetic(t) - synthetic(start[i]), 0) / start.length;
  assert.ok(gain > 0, `mean synthetic gain of the decoded moves ${gain.toFixed(3)}`);
});

test("the same seed trains the same model; another seed another", () => {
  const run = (seed: number) => {
    const model = new NaoModel(space.decisions(), { predictorUnits: 16, hiddenSize: 12, embeddingSize: 6 }, new Rng(seed));
    model.train(train.slice(0, 10), train.slice(0, 10).map(synthetic), 3, 5, new Rng(seed + 1));
    const out = JSON.stringify([model.predict(heldOut.slice(0, 5)), model.reconstruct(heldOut.slice(0, 5))]);
    model.dispose();
    return out;
  };
  assert.equal(run(5), run(5));
  assert.notEqual(run(5), run(6));
});

test("training, predicting, moving and decoding leave no tensor behind", () => {
  const model = new NaoModel(space.decisions(), { predictorUnits: 16, hiddenSize: 12, embeddingSize: 6 }, new Rng(1));
  const work = () => {
    model.train(train.slice(0, 8), train.slice(0, 8).map(synthetic), 2, 4, new Rng(2));
    model.predict(heldOut.slice(0, 4));
    model.reconstruct(heldOut.slice(0, 4));
    model.embed(heldOut.slice(0, 4));
    moveAlongPredictor(model, heldOut.slice(0, 4), [1, 2]);
  };
  work(); // Adam creates its moment variables on the first step.
  const before = tf.memory().numTensors;
  work();
  assert.equal(tf.memory().numTensors, before);
  model.dispose();
});
