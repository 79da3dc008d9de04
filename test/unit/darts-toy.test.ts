import { test } from "node:test";
import assert from "node:assert/strict";
import {
  TOY_OPTIMUM,
  toyFixedPoint,
  toyHypergradient,
  toyTrainLoss,
  toyTrajectory,
  toyValidLoss,
} from "../../lib/strategies/darts/toy-bilevel";

test("the toy losses are the paper's: w* = alpha and the bilevel optimum (1, 1)", () => {
  assert.equal(toyTrainLoss({ alpha: 1.5, w: 1.5 }), 0);
  assert.ok(toyTrainLoss({ alpha: 1.5, w: 1 }) > 0);
  // On the feasible line w = alpha, L_val = (alpha - 1)^2.
  for (const a of [-1, 0, 0.5, 1, 2]) assert.ok(Math.abs(toyValidLoss({ alpha: a, w: a }) - (a - 1) ** 2) < 1e-12);
});

test("the finite-difference hypergradient equals the analytic one, (1 - 2 xi) w + 4 xi alpha - 2", () => {
  for (const xi of [0, 0.3, 0.5, 0.7]) {
    for (const point of [{ alpha: 2, w: -2 }, { alpha: 0.3, w: 1.7 }]) {
      const exact = (1 - 2 * xi) * point.w + 4 * xi * point.alpha - 2;
      assert.ok(Math.abs(toyHypergradient(point, xi) - exact) < 1e-9, `xi=${xi} at ${JSON.stringify(point)}`);
    }
  }
});

test("alternating updates converge to alpha = w = 2 / (1 + 2 xi)", () => {
  for (const xi of [0, 0.3, 0.5, 0.7]) {
    const end = toyTrajectory({ xi, steps: 200 }).at(-1)!;
    const expected = 2 / (1 + 2 * xi);
    assert.ok(Math.abs(end.alpha - expected) < 1e-3 && Math.abs(end.w - expected) < 1e-3, `xi=${xi} ended at ${JSON.stringify(end)}`);
  }
});

test("toyFixedPoint gives where the iteration ends: first order at (2, 2), xi = 0.5 at the optimum (1, 1)", () => {
  for (const xi of [0, 0.5]) {
    const end = toyTrajectory({ xi, steps: 200 }).at(-1)!;
    const fixed = toyFixedPoint(xi);
    assert.ok(Math.abs(end.alpha - fixed.alpha) < 1e-3 && Math.abs(end.w - fixed.w) < 1e-3);
  }
  assert.deepEqual(toyFixedPoint(0.5), TOY_OPTIMUM);
  assert.deepEqual(toyFixedPoint(0), { alpha: 2, w: 2 });
});
