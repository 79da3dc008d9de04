import { test } from "node:test";
import assert from "node:assert/strict";
import { mean } from "../../lib/core/stats";

test("mean averages a list and refuses an empty one", () => {
  assert.equal(mean([0.5, 0.75, 1]), 0.75);
  assert.equal(mean([-2]), -2);
  assert.throws(() => mean([]), /mean of an empty list/);
});
