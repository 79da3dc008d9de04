import { test } from "node:test";
import assert from "node:assert/strict";
import { NasnetSpace } from "../../lib/spaces/nasnet";
import { ok, sepShare } from "./nasnet-fixtures";
import { RandomSearch } from "../../lib/strategies/random-search";
import { RegularizedEvolution } from "../../lib/strategies/regularized-evolution";
import { compareOnBenchmark } from "../../lib/experiment/tabular-comparison";

const space = new NasnetSpace({ repeats: 1, channels: 4 });



test("aging removes the oldest member, not the worst; without aging the worst dies", () => {
  const fitnesses = [0.9, 0.1, 0.5, 0.3];
  const survivors = (aging: boolean) => {
    const evolution = new RegularizedEvolution(space, { populationSize: 3, sampleSize: 2, aging }, 1);
    for (const f of fitnesses) evolution.tell(evolution.ask(), ok(f));
    return evolution.members.map((m) => m.fitness);
  };
  // The fourth child joins a full population of [0.9, 0.1, 0.5].
  assert.deepEqual(survivors(true), [0.1, 0.5, 0.3], "aging: the oldest (and best) member 0.9 is gone");
  assert.deepEqual(survivors(false), [0.9, 0.5, 0.3], "non-aging: the worst member 0.1 is gone");
});

test("on cells every child is at most one mutation (an input or an op) away from a population member, and evolution beats random search", () => {
  const evolution = new RegularizedEvolution(space, { populationSize: 20, sampleSize: 5 }, 2);
  const random = new RandomSearch(space, 2);
  let [evolved, sampled] = [0, 0];
  for (let i = 0; i < 400; i++) {
    const members = evolution.members.map((m) => space.encode(m.genotype));
    const child = evolution.ask();
    if (i >= 20) {
      const tokens = space.encode(child.genotype);
      const distance = Math.min(...members.map((m) => m.filter((t, k) => t !== tokens[k]).length));
      // 0 when the mutation happens to recreate another member.
      assert.ok(distance <= 1, `child ${i} is ${distance} tokens from the nearest member`);
    }
    evolution.tell(child, ok(sepShare(child.genotype)));
    evolved = Math.max(evolved, sepShare(child.genotype));
    sampled = Math.max(sampled, sepShare(random.ask().genotype));
  }
  assert.ok(evolved >= sampled + 0.25, `best share of sep_conv_3x3: evolution ${evolved}, random ${sampled}`);
});

test("identity mutations copy the parent unchanged", () => {
  const evolution = new RegularizedEvolution(space, { populationSize: 4, sampleSize: 2, identityProbability: 1 }, 3);
  for (let i = 0; i < 4; i++) evolution.tell(evolution.ask(), ok(i / 10));
  for (let i = 0; i < 10; i++) {
    const members = evolution.members.map((m) => JSON.stringify(m.genotype));
    const child = evolution.ask();
    assert.ok(members.includes(JSON.stringify(child.genotype)), `child ${i} is a copy of a member`);
    evolution.tell(child, ok(0.5));
  }
  assert.throws(() => new RegularizedEvolution(space, { populationSize: 4, sampleSize: 2, identityProbability: 2 }, 3), /identityProbability/);
});

test("the benchmark table runs non-aging evolution and PPO like the other methods", async () => {
  const comparison = await compareOnBenchmark({ benchmark: "nb201-fashion-mnist", methods: ["non-aging-evolution", "ppo"], seeds: [1, 2], scale: "smoke" });
  assert.deepEqual(comparison.runs.map((r) => [r.method, r.seed, r.trials.length]), [
    ["non-aging-evolution", 1, 8],
    ["non-aging-evolution", 2, 8],
    ["ppo", 1, 8],
    ["ppo", 2, 8],
  ]);
  assert.equal((comparison.settings["non-aging-evolution"].evolution as { aging: boolean }).aging, false);
  assert.equal(comparison.runs.filter((r) => r.method === "ppo").every((r) => (r.controller ?? []).length === 4), true, "PPO updates every 2 of 8 trials");
  for (const r of comparison.runs) assert.ok(r.best && r.best.testAccuracy > 0.5, `${r.method} seed ${r.seed}: a cell chosen and looked up`);
});
