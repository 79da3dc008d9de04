import { test } from "node:test";
import assert from "node:assert/strict";
import { pairwiseAccuracy, pearson, rankingAgreement, ranks, spearman } from "../../lib/core/rank-correlation";

test("ranks are 1-based and ties share the mean of their ranks", () => {
  assert.deepEqual(ranks([0.3, 0.1, 0.2]), [3, 1, 2]);
  // 0.5 and 0.5 would be ranks 2 and 3: both get 2.5.
  assert.deepEqual(ranks([0.9, 0.5, 0.1, 0.5]), [4, 2.5, 1, 2.5]);
});

test("Spearman is 1 for any increasing relation, -1 for a decreasing one, and ignores scale", () => {
  const x = [1, 2, 3, 4, 5];
  assert.equal(spearman(x, x.map((v) => Math.exp(v))), 1);
  assert.equal(spearman(x, x.map((v) => -v * 100)), -1);
});

test("Spearman of a worked example: one swapped pair among five", () => {
  // Ranks differ by d = (0, 0, 1, -1, 0): rho = 1 - 6 * sum(d^2) / (n (n^2 - 1)) = 1 - 12 / 120 = 0.9.
  assert.ok(Math.abs(spearman([1, 2, 3, 4, 5], [1, 2, 4, 3, 5]) - 0.9) < 1e-12);
});

test("a constant list has no correlation (NaN), and mismatched lengths are refused", () => {
  assert.ok(Number.isNaN(pearson([1, 1, 1], [1, 2, 3])));
  assert.throws(() => spearman([1, 2], [1, 2, 3]), /same length/);
});

test("pairwise accuracy counts the pairs ordered as the truth orders them, ties in the prediction half", () => {
  assert.equal(pairwiseAccuracy([1, 2, 3], [10, 20, 30]), 1);
  assert.equal(pairwiseAccuracy([3, 2, 1], [10, 20, 30]), 0);
  // Five pairs differ in b (b_2 = b_3 is no pair); four are ordered right and (1,2), tied in a, counts half.
  assert.equal(pairwiseAccuracy([1, 2, 2, 5], [1, 2, 3, 3]), (1 + 1 + 0.5 + 1 + 1) / 5);
  assert.throws(() => pairwiseAccuracy([1, 2], [4, 4]), /differ/);
});

test("rankingAgreement: rho, tau and rho's distance from zero in Fisher z, by hand for one swapped pair among five", () => {
  const agreement = rankingAgreement([1, 2, 3, 4, 5], [1, 2, 4, 3, 5]);
  assert.equal(agreement.items, 5);
  assert.ok(Math.abs(agreement.spearman - 0.9) < 1e-12);
  // 9 concordant pairs, 1 discordant, no ties: tau = 8 / 10.
  assert.ok(Math.abs(agreement.kendall - 0.8) < 1e-12);
  // atanh(0.9) = 1.472 against 2 sqrt(1.06 / 2) = 1.456: just beyond two standard errors.
  assert.ok(Math.abs(agreement.vsZero.zGap - Math.atanh(0.9)) < 1e-12);
  assert.ok(Math.abs(agreement.vsZero.standardError - Math.sqrt(1.06 / 2)) < 1e-12);
  assert.equal(agreement.vsZero.verdict, "beyond");
  assert.equal(rankingAgreement([1, 2, 3, 4, 5], [1, 2, 5, 3, 4]).vsZero.verdict, "within");
});
