import { test } from "node:test";
import assert from "node:assert/strict";
import { gapVsSpread, gapVsStandardError, mean, median, spread } from "../../lib/core/stats";

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

test("gapVsStandardError: a small gap over many seeds is beyond chance where the seeds' spread would hide it", () => {
  // Two groups of 100, one standard deviation 0.01 each, means 0.004 apart: SE = 0.01 * sqrt(2 / 100) = 0.0014.
  const around = (centre: number) => Array.from({ length: 100 }, (_, i) => centre + (i % 2 === 0 ? 0.01 : -0.01) * Math.sqrt(99 / 100));
  const [a, b] = [around(0.904), around(0.9)];
  const result = gapVsStandardError(a, b);
  assert.ok(Math.abs(result.gap - 0.004) < 1e-12);
  assert.ok(Math.abs(result.standardError - 0.01 * Math.sqrt(2 / 100)) < 1e-9, `${result.standardError}`);
  assert.equal(result.verdict, "beyond");
  assert.equal(gapVsSpread(a, b).verdict, "within", "the spread of single runs hides it");
  assert.equal(gapVsStandardError(a.slice(0, 4), b.slice(0, 4)).verdict, "within", "four seeds cannot show it");
  assert.equal(gapVsStandardError([0.9, 0.91], b).verdict, "too-few");
});

test("median: the middle value, the upper middle for an even count; an empty list is an error", () => {
  assert.equal(median([3, 1, 2]), 2);
  assert.equal(median([4, 1, 3, 2]), 3);
  assert.throws(() => median([]), /median of an empty list/);
});
