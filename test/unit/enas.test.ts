import { test } from "node:test";
import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { initBackend } from "../../lib/backend/select";
import { Rng } from "../../lib/core/random";
import { kendallTau } from "../../lib/core/rank-correlation";
import { cosineWithRestarts } from "../../lib/nn/schedule";
import { NB201_OPS } from "../../lib/spaces/nb201/genotypes";
import { Nb201SinglePath } from "../../lib/spaces/nb201/single-path";
import { Nb201Space } from "../../lib/spaces/nb201/space";
import { ControllerPolicy, shapeLogits } from "../../lib/strategies/controller/policy";
import { randomWsSelect, rerank } from "../../lib/strategies/enas/random-ws";
import { accuracyOnSubset } from "../../lib/strategies/enas/scoring";
import { runWeightSharingSearch } from "../../lib/experiment/methods/enas";
import { ENAS_CONTROLLER, EnasSearch, likeliestTokens, type EnasConfig } from "../../lib/strategies/enas/search";
import { ENAS_SHARED_WEIGHTS, SharedWeightsTrainer } from "../../lib/strategies/enas/shared-weights";
import { CLASSES, SHAPE, reached, tinySubset, weightValues } from "./supernet-fixtures";

const TINY = { cellsPerStage: 1, channels: 2 };
const op = (name: string) => NB201_OPS.indexOf(name as (typeof NB201_OPS)[number]);
const [CONV, SKIP] = [op("nor_conv_3x3"), op("skip_connect")];

test("two architectures that put the same op on the same edge read the same variables, and a step on one moves the other", async () => {
  await initBackend({ NASBOOK_BACKEND: "wasm" });
  const net = new Nb201SinglePath(TINY, SHAPE, CLASSES, new Rng(3));
  const data = tinySubset(8, 1);
  const [batch] = [...data.batches(8)];
  const skeleton = reached(net, Array(6).fill(SKIP), batch.x);
  const convs = (tokens: number[]) => new Set([...reached(net, tokens, batch.x)].filter((n) => !skeleton.has(n)));
  const a = Array(6).fill(CONV);
  const b = [CONV, SKIP, SKIP, SKIP, SKIP, SKIP];
  const onlyA = convs(a);
  const shared = convs(b);
  assert.ok(shared.size > 0, "edge 0's conv has weights of its own");
  for (const name of shared) assert.ok(onlyA.has(name), `${name}, read by b, is read by a too`);
  assert.ok(onlyA.size > shared.size, "a reads the convs of the other edges as well");

  const before = weightValues(net);
  const outputA = tf.tidy(() => net.apply(batch.x, false, a).arraySync() as number[][]);
  const trainer = new SharedWeightsTrainer(net, { ...ENAS_SHARED_WEIGHTS, batchSize: 8 });
  trainer.step(batch, b, 0);
  const after = weightValues(net);
  const moved = (name: string) => after.get(name)!.some((v, i) => v !== before.get(name)![i]);
  for (const name of shared) assert.ok(moved(name), `${name} learned from b's step`);
  for (const name of onlyA) if (!shared.has(name)) assert.ok(!moved(name), `${name} is not b's and stays`);
  const outputAfter = tf.tidy(() => net.apply(batch.x, false, a).arraySync() as number[][]);
  assert.notDeepEqual(outputAfter, outputA, "a's output moved with b's step");
  tf.dispose([batch.x, batch.y]);
  trainer.dispose();
  net.dispose();
});

test("the controller's logits are c * tanh(l / T), op decisions under c / 2.5, and bound the probabilities", async () => {
  await initBackend({ NASBOOK_BACKEND: "wasm" });
  const shaping = { temperature: 2, tanhConstant: 1.1, opTanhReduce: 2.5 };
  const raw = tf.tensor1d([3, -1, 0]);
  const expect = (c: number) => [3, -1, 0].map((l) => c * Math.tanh(l / 2));
  const close = (t: tf.Tensor, want: number[]) => (t.arraySync() as number[]).forEach((v, i) => assert.ok(Math.abs(v - want[i]) < 1e-6, `${v} vs ${want[i]}`));
  close(shapeLogits(raw, shaping, true), expect(1.1 / 2.5));
  close(shapeLogits(raw, shaping, false), expect(1.1));
  close(shapeLogits(raw, { ...shaping, temperature: null }, false), [3, -1, 0].map((l) => 1.1 * Math.tanh(l)));
  close(shapeLogits(raw, undefined, true), [3, -1, 0]);
  // Large weights make large raw logits; shaped, no two op probabilities differ by more than e^(2c/2.5).
  const decisions = new Nb201Space().decisions();
  const policy = new ControllerPolicy(decisions, { units: 8, lstmLayers: 1, initRange: 3, logits: ENAS_CONTROLLER.logits }, new Rng(2));
  const free = new ControllerPolicy(decisions, { units: 8, lstmLayers: 1, initRange: 3 }, new Rng(2));
  const ratio = (p: number[][]) => Math.max(...p.map((row) => Math.max(...row) / Math.min(...row)));
  const bound = Math.exp((2 * 1.1) / 2.5);
  assert.ok(ratio(policy.sample(new Rng(5)).probabilities) <= bound + 1e-6);
  assert.ok(ratio(free.sample(new Rng(5)).probabilities) > bound, "without shaping the same weights are far more peaked");
  tf.dispose(raw);
  policy.dispose();
  free.dispose();
});

test("random-WS re-ranks the top k of the quick scores on the full score, and picks nothing outside them", async () => {
  const scored = [0.5, 0.9, 0.7, 0.8, 0.1].map((quickAccuracy, i) => ({ tokens: [i], quickAccuracy, fullAccuracy: null }));
  const full = [0.99, 0.2, 0.6, 0.4, 0.95];
  const top = rerank(scored, 3, ([i]) => full[i]);
  assert.deepEqual(top.map((s) => s.tokens[0]), [2, 3, 1], "the top 3 by quick score (1, 3, 2), best full score first");
  assert.deepEqual(top.map((s) => s.fullAccuracy), [0.6, 0.4, 0.2]);
  await initBackend({ NASBOOK_BACKEND: "wasm" });
  const net = new Nb201SinglePath(TINY, SHAPE, CLASSES, new Rng(1));
  const valid = tinySubset(16, 2);
  const options = { candidates: 12, scoreBatches: 2, topK: 4, batchSize: 4, batchNorm: "batch" as const };
  const selection = randomWsSelect(net, valid, options, new Rng(9));
  assert.equal(selection.scored.length, 12);
  assert.equal(selection.reranked.length, 4);
  const quickTop = [...selection.scored].sort((x, y) => y.quickAccuracy - x.quickAccuracy)[3].quickAccuracy;
  for (const s of selection.reranked) {
    assert.ok(s.quickAccuracy >= quickTop);
    assert.equal(s.fullAccuracy, accuracyOnSubset(net, s.tokens, valid, 4, "batch"));
  }
  assert.deepEqual(selection.best, selection.reranked[0]);
  assert.deepEqual(randomWsSelect(net, valid, options, new Rng(9)), selection, "seeded: the same selection again");
  net.dispose();
});

test("Kendall's tau by hand, and the cosine schedule restarting after 10 and then 20 epochs", () => {
  // Pairs of (a, b): concordant 5, discordant 1 of 6 -> (5 - 1) / 6.
  assert.ok(Math.abs(kendallTau([1, 2, 3, 4], [1, 3, 2, 4]) - 4 / 6) < 1e-12);
  assert.equal(kendallTau([1, 2, 3], [3, 2, 1]), -1);
  // One tie in a: 5 untied pairs in a, 6 in b; score 5 -> 5 / sqrt(30).
  assert.ok(Math.abs(kendallTau([1, 1, 2, 3], [1, 2, 3, 4]) - 5 / Math.sqrt(30)) < 1e-12);
  const lr = (e: number) => cosineWithRestarts(0.05, 0.0005, e, 10, 2);
  assert.equal(lr(0), 0.05);
  assert.ok(Math.abs(lr(5) - 0.02525) < 1e-12, "halfway through the first period");
  assert.equal(lr(10), 0.05, "restart after 10");
  assert.ok(Math.abs(lr(20) - 0.02525) < 1e-12, "halfway through the second period of 20");
  assert.equal(lr(30), 0.05, "restart after 10 + 20");
});

function tinyConfig(overrides: Partial<EnasConfig> = {}): EnasConfig {
  return {
    ...ENAS_SHARED_WEIGHTS,
    batchSize: 4,
    epochs: 3,
    sampler: "controller",
    controllerSteps: 2,
    controller: { ...ENAS_CONTROLLER, batchSize: 3 },
    batchNorm: "batch",
    deriveSamples: 4,
    seed: 11,
    ...overrides,
  };
}

async function search(config: EnasConfig, stopAfter?: number, resume?: Awaited<ReturnType<EnasSearch<never>["checkpoint"]>>) {
  const space = new Nb201Space();
  const net = new Nb201SinglePath(TINY, SHAPE, CLASSES, new Rng(config.seed));
  const enas = new EnasSearch(space, net, { train: tinySubset(12, 3), valid: tinySubset(8, 4) }, config);
  if (resume) await enas.restore(JSON.parse(JSON.stringify(resume)));
  while (enas.epochsDone < (stopAfter ?? config.epochs)) await enas.runEpoch();
  const checkpoint = await enas.checkpoint();
  const derived = enas.epochsDone === config.epochs ? enas.derive() : null;
  const history = enas.history.map(({ seconds: _, ...rest }) => rest);
  enas.dispose();
  net.dispose();
  return { checkpoint, derived, history };
}

test("ENAS alternates shared weights and controller updates, and a search resumed from a checkpoint ends where one uninterrupted does", async () => {
  await initBackend({ NASBOOK_BACKEND: "wasm" });
  const config = tinyConfig();
  const whole = await search(config);
  assert.equal(whole.history.length, 3);
  assert.equal(whole.checkpoint.controller!.updates.length, 3 * 2, "two updates of three architectures per epoch");
  for (const r of whole.history) {
    assert.ok(r.reward !== null && r.reward >= 0 && r.reward <= 1);
    assert.ok(r.entropy! > 0 && r.entropy! <= 6 * Math.log(5) + 1e-9);
  }
  const tensors = tf.memory().numTensors;
  const half = await search(config, 1);
  const resumed = await search(config, undefined, half.checkpoint);

  assert.equal(tf.memory().numTensors, tensors, "no tensor outlives a search");
  assert.deepEqual(resumed.history, whole.history);
  assert.deepEqual(resumed.derived, whole.derived);
  assert.deepEqual(resumed.checkpoint.variables, whole.checkpoint.variables, "the same weights, bit for bit");

  const uniform = await search(tinyConfig({ sampler: "uniform" }));
  assert.equal(uniform.checkpoint.controller, null);
  assert.ok(uniform.history.every((r) => r.reward !== null && r.entropy === null), "uniform: the same scoring, nothing learned");
});

test("the controller's likeliest architecture takes each decision's most probable choice, the first of a tie", () => {
  assert.deepEqual(likeliestTokens([[0.1, 0.7, 0.2], [0.5, 0.5], [0.2, 0.2, 0.2, 0.4]]), [1, 0, 3]);
});

test("a weight-sharing search's cost ends before `inspect` looks at its weights", async () => {
  await initBackend({ NASBOOK_BACKEND: "wasm" });
  const inspectSeconds = 0.3;
  const started = performance.now();
  const result = await runWeightSharingSearch({
    method: "random-ws", seed: 1, scale: "smoke", train: tinySubset(64, 2),
    inspect: () => {
      const until = performance.now() + inspectSeconds * 1000;
      while (performance.now() < until);
    },
  });
  const elapsed = (performance.now() - started) / 1000;
  assert.ok(result.wallSeconds + inspectSeconds <= elapsed, `search ${result.wallSeconds} s + inspection ${inspectSeconds} s within the ${elapsed} s of the call`);
});
