import { before, test } from "node:test";
import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { initBackend } from "../../lib/backend/select";
import { NasnetSpace } from "../../lib/spaces/nasnet";
import { ok, sepShare } from "./nasnet-fixtures";
import { NASNET_CONTROLLER, PpoController, clippedSurrogateLoss } from "../../lib/strategies/controller/ppo";
import { ReinforceController } from "../../lib/strategies/controller/reinforce";

before(async () => {
  await initBackend({ NASBOOK_BACKEND: "wasm" });
});

/** Two blocks, three ops: 16 decisions, small enough to learn in a few dozen updates. */
const small = new NasnetSpace({ repeats: 1, channels: 4, blocks: 2, ops: ["skip_connect", "sep_conv_3x3", "max_pool_3x3"] });



test("the paper's settings: 1-layer LSTM of 100 units, lr 3.5e-4, entropy 1e-5, baseline decay 0.95", () => {
  assert.deepEqual(
    [NASNET_CONTROLLER.lstmLayers, NASNET_CONTROLLER.units, NASNET_CONTROLLER.learningRate, NASNET_CONTROLLER.entropyWeight, NASNET_CONTROLLER.baselineDecay],
    [1, 100, 3.5e-4, 1e-5, 0.95],
  );
});

test("the clipped surrogate and its gradient match a hand computation", () => {
  // Ratios 1.5, 0.5, 1.5, 0.5 with advantages 2, 1, -1, -2 and eps = 0.2:
  //   min(3, 1.2 * 2) = 2.4 (clipped), min(0.5, 0.8) = 0.5, min(-1.5, -1.2) = -1.5, min(-1, -1.6) = -1.6 (clipped)
  // loss = -(2.4 + 0.5 - 1.5 - 1.6) / 4 = 0.05. Where the clip is active the gradient is 0; elsewhere
  // d loss / d log p_k = -r_k A_k / m: -0.125 and +0.375.
  const old = [Math.log(0.2), Math.log(0.4), Math.log(0.1), Math.log(0.6)];
  const ratios = [1.5, 0.5, 1.5, 0.5];
  const advantages = [2, 1, -1, -2];
  const logProbs = tf.tensor1d(old.map((o, k) => o + Math.log(ratios[k])));
  const f = (lp: tf.Tensor) => clippedSurrogateLoss(lp as tf.Tensor1D, old, advantages, 0.2);
  const loss = f(logProbs).dataSync()[0];
  assert.ok(Math.abs(loss - 0.05) < 1e-6, `loss ${loss}`);
  const grads = tf.tidy(() => Array.from(tf.grad(f)(logProbs).dataSync()));
  [0, -0.125, 0.375, 0].forEach((expected, k) => assert.ok(Math.abs(grads[k] - expected) < 1e-6, `gradient ${k}: ${grads[k]} vs ${expected}`));
  logProbs.dispose();
});

test("with one epoch PPO takes exactly REINFORCE's steps (the ratio is 1 at the sampling policy)", () => {
  const options = { units: 24, lstmLayers: 1, initRange: 0.1, batchSize: 3, learningRate: 0.01, entropyWeight: 0.01, reward: (m: { validAccuracy: number }) => m.validAccuracy };
  const ppo = new PpoController(small, 3, { ...options, epochs: 1 });
  const reinforce = new ReinforceController(small, 3, options);
  for (let u = 0; u < 5; u++) {
    for (let i = 0; i < 3; i++) {
      const [a, b] = [ppo.ask(), reinforce.ask()];
      assert.deepEqual(a.genotype, b.genotype, `update ${u}, candidate ${i}`);
      ppo.tell(a, ok(sepShare(a.genotype)));
      reinforce.tell(b, ok(sepShare(b.genotype)));
    }
  }
  const gap = Math.max(...ppo.policy.variables().map((v, k) => tf.tidy(() => tf.max(tf.abs(tf.sub(v, reinforce.policy.variables()[k]))).dataSync()[0])));
  assert.ok(gap < 1e-5, `weights differ by ${gap}`);
  ppo.dispose();
  reinforce.dispose();
});

test("PPO learns a synthetic reward (the share of sep_conv_3x3 ops), replays exactly from its seed, and leaks no tensors", () => {
  // A smaller LSTM and a larger step than the paper's, so the test takes seconds.
  const run = (updates: number) => {
    const controller = new PpoController(small, 5, { units: 24, learningRate: 0.05, batchSize: 4 });
    const genotypes: string[] = [];
    let tensorsAfterFirst = 0;
    for (let u = 0; u < updates; u++) {
      const batch = [0, 1, 2, 3].map(() => controller.ask());
      for (const candidate of batch) controller.tell(candidate, ok(sepShare(candidate.genotype)));
      genotypes.push(...batch.map((c) => JSON.stringify(c.genotype)));
      if (u === 0) tensorsAfterFirst = tf.memory().numTensors;
    }
    assert.equal(tf.memory().numTensors, tensorsAfterFirst, "tensors leak across updates");
    const rewards = controller.updates.map((u) => u.rewards.reduce((a, b) => a + b, 0) / u.rewards.length);
    controller.dispose();
    return { genotypes, rewards };
  };
  const first = run(14);
  const early = first.rewards.slice(0, 3).reduce((a, b) => a + b, 0) / 3;
  const late = first.rewards.slice(-3).reduce((a, b) => a + b, 0) / 3;
  assert.ok(late > early + 0.3, `mean reward ${early.toFixed(2)} in the first 3 updates, ${late.toFixed(2)} in the last 3`);
  assert.deepEqual(run(3).genotypes, first.genotypes.slice(0, 12), "the same seed and tells give the same candidates");
});
