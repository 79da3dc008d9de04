import { test } from "node:test";
import assert from "node:assert/strict";
import { pca, project } from "../../lib/core/pca";
import { Rng } from "../../lib/core/random";

test("pca finds the axes of an elongated cloud, largest variance first, and projects on them", () => {
  const rng = new Rng(1);
  // Variance 9 along (1, 1, 0)/sqrt(2), 1 along (0, 0, 1), 0.01 along (1, -1, 0)/sqrt(2), offset by (5, -2, 3).
  const rows = Array.from({ length: 400 }, () => {
    const [a, b, c] = [3 * rng.normal(), rng.normal(), 0.1 * rng.normal()];
    return [5 + (a + c) / Math.SQRT2, -2 + (a - c) / Math.SQRT2, 3 + b];
  });
  const fit = pca(rows, 2);
  assert.ok(Math.abs(fit.components[0][0] - Math.SQRT1_2) < 0.02 && Math.abs(fit.components[0][1] - Math.SQRT1_2) < 0.02, JSON.stringify(fit.components));
  assert.ok(Math.abs(fit.components[1][2] - 1) < 0.02, JSON.stringify(fit.components));
  assert.ok(Math.abs(fit.explained[0] - 9 / 10.01) < 0.03 && Math.abs(fit.explained[1] - 1 / 10.01) < 0.02, JSON.stringify(fit.explained));
  assert.ok(Math.abs(fit.mean[0] - 5) < 0.4 && Math.abs(fit.mean[1] + 2) < 0.4);
  // A point on the first axis, 2 from the mean, projects to (2, 0).
  const [x, y] = project(fit, [fit.mean.map((m, j) => m + 2 * fit.components[0][j])])[0];
  assert.ok(Math.abs(x - 2) < 1e-9 && Math.abs(y) < 1e-9);
  assert.deepEqual(pca(rows, 2), fit, "deterministic");
  assert.throws(() => pca([[1, 2]]), /at least two rows/);
  assert.throws(() => pca([[1, 2], [3]]), /same length/);
  assert.throws(() => pca(rows, 4), /count must be an integer in \[1, 3\]/);
});
