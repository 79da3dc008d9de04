import { test } from "node:test";
import assert from "node:assert/strict";
import type { TrialMetrics } from "../../lib/core/types";
import { MacroCnnSpace, type MacroCnnGenotype } from "../../lib/spaces/macro-cnn";
import { RandomSearch } from "../../lib/strategies/random-search";
import { RegularizedEvolution } from "../../lib/strategies/regularized-evolution";

const space = new MacroCnnSpace();
const metrics = (validAccuracy: number): TrialMetrics => ({
  validAccuracy,
  validAccuracyHistory: [validAccuracy],
  params: 1,
  flops: 1,
  latencyMs: 1,
  trainSeconds: 1,
});
/** A fitness with a known optimum: wider layers score higher. */
const fitness = (g: MacroCnnGenotype) => g.layers.reduce((s, l) => s + l.filters, 0) / (32 * 4);

test("random search is seeded and ids count up", () => {
  const a = new RandomSearch(space, 7);
  const b = new RandomSearch(space, 7);
  const c = new RandomSearch(space, 8);
  const asks = (s: RandomSearch<MacroCnnGenotype>) => Array.from({ length: 5 }, () => s.ask());
  const [x, y, z] = [asks(a), asks(b), asks(c)];
  assert.deepEqual(x, y);
  assert.deepEqual(x.map((k) => k.id), [0, 1, 2, 3, 4]);
  assert.notDeepEqual(x, z);
});

test("evolution starts random, then mutates tournament winners and ages out the oldest", () => {
  const evolution = new RegularizedEvolution(space, { populationSize: 10, sampleSize: 3 }, 1);
  const random = new RandomSearch(space, 1);
  let evolvedBest = 0;
  let randomBest = 0;
  for (let i = 0; i < 300; i++) {
    const c = evolution.ask();
    evolution.tell(c, { status: "ok", metrics: metrics(fitness(c.genotype)) });
    evolvedBest = Math.max(evolvedBest, fitness(c.genotype));
    randomBest = Math.max(randomBest, fitness(random.ask().genotype));
  }
  // The first 10 asks are random samples (same Rng stream as RandomSearch with the same seed).
  const fresh = new RegularizedEvolution(space, { populationSize: 10, sampleSize: 3 }, 1);
  const first = Array.from({ length: 10 }, () => fresh.ask().genotype);
  const sampled = new RandomSearch(space, 1);
  assert.deepEqual(first, Array.from({ length: 10 }, () => sampled.ask().genotype));
  assert.equal(evolvedBest, 1, "evolution should reach the widest network");
  // Evolution's recent children are mostly near the optimum; random samples are not.
  const recent: number[] = [];
  for (let i = 0; i < 50; i++) {
    const c = evolution.ask();
    recent.push(fitness(c.genotype));
    evolution.tell(c, { status: "ok", metrics: metrics(fitness(c.genotype)) });
  }
  assert.ok(recent.reduce((a, b) => a + b) / recent.length > 0.6);
});

test("failed children do not join the population; the oldest member ages out", () => {
  const evolution = new RegularizedEvolution(space, { populationSize: 2, sampleSize: 2 }, 3);
  const a = evolution.ask();
  evolution.tell(a, { status: "ok", metrics: metrics(0.9) });
  const b = evolution.ask();
  evolution.tell(b, { status: "ok", metrics: metrics(0.1) });
  const failed = evolution.ask();
  evolution.tell(failed, { status: "failed" });
  assert.deepEqual(evolution.members.map((m) => m.fitness), [0.9, 0.1]);
  const child = evolution.ask();
  evolution.tell(child, { status: "ok", metrics: metrics(0.5) });
  // Aging removes the oldest (a, the best), not the worst.
  assert.deepEqual(evolution.members.map((m) => m.fitness), [0.1, 0.5]);
  assert.deepEqual(evolution.members[1].genotype, child.genotype);
  assert.throws(() => new RegularizedEvolution(space, { populationSize: 2, sampleSize: 3 }, 1), /sampleSize/);
});
