/**
 * A table trained on two machines gives its times on one: every trial's machine from the spans
 * its build calls recorded, each machine's speed factor from the mean of its trainings.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { BenchmarkError } from "../../lib/core/errors";
import type { TrialRecord } from "../../lib/core/types";
import { addSpan, machineOfRecords, tableTiming, UNRECORDED_MACHINE } from "../../lib/benchmarks/timing";

const trial = (id: number, trainSeconds: number, status: "ok" | "failed" = "ok"): TrialRecord =>
  ({ id, genotype: null, status, metrics: status === "ok" ? { validAccuracy: 0.5, params: 1, flops: 1, latencyMs: 1, trainSeconds } : undefined, seconds: trainSeconds }) as TrialRecord;

test("each record's machine is the last span that began at or before it; records before the first span are unrecorded", () => {
  const spans = [{ fromRecord: 2, machine: "fast" }, { fromRecord: 4, machine: "slow" }];
  assert.deepEqual(machineOfRecords(6, spans), [UNRECORDED_MACHINE, UNRECORDED_MACHINE, "fast", "fast", "slow", "slow"]);
  assert.deepEqual(machineOfRecords(3, []), [UNRECORDED_MACHINE, UNRECORDED_MACHINE, UNRECORDED_MACHINE]);
});

test("a call on the machine of the last span adds no span; a span before the last is refused", () => {
  const one = addSpan([], { fromRecord: 0, machine: "a" });
  assert.deepEqual(addSpan(one, { fromRecord: 5, machine: "a" }), one);
  assert.deepEqual(addSpan(one, { fromRecord: 5, machine: "b" }), [...one, { fromRecord: 5, machine: "b" }]);
  assert.throws(() => addSpan([{ fromRecord: 5, machine: "a" }], { fromRecord: 3, machine: "b" }), BenchmarkError);
});

test("the machine that trained most is the reference; another's factor is the ratio of mean training times, failures left out", () => {
  // "slow" takes 1.6x as long on average over its sample of cells.
  const records = [trial(0, 4), trial(1, 2.4), trial(2, 2.5), trial(3, 2.6), trial(4, 9, "failed"), trial(5, 3.2)];
  const machines = ["slow", "fast", "fast", "fast", "fast", "slow"];
  const timing = tableTiming(records, machines);
  assert.equal(timing.reference, "fast");
  const byName = new Map(timing.machines.map((m) => [m.machine, m]));
  assert.deepEqual(byName.get("fast"), { machine: "fast", trials: 3, meanTrainSeconds: 2.5, factor: 1 });
  assert.deepEqual(byName.get("slow"), { machine: "slow", trials: 2, meanTrainSeconds: 3.6, factor: Number((2.5 / 3.6).toFixed(4)) });
  assert.throws(() => tableTiming([trial(0, 1, "failed")], ["a"]), /no successful training/);
});
