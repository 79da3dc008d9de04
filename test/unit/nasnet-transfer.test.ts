/**
 * The N@F transfer table's retraining: every (cell, size, seed) trained once at its own size on
 * the worker threads, the same numbers as the in-process evaluator's; the lead per size judged
 * by the seeds' spread.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { initBackend } from "../../lib/backend/select";
import { Rng } from "../../lib/core/random";
import { loadDataset } from "../../lib/data";
import { TrainFromScratch } from "../../lib/evaluators/train-from-scratch";
import { retrainAtSizes, transferLeads, type TransferResult } from "../../lib/experiment/nasnet-transfer";
import { NasnetSpace, nasnetFilters } from "../../lib/spaces/nasnet";

const space = { repeats: 0, channels: 2, stemMultiplier: 1, stemStride: 2, ops: ["sep_conv_3x3", "max_pool_3x3", "skip_connect"] as const };
const sizes = [
  { repeats: 0, channels: 2, stemMultiplier: 1, stemStride: 2 },
  { repeats: 1, channels: 4, stemMultiplier: 1, stemStride: 2 },
];
const data = { seed: 3, trainSize: 64, validSize: 32, testSize: 8 };
const fidelity = { epochs: 1, batchSize: 32 };

test("retrainAtSizes trains each cell at each N@F and seed once, as the in-process evaluator would", async () => {
  await initBackend({ NASBOOK_BACKEND: "wasm" });
  const splits = await loadDataset("fashion-mnist", data);
  const small = new NasnetSpace(space);
  const cells = { found: small.sample(new Rng(1)), random: small.sample(new Rng(2)) };
  const results = await retrainAtSizes({ cells, space, sizes, seeds: [1, 2], fidelity, dataset: "fashion-mnist", splits, data });
  assert.deepEqual(
    results.map((r) => `${r.cell} ${r.sizeIndex} ${r.seed}`),
    ["found 0 1", "found 0 2", "random 0 1", "random 0 2", "found 1 1", "found 1 2", "random 1 1", "random 1 2"],
  );
  for (const r of results) assert.equal(r.size, `${sizes[r.sizeIndex].repeats}@${nasnetFilters(cells[r.cell as "found"], sizes[r.sizeIndex])}`);
  // The larger size's networks are the larger ones, and a worker's numbers are the in-process evaluator's.
  const larger = results.find((r) => r.cell === "found" && r.sizeIndex === 1 && r.seed === 2)!;
  assert.ok(larger.params > results.find((r) => r.cell === "found" && r.sizeIndex === 0)!.params);
  const local = new TrainFromScratch(new NasnetSpace({ ...space, ...sizes[1] }), splits, fidelity);
  const metrics = await local.evaluate(cells.found, { seed: 2 });
  assert.equal(larger.params, metrics.params);
  assert.equal(larger.validAccuracy, metrics.validAccuracy);
});

test("transferLeads: per size, the gap of the means against the larger spread of the two cells' seeds", () => {
  const row = (cell: string, sizeIndex: number, validAccuracy: number): TransferResult =>
    ({ cell, size: "", sizeIndex, repeats: 0, channels: 2, seed: 0, validAccuracy, params: 0, trainSeconds: 0 });
  const results = [
    row("found", 0, 0.8), row("found", 0, 0.82), row("random", 0, 0.7), row("random", 0, 0.74),
    row("found", 1, 0.8), row("found", 1, 0.9), row("random", 1, 0.78), row("random", 1, 0.8),
  ];
  const [first, second] = transferLeads(results, "found", "random");
  assert.equal(first.verdict, "beyond");
  assert.ok(Math.abs(first.gap - 0.09) < 1e-12 && Math.abs(first.spread - 0.04) < 1e-12);
  assert.ok(Math.abs(first.cell - 0.81) < 1e-12 && Math.abs(first.baseline - 0.72) < 1e-12);
  assert.equal(second.verdict, "within");
  assert.ok(Math.abs(second.gap - 0.06) < 1e-12 && Math.abs(second.spread - 0.1) < 1e-12);
});
