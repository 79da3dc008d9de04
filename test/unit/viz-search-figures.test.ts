import { test } from "node:test";
import assert from "node:assert/strict";
import type { TrialRecord } from "../../lib/core/types";
import { bestSoFar, meanWithBand, topKSoFar } from "../../lib/viz/search-figures";
import { methodStyle } from "../../lib/viz/palette";

const trial = (id: number, validAccuracy: number | null): TrialRecord =>
  validAccuracy === null
    ? { id, genotype: null, status: "failed", seconds: 0, error: "NaN loss" }
    : { id, genotype: null, status: "ok", seconds: 0, metrics: { validAccuracy, validAccuracyHistory: [validAccuracy], params: 1, flops: 1, latencyMs: 1, trainSeconds: 0 } };

test("top-k so far averages the k best of the first n trials, in id order, NaN until k succeeded", () => {
  // Listed out of id order, with a failed trial: it counts as tried.
  const trials = [trial(2, 0.4), trial(0, 0.5), trial(1, null), trial(3, 0.9)];
  assert.deepEqual(topKSoFar(trials, 2), [NaN, NaN, (0.5 + 0.4) / 2, (0.9 + 0.5) / 2]);
  assert.deepEqual(topKSoFar(trials, 1), [0.5, 0.5, 0.5, 0.9]);
  assert.deepEqual(bestSoFar(trials), topKSoFar(trials, 1));
  assert.throws(() => topKSoFar(trials, 0), /positive integer/);
});

test("a mean-with-band is a max line, a min line filled up to it, and the mean, skipping curves without a value yet", () => {
  const [upper, lower, line] = meanWithBand("random", [[NaN, 0.2, 0.6], [NaN, 0.4, 0.8]], { color: "red" });
  assert.deepEqual(upper.x, [1, 2, 3]);
  assert.deepEqual(upper.y, [NaN, 0.4, 0.8]);
  assert.deepEqual(lower.y, [NaN, 0.2, 0.6]);
  assert.equal(lower.fill, "tonexty");
  assert.deepEqual(line.y, [NaN, (0.2 + 0.4) / 2, (0.6 + 0.8) / 2]);
  assert.equal(line.name, "random");
  assert.deepEqual([upper.showlegend, lower.showlegend, line.legendgroup], [false, false, "random"]);
  assert.deepEqual(meanWithBand("one", [[NaN, 0.5], [0.3]])[2].y, [0.3, 0.5]);
});

test("every method has one colour, its band the same colour translucent, and a name the palette lacks still gets a stable one", () => {
  assert.deepEqual(methodStyle("evolution"), { color: "#ff7f0e", fillColor: "rgba(255,127,14,0.15)" });
  assert.equal(methodStyle("controller").color, methodStyle("nas-rl").color, "NAS-RL's controller is one method under two names");
  const colours = ["random", "evolution", "nas-rl", "darts", "darts2", "gdas"].map((m) => methodStyle(m).color);
  assert.equal(new Set(colours).size, colours.length);
  assert.equal(methodStyle("some-new-method").color, methodStyle("some-new-method").color);
  assert.match(methodStyle("some-new-method").color, /^#[0-9a-f]{6}$/);
});
