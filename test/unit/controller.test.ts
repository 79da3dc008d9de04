import { before, test } from "node:test";
import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { initBackend } from "../../lib/backend/select";
import { Rng } from "../../lib/core/random";
import type { Outcome, TrialMetrics } from "../../lib/core/types";
import type { NasRlGenotype } from "../../lib/spaces/nasrl/genotypes";
import { NasRlSpace } from "../../lib/spaces/nasrl/space";
import { lstmCell } from "../../lib/nn/lstm-cell";
import { StackedLstm } from "../../lib/strategies/controller/lstm";
import { ControllerPolicy } from "../../lib/strategies/controller/policy";
import { ReinforceController, nasRlReward } from "../../lib/strategies/controller/reinforce";
import { skipPenalty } from "../../lib/strategies/controller/skip-penalty";

before(async () => {
  await initBackend({ NASBOOK_BACKEND: "cpu" });
});

/** 3 layers, kernels from {1,3,5,7}, one filter count: 9 decisions, 3 of them anchors. */
const small = new NasRlSpace({ layers: 3, filterHeights: [1, 3, 5, 7], filterWidths: [1, 3, 5, 7], filters: [4], strides: [1], inputPool: 1 });

function ok(validAccuracyHistory: number[]): Outcome {
  const metrics: TrialMetrics = {
    validAccuracy: validAccuracyHistory[validAccuracyHistory.length - 1],
    validAccuracyHistory,
    params: 0,
    flops: 0,
    latencyMs: 0,
    trainSeconds: 0,
  };
  return { status: "ok", metrics };
}

test("sampling is seeded and deterministic", () => {
  const run = (seed: number) => {
    const controller = new ReinforceController(small, seed, { batchSize: 2 });
    const genotypes = Array.from({ length: 6 }, () => {
      const candidate = controller.ask();
      controller.tell(candidate, ok([0.5]));
      return candidate.genotype;
    });
    controller.dispose();
    return JSON.stringify(genotypes);
  };
  assert.equal(run(7), run(7));
  assert.notEqual(run(7), run(8));
});

// ---- A hand computation of log p(tokens) for a 2-unit, 2-layer controller ----

type Matrix = { rows: number; cols: number; data: number[] };
const sigmoid = (x: number) => 1 / (1 + Math.exp(-x));
const matrix = (v: tf.Variable): Matrix => {
  const [rows, cols] = v.shape.length === 2 ? v.shape : [1, v.shape[0]];
  return { rows, cols, data: Array.from(v.dataSync()) };
};
/** Row vector x times matrix m. */
const times = (x: number[], m: Matrix) => Array.from({ length: m.cols }, (_, j) => x.reduce((s, xi, i) => s + xi * m.data[i * m.cols + j], 0));
const plus = (a: number[], b: number[]) => a.map((x, i) => x + b[i]);
const row = (m: Matrix, r: number) => m.data.slice(r * m.cols, (r + 1) * m.cols);
const logSoftmax = (z: number[]) => {
  const max = Math.max(...z);
  const lse = max + Math.log(z.reduce((s, x) => s + Math.exp(x - max), 0));
  return z.map((x) => x - lse);
};

function handLogProb(policy: ControllerPolicy, tokens: number[]): number {
  const units = policy.options.units;
  const layers = policy.lstm.layers.map((l) => ({ kernel: matrix(l.kernel), bias: row(matrix(l.bias), 0) }));
  let h = layers.map(() => new Array(units).fill(0));
  let c = layers.map(() => new Array(units).fill(0));
  const step = (x: number[]) => {
    let input = x;
    layers.forEach((l, n) => {
      const z = plus(times([...input, ...h[n]], l.kernel), l.bias);
      const gate = (g: number) => z.slice(g * units, (g + 1) * units);
      const [i, f, g, o] = [gate(0), gate(1), gate(2), gate(3)];
      c[n] = c[n].map((cj, j) => sigmoid(f[j]) * cj + sigmoid(i[j]) * Math.tanh(g[j]));
      h[n] = h[n].map((_, j) => sigmoid(o[j]) * Math.tanh(c[n][j]));
      input = h[n];
    });
    return input;
  };
  // The heads lie side by side: the i-th categorical decision's logits are columns offsets[i] on.
  const categorical = (k: number, i: number, out: number[]) => {
    const { kernel, bias, columns } = policy.heads;
    const logits = plus(times(out, matrix(kernel)), row(matrix(bias), 0));
    return logSoftmax(logits.slice(columns.offsets[i], columns.offsets[i] + columns.choices[i]))[tokens[k]];
  };
  // Decision 0: layers[0].filterHeight, from the learned start input.
  const out0 = step(row(matrix(policy.start), 0));
  let logp = categorical(0, 0, out0);
  // Decision 1: the anchor "does layer 0 feed layer 1", attending to layer 0's state out0.
  const out1 = step(row(matrix(policy.heads.embedding), tokens[0]));
  const a = policy.attention!;
  const hidden = plus(times(out0, matrix(a.wPrev)), times(out1, matrix(a.wCurr))).map(Math.tanh);
  const p = sigmoid(times(hidden, matrix(a.v))[0]);
  logp += Math.log(tokens[1] === 1 ? p : 1 - p);
  // Decision 2: layers[1].filterHeight; its input is the chosen states summed over one more than their number (out0 / 2), or zeros.
  const out2 = step(tokens[1] === 1 ? out0.map((x) => x / 2) : new Array(units).fill(0));
  logp += categorical(2, 1, out2);
  return logp;
}

test("log-probabilities match a hand computation, and sampling agrees with scoring", () => {
  const tiny = new NasRlSpace({ layers: 2, filterHeights: [1, 3, 5], filterWidths: [3], filters: [4], strides: [1], inputPool: 1 });
  assert.deepEqual(tiny.decisions().map((d) => d.name), ["layers[0].filterHeight", "layers[1].skip[0]", "layers[1].filterHeight"]);
  const policy = new ControllerPolicy(tiny.decisions(), { units: 2, lstmLayers: 2, initRange: 0.08 }, new Rng(1));
  // Larger weights than the init so that every term matters to the comparison.
  policy.variables().forEach((v, n) => v.assign(tf.tidy(() => tf.mul(tf.sin(tf.add(tf.range(0, v.size), 1.7 * n)), 0.9).reshape(v.shape))));
  for (const tokens of [[0, 0, 2], [2, 1, 1], [1, 1, 0]]) {
    const scored = tf.tidy(() => policy.score([tokens]).logProb.dataSync()[0]);
    assert.ok(Math.abs(scored - handLogProb(policy, tokens)) < 1e-5, `tokens ${tokens}: ${scored} vs ${handLogProb(policy, tokens)}`);
  }
  const rng = new Rng(4);
  for (let n = 0; n < 5; n++) {
    const sample = policy.sample(rng);
    const fromProbabilities = sample.tokens.reduce((s, t, k) => s + Math.log(sample.probabilities[k][t]), 0);
    assert.ok(Math.abs(sample.logProb - handLogProb(policy, sample.tokens)) < 1e-5);
    assert.ok(Math.abs(sample.logProb - fromProbabilities) < 1e-5);
  }
  policy.dispose();
});

test("the LSTM's gate pre-activations, whose gradient is written out, have tfjs's own gradient, on cpu and wasm", async () => {
  for (const backend of ["cpu", "wasm"]) {
    await initBackend({ NASBOOK_BACKEND: backend });
    const lstm = new StackedLstm(4, 4, 2, 0.5, new Rng(1));
    const x = tf.variable(tf.randomNormal([5, 4], 0, 1, "float32", 2));
    const start = lstm.zeroState(5);
    const weights = tf.randomNormal([5, 4], 0, 1, "float32", 3);
    // Two steps, so that h and c also carry gradient from one step into the next.
    const twoSteps = (step: (x: tf.Tensor2D, state: typeof start) => { output: tf.Tensor2D; state: typeof start }) => () => {
      const first = step(x as tf.Tensor2D, start);
      return tf.sum(tf.mul(step(first.output, first.state).output, weights)) as tf.Scalar;
    };
    const composed = (input: tf.Tensor2D, state: typeof start) => {
      const h: tf.Tensor2D[] = [];
      const c: tf.Tensor2D[] = [];
      lstm.layers.forEach(({ kernel, bias }, l) => {
        const cell = lstmCell(tf.add(tf.matMul(tf.concat([input, state.h[l]], 1), kernel as tf.Tensor2D), bias) as tf.Tensor2D, state.c[l]);
        [h[l], c[l], input] = [cell.h, cell.c, cell.h];
      });
      return { output: input, state: { h, c } };
    };
    const variables = [x, ...lstm.variables()];
    const values = (f: () => tf.Scalar) => tf.tidy(() => {
      const { grads } = tf.variableGrads(f, variables);
      return variables.map((v) => Array.from(grads[v.name].dataSync()));
    });
    const written = values(twoSteps((input, state) => lstm.step(input, state)));
    const own = values(twoSteps(composed));
    written.forEach((g, n) => g.forEach((value, i) => assert.ok(Math.abs(value - own[n][i]) < 1e-5, `${backend}, variable ${n}[${i}]: ${value} vs ${own[n][i]}`)));
    tf.dispose([x, weights, ...start.h, ...start.c, ...lstm.variables()]);
  }
  await initBackend({ NASBOOK_BACKEND: "cpu" });
});

test("scoring m sequences as one batch gives each sequence's log p, entropy, skip penalty and gradient, on cpu and wasm", async () => {
  // Shaped logits, half the categorical decisions picking ops (their own tanh constant), and anchors.
  const decisions = small.decisions().map((d, k) => (d.kind === "anchor" || k % 2 === 0 ? d : { ...d, picks: "op" as const }));
  const logits = { temperature: 1.5, tanhConstant: 2.5, opTanhReduce: 2.5 };
  const kl = (p: number, t: number) => p * Math.log(p / t) + (1 - p) * Math.log((1 - p) / (1 - t));
  for (const backend of ["cpu", "wasm"]) {
    await initBackend({ NASBOOK_BACKEND: backend });
    const policy = new ControllerPolicy(decisions, { units: 5, lstmLayers: 2, initRange: 0.08, logits }, new Rng(3));
    policy.variables().forEach((v, n) => v.assign(tf.tidy(() => tf.mul(tf.sin(tf.add(tf.range(0, v.size), 1.3 * n)), 0.8).reshape(v.shape))));
    const rng = new Rng(9);
    const samples = [0, 1, 2, 3].map(() => policy.sample(rng));
    const sequences = samples.map((s) => s.tokens);
    const tensors = tf.memory().numTensors;
    // What the sampling path (one decision at a time) gave each sequence: log p, entropy, the skip penalty at t = 0.3.
    const anchors = decisions.flatMap((d, k) => (d.kind === "anchor" ? [k] : []));
    const groups = new Set(anchors.map((k) => decisions[k].layer)).size;
    const bySampling = samples.map((s) => ({
      logProb: s.logProb,
      entropy: -s.probabilities.flat().reduce((sum, p) => sum + p * Math.log(p), 0),
      penalty: anchors.reduce((sum, k) => sum + kl(s.probabilities[k][1], 0.3), 0) / groups,
    }));
    const batched = tf.tidy(() => {
      const { logProb, entropy, skip } = policy.score(sequences);
      const penalty = skipPenalty(skip, 0.3);
      return [logProb, entropy, penalty].map((t) => Array.from(t.dataSync()));
    });
    bySampling.forEach((want, r) => {
      const got = { logProb: batched[0][r], entropy: batched[1][r], penalty: batched[2][r] };
      for (const key of ["logProb", "entropy", "penalty"] as const) assert.ok(Math.abs(got[key] - want[key]) < 1e-4, `${backend}, sequence ${r}, ${key}: ${got[key]} vs ${want[key]}`);
    });
    // A REINFORCE-like loss with a weight per sequence: its gradient is the sum of the sequences' own.
    const weights = [0.7, -0.4, 1.1, -0.2];
    const loss = (seqs: number[][], w: number[]) => () => {
      const { logProb, entropy, skip } = policy.score(seqs);
      const terms = tf.sub(tf.add(tf.mul(logProb, w), tf.mul(entropy, 0.3)), tf.mul(skipPenalty(skip, 0.3), 0.5));
      return tf.sum(terms) as tf.Scalar;
    };
    // Variables the loss does not reach (the last decision's embedding) have no gradient: zeros.
    const gradients = (seqs: number[][], w: number[]) =>
      tf.tidy(() => {
        const { grads } = tf.variableGrads(loss(seqs, w), policy.variables());
        return policy.variables().map((v) => Array.from(grads[v.name]?.dataSync() ?? new Float32Array(v.size)));
      });
    const together = gradients(sequences, weights);
    const apart = sequences.map((s, r) => gradients([s], [weights[r]]));
    together.forEach((g, n) => {
      const gap = Math.max(...g.map((x, i) => Math.abs(x - apart.reduce((sum, one) => sum + one[n][i], 0))));
      const scale = Math.max(1, ...g.map(Math.abs));
      assert.ok(gap < 1e-5 * scale, `${backend}, variable ${policy.variables()[n].name}: gradients differ by ${gap}`);
    });
    assert.equal(tf.memory().numTensors, tensors, "scoring leaves no tensor behind");
    policy.dispose();
  }
  await initBackend({ NASBOOK_BACKEND: "cpu" });
});

test("anchors must point back to a layer the controller has already visited", () => {
  const decisions = [
    { name: "a", choices: 2, layer: 0 },
    { name: "skip", choices: 2, kind: "anchor" as const, layer: 1, from: 2 },
  ];
  assert.throws(() => new ControllerPolicy(decisions, { units: 2, lstmLayers: 1, initRange: 0.08 }, new Rng(0)), /layer 2 has no controller state/);
});

test("the reward is the best of the last 5 epochs, cubed", () => {
  assert.equal(nasRlReward(ok([0.9, 0.1, 0.2, 0.5, 0.4, 0.3, 0.2]).metrics!), 0.5 ** 3);
});

test("updates wait for a batch of m tells; failed candidates count as reward 0", () => {
  const controller = new ReinforceController(small, 1, { batchSize: 3 });
  const candidates = [controller.ask(), controller.ask(), controller.ask()];
  controller.tell(candidates[0], ok([0.5]));
  controller.tell(candidates[1], { status: "failed" });
  assert.equal(controller.updates.length, 0);
  assert.throws(() => controller.tell(candidates[1], ok([0.5])), /was not asked or was already told/);
  controller.tell(candidates[2], ok([0.2, 0.8]));
  assert.equal(controller.updates.length, 1);
  const [update] = controller.updates;
  assert.deepEqual(update.rewards, [0.125, 0, 0.8 ** 3]);
  assert.ok(Math.abs(update.baseline - (0.125 + 0.512) / 3) < 1e-12, "the first baseline is the first batch's mean");
  assert.equal(update.probabilities.length, small.decisions().length);
  for (const p of update.probabilities) assert.ok(Math.abs(p.reduce((a, b) => a + b, 0) - 1) < 1e-5);
  controller.dispose();
});

test("REINFORCE learns a synthetic reward (3x3 kernels, a skip from layer 0 into 2) without leaking tensors", () => {
  // Reward: the fraction of 3x3 kernels, plus the skip 0 -> 2; no CNN is trained.
  const reward = (g: NasRlGenotype) =>
    (g.layers.filter((l) => l.filterHeight === 3 && l.filterWidth === 3).length + (g.layers[2].inputs.includes(0) ? 1 : 0)) / 4;
  const controller = new ReinforceController(small, 5, { learningRate: 0.01, batchSize: 4 });
  const updates = 120;
  let tensorsAfterFirst = 0;
  for (let u = 0; u < updates; u++) {
    const batch = [0, 1, 2, 3].map(() => controller.ask());
    for (const candidate of batch) controller.tell(candidate, ok([reward(candidate.genotype)]));
    if (u === 0) tensorsAfterFirst = tf.memory().numTensors;
  }
  assert.equal(tf.memory().numTensors, tensorsAfterFirst, "tensors leak across updates");
  // Choice 1 is kernel size 3 for a kernel decision (chance 1/4) and "yes" for an anchor (chance 1/2).
  // Averaged over the kernel decisions: a small batch can lock one decision early, as REINFORCE does.
  const last = controller.updates[updates - 1].probabilities;
  const kernels = small.decisions().flatMap((d, k) => (d.kind === "anchor" ? [] : [last[k][1]]));
  assert.ok(kernels.reduce((a, b) => a + b, 0) / kernels.length > 0.6, `p(3) per kernel decision: ${kernels}`);
  const skip = small.decisions().findIndex((d) => d.name === "layers[2].skip[0]");
  assert.ok(last[skip][1] > 0.8, `p(layer 0 feeds layer 2) = ${last[skip][1]}`);
  const meanReward = (from: number, to: number) => {
    const rewards = controller.updates.slice(from, to).flatMap((u) => u.rewards);
    return rewards.reduce((a, b) => a + b, 0) / rewards.length;
  };
  assert.ok(meanReward(updates - 10, updates) > meanReward(0, 10) + 0.3);
  controller.dispose();
});

test("with equal rewards only the entropy bonus moves the policy, towards uniform", () => {
  const peaked = (entropyWeight: number) => {
    const controller = new ReinforceController(small, 2, { batchSize: 2, learningRate: 0.05, entropyWeight });
    // The first decision's bias: the first 4 of the heads' side-by-side columns.
    const { bias } = controller.policy.heads;
    bias.assign(tf.tidy(() => tf.concat([tf.tensor1d([3, 0, 0, 0]), tf.slice(bias, [4])])));
    return controller;
  };
  const pFirstChoice = (controller: ReinforceController<NasRlGenotype>, updates: number) => {
    for (let u = 0; u < updates; u++) {
      const batch = [controller.ask(), controller.ask()];
      for (const candidate of batch) controller.tell(candidate, ok([0.7]));
    }
    const p = controller.updates[updates - 1].probabilities[0][0];
    controller.dispose();
    return p;
  };
  const before = Math.exp(3) / (Math.exp(3) + 3);
  // Advantages are all 0, so without a bonus Adam's steps are exactly 0.
  assert.ok(Math.abs(pFirstChoice(peaked(0), 30) - before) < 0.02);
  assert.ok(pFirstChoice(peaked(1), 30) < before - 0.2);
});
