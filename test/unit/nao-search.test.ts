import { before, test } from "node:test";
import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { initBackend } from "../../lib/backend/select";
import type { Outcome } from "../../lib/core/types";
import { Nb201Space, type Nb201Genotype } from "../../lib/spaces/nb201";
import { NAO_PAPER_MODEL } from "../../lib/strategies/nao/model";
import { NaoSearch, type NaoSearchOptions } from "../../lib/strategies/nao/search";

before(async () => {
  await initBackend({ NASBOOK_BACKEND: "wasm" });
});

const space = new Nb201Space();

/** A small model and budget: 8 random architectures, then rounds of 4 from the 4 best. */
const OPTIONS: NaoSearchOptions = {
  model: { ...NAO_PAPER_MODEL, hiddenSize: 16, embeddingSize: 8, predictorUnits: 32, learningRate: 1e-2 },
  initial: 8,
  perRound: 4,
  topK: 4,
  epochs: 5,
  batchSize: 8,
  lambda: 1,
  lambdaGrowth: 2,
  lambdaSteps: 8,
};

/** Convolutions are worth most, none least: an accuracy for the tells, with a failure now and then. */
const OP_WORTH: Record<string, number> = { none: 0, skip_connect: 0.4, nor_conv_1x1: 0.7, nor_conv_3x3: 1, avg_pool_3x3: 0.2 };
function outcome(genotype: Nb201Genotype, id: number): Outcome {
  if (id % 7 === 6) return { status: "failed" };
  const validAccuracy = genotype.edges.reduce((s, op) => s + OP_WORTH[op], 0) / 6;
  return { status: "ok", metrics: { validAccuracy, validAccuracyHistory: [validAccuracy], params: 0, flops: 0, latencyMs: 0, trainSeconds: 1 } };
}

/** `trials` asked and told in rounds of 4, as runMultiTrialSearch does with round 4. */
function search(seed: number, trials: number) {
  const strategy = new NaoSearch(space, OPTIONS, seed);
  const genotypes: Nb201Genotype[] = [];
  const tensors: number[] = [];
  while (genotypes.length < trials) {
    const candidates = Array.from({ length: 4 }, () => strategy.ask());
    for (const c of candidates) {
      strategy.tell(c, outcome(c.genotype, c.id));
      genotypes.push(c.genotype);
    }
    tensors.push(tf.memory().numTensors);
  }
  const rounds = [...strategy.rounds];
  strategy.dispose();
  return { genotypes, rounds, tensors };
}

test("every proposal is valid for the space and new, and each round says where its proposals came from", () => {
  const { genotypes, rounds, tensors } = search(1, 24);
  for (const g of genotypes) space.validate(g);
  assert.equal(new Set(genotypes.map((g) => space.toArch(g))).size, genotypes.length);
  assert.equal(rounds.length, 4);
  for (const r of rounds) {
    assert.equal(r.fromDecoder + r.randomFill, 4);
    assert.equal(r.decoded, r.invalid + r.repeated + r.fromDecoder);
    assert.ok(r.lambdas.length >= 1 && Number.isFinite(r.loss.total));
  }
  assert.ok(rounds.some((r) => r.fromDecoder > 0), `the decoder proposed nothing new: ${JSON.stringify(rounds)}`);
  // The model and its optimiser exist after the first round; later rounds add no tensor.
  assert.deepEqual(tensors.slice(3), tensors.slice(3).map(() => tensors[3]));
});

test("the same seed and tells give the same search; another seed another", () => {
  const a = JSON.stringify(search(5, 16).genotypes);
  assert.equal(JSON.stringify(search(5, 16).genotypes), a);
  assert.notEqual(JSON.stringify(search(6, 16).genotypes), a);
});
