import { test } from "node:test";
import assert from "node:assert/strict";
import { gapVsSpread, mean, spread } from "../../lib/core/stats";

test("mean averages a list and refuses an empty one", () => {
  assert.equal(mean([0.5, 0.75, 1]), 0.75);
  assert.equal(mean([-2]), -2);
  assert.throws(() => mean([]), /mean of an empty list/);
});

test("spread is max minus min and refuses an empty list", () => {
  assert.equal(spread([0.5, 0.9, 0.7]), 0.9 - 0.5);
  assert.equal(spread([3]), 0);
  assert.throws(() => spread([]), /spread of an empty list/);
});

test("a gap counts only when it is larger than the spread over seeds", () => {
  assert.deepEqual(gapVsSpread([0.75, 1], [0.25, 0.5]), { gap: 0.5, spread: 0.25, verdict: "beyond" });
  assert.equal(gapVsSpread([0.5, 0.9], [0.6, 0.7]).verdict, "within");
  assert.equal(gapVsSpread([0.6, 0.5], [0.5, 0.6]).gap, 0);
  // One run per group leaves no spread to judge by, nor does a value that is not a number.
  assert.equal(gapVsSpread([0.9], [0.1]).verdict, "too-few");
  assert.equal(gapVsSpread([0.9, NaN], [0.1, 0.2]).verdict, "too-few");
});
