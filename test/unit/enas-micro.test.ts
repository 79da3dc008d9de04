import { test } from "node:test";
import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { initBackend } from "../../lib/backend/select";
import { GenotypeError } from "../../lib/core/errors";
import { Rng } from "../../lib/core/random";
import { ENAS_MICRO_FINAL_ARC, ENAS_MICRO_OPS, enasMicroSpace, fromEnasArc, toEnasArc, validateEnasMicroGenotype } from "../../lib/spaces/enas";
import { spaceFromSpec } from "../../lib/spaces/registry";

const tiny = { repeats: 1, channels: 4, stemMultiplier: 1 };
const arc = () => ENAS_MICRO_FINAL_ARC.split(" ").map(Number);

test("ENAS's published cells read from its fixed_arc: per node input, op, input, op, in ENAS's op ids", () => {
  const genotype = fromEnasArc(ENAS_MICRO_FINAL_ARC);
  // Normal node 2 is "0 2 0 0": avg pool of h_{i-2} plus sep 3x3 of h_{i-2}; node 6 is "0 2 1 1".
  assert.deepEqual(genotype.normal[0], { inputs: [0, 0], ops: ["avg_pool_3x3", "sep_conv_3x3"] });
  assert.deepEqual(genotype.normal[4], { inputs: [0, 1], ops: ["avg_pool_3x3", "sep_conv_5x5"] });
  // Reduction node 4 is "1 1 3 1": sep 5x5 of h_{i-1} plus sep 5x5 of node 3; node 5 is "1 0 0 4", identity of h_{i-2}.
  assert.deepEqual(genotype.reduce[2], { inputs: [1, 3], ops: ["sep_conv_5x5", "sep_conv_5x5"] });
  assert.deepEqual(genotype.reduce[3], { inputs: [1, 0], ops: ["sep_conv_3x3", "skip_connect"] });
  assert.deepEqual(toEnasArc(genotype), arc());
  assert.deepEqual(fromEnasArc(arc()), genotype, "a string and a list of integers read alike");
});

test("a bad fixed_arc is refused naming its position", () => {
  assert.throws(() => fromEnasArc(arc().slice(1)), (e: unknown) => e instanceof GenotypeError && /arc must hold 40 integers/.test(e.message));
  const badOp = arc();
  badOp[1] = 5;
  assert.throws(() => fromEnasArc(badOp), /arc\[1\] must be an ENAS op id in \[0, 5\); got 5/);
  // Position 8 is node 2's first input: states 0 to 3 exist.
  const badInput = arc();
  badInput[8] = 4;
  assert.throws(() => fromEnasArc(badInput), /arc\[8\] must be a state index in \[0, 4\) for node 2; got 4/);
  const reductionInput = arc();
  reductionInput[20] = 2;
  assert.throws(() => fromEnasArc(reductionInput), /arc\[20\] must be a state index in \[0, 2\) for node 0/);
  assert.throws(() => fromEnasArc(ENAS_MICRO_FINAL_ARC.replace(/^0/, "x")), /arc\[0\] must be a state index in \[0, 2\) for node 0; got "x"/);
});

test("the micro space is NASNet's cell with ENAS's five ops and B = 5: 40 decisions, op choices 5, and only those ops pass", () => {
  const space = enasMicroSpace(tiny);
  const decisions = space.decisions();
  assert.equal(decisions.length, 40);
  assert.deepEqual(decisions.slice(0, 4).map((d) => d.choices), [2, 2, 5, 5]);
  assert.deepEqual(decisions.slice(16, 20).map((d) => d.choices), [6, 6, 5, 5]);
  const rng = new Rng(3);
  const sampled = space.sample(rng);
  assert.deepEqual(space.decode(space.encode(sampled)), sampled);
  for (const b of [...sampled.normal, ...sampled.reduce]) for (const op of b.ops) assert.ok(ENAS_MICRO_OPS.includes(op), op);
  const nasnetOnly = structuredClone(fromEnasArc(ENAS_MICRO_FINAL_ARC));
  nasnetOnly.reduce[1].ops[0] = "conv_1x7_7x1";
  assert.throws(() => validateEnasMicroGenotype(nasnetOnly), /reduce\[1\]\.ops\[0\] must be one of "sep_conv_3x3"/);
  // A worker thread rebuilds it from its spec.
  const rebuilt = spaceFromSpec({ kind: space.name, options: JSON.parse(JSON.stringify(space.options)) });
  assert.deepEqual(rebuilt.decisions(), decisions);
});

test("ENAS's published cells build a network that classifies, and free their tensors", async () => {
  await initBackend({ NASBOOK_BACKEND: "wasm" });
  const space = enasMicroSpace(tiny);
  const x = tf.randomNormal([2, 8, 8, 1], 0, 1, "float32", 5) as tf.Tensor4D;
  const before = tf.memory().numTensors;
  const net = space.build(fromEnasArc(ENAS_MICRO_FINAL_ARC), [8, 8, 1], 10, new Rng(1));
  const logits = tf.tidy(() => net.apply(x, false).arraySync() as number[][]);
  assert.deepEqual([logits.length, logits[0].length], [2, 10]);
  assert.ok(logits.flat().every(Number.isFinite));
  net.dispose();
  assert.equal(tf.memory().numTensors, before);
  x.dispose();
});
