/**
 * The genotype fuzz: 1,000 random corruptions of valid genotypes per space, each given to the
 * space's door (`validate`). Each must be either refused with a GenotypeError that names a field,
 * or accepted as a genotype that every other door takes and that builds and trains a step with a
 * finite loss; nothing may leak a tensor. Corruptions are what JSON from disk or a bad decoder can
 * hold: a field removed, added or retyped, a number out of range or not whole, another valid value.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { initBackend } from "../../lib/backend/select";
import { GenotypeError } from "../../lib/core/errors";
import { Rng } from "../../lib/core/random";
import type { Json, SearchSpace } from "../../lib/core/types";
import { MomentumSGD } from "../../lib/nn/sgd";
import { smallSpaces } from "../unit/space-fixtures";
import { FaultTally } from "./fault-tally";

const MUTANTS_PER_SPACE = 1000;
const INPUT: [number, number, number] = [8, 8, 1];

type Path = Array<string | number>;

/** Every place in a JSON value that a corruption can hit (the root excluded). */
function paths(value: unknown, at: Path = []): Path[] {
  if (Array.isArray(value)) return value.flatMap((v, i) => [[...at, i], ...paths(v, [...at, i])]);
  if (typeof value === "object" && value !== null) return Object.entries(value).flatMap(([k, v]) => [[...at, k], ...paths(v, [...at, k])]);
  return [];
}

function parentOf(root: unknown, path: Path): Record<string | number, unknown> {
  return path.slice(0, -1).reduce<unknown>((node, key) => (node as Record<string | number, unknown>)[key], root) as Record<string | number, unknown>;
}

/** The strings and numbers valid genotypes of this space hold: swapping one for another is a realistic corruption. */
function vocabulary(space: SearchSpace<Json>, rng: Rng): { strings: string[]; numbers: number[] } {
  const strings = new Set<string>(["bogus", ""]);
  const numbers = new Set<number>([-1, 0, 1.5, 1e6, Number.NaN, Number.POSITIVE_INFINITY]);
  for (let i = 0; i < 20; i++) {
    JSON.stringify(space.sample(rng), (_key, v) => {
      if (typeof v === "string") strings.add(v);
      if (typeof v === "number") [v, v + 1, v - 1].forEach((n) => numbers.add(n));
      return v;
    });
  }
  return { strings: [...strings], numbers: [...numbers] };
}

/** One corruption at one random place of a copy of `genotype`. */
function corrupt(genotype: Json, rng: Rng, words: { strings: string[]; numbers: number[] }): unknown {
  const copy = JSON.parse(JSON.stringify(genotype)) as unknown;
  const all = paths(copy);
  const path = all[rng.int(all.length)];
  const parent = parentOf(copy, path);
  const key = path[path.length - 1];
  const pick = <T>(items: readonly T[]): T => items[rng.int(items.length)];
  const replacements: Array<() => unknown> = [
    () => pick(words.strings),
    () => pick(words.numbers),
    () => pick([null, true, {}, [], [1, 2]]),
    () => (Array.isArray(parent[key]) ? [...(parent[key] as unknown[]), (parent[key] as unknown[])[0]] : { extra: 1 }),
  ];
  const kind = rng.int(replacements.length + 1);
  if (kind === replacements.length) {
    if (Array.isArray(parent)) parent.splice(key as number, 1);
    else delete parent[key];
  } else {
    parent[key] = replacements[kind]();
  }
  return copy;
}

/** An accepted genotype goes through every other door and trains one step with a finite loss. */
function trainable(space: SearchSpace<Json>, genotype: Json, rng: Rng, x: tf.Tensor4D, y: tf.Tensor2D): void {
  space.encode(genotype);
  space.describe(genotype);
  space.validate(space.mutate(genotype, rng));
  const net = space.build(genotype, INPUT, 10, rng.fork());
  const sgd = new MomentumSGD(net.trainableVariables);
  try {
    const loss = sgd.minimize(() => tf.losses.softmaxCrossEntropy(y, net.apply(x, true)) as tf.Scalar, 0.05);
    const value = loss.dataSync()[0];
    loss.dispose();
    assert.ok(Number.isFinite(value), `loss ${value}`);
  } finally {
    sgd.dispose();
    net.dispose();
  }
}

test("genotype fuzz: every corruption is refused naming a field, or is a valid genotype that trains; no tensor leaks", { timeout: 600_000 }, async (t) => {
  await initBackend({ NASBOOK_BACKEND: process.env.NASBOOK_BACKEND || "wasm" });
  const x = tf.randomNormal([2, ...INPUT], 0, 1, "float32", 1) as tf.Tensor4D;
  const y = tf.oneHot(tf.tensor1d([0, 1], "int32"), 10) as tf.Tensor2D;
  for (const [name, space] of smallSpaces()) {
    const tally = new FaultTally(`genotype fuzz, ${name}`);
    const rng = new Rng(2026);
    const words = vocabulary(space, rng);
    const trained = new Set<string>();
    const tensors = tf.memory().numTensors;
    for (let i = 0; i < MUTANTS_PER_SPACE; i++) {
      const mutant = corrupt(space.sample(rng), rng, words);
      await tally.check(`${name} mutant ${i} ${JSON.stringify(mutant)}`, () => {
        let genotype: Json;
        try {
          genotype = space.validate(mutant);
        } catch (error) {
          if (!(error instanceof GenotypeError)) throw error;
          assert.match(error.field, /\S/, "the error names a field");
          return "refused";
        }
        // Only distinct accepted genotypes are trained; each is still counted.
        const key = JSON.stringify(genotype);
        if (!trained.has(key)) trainable(space, genotype, rng, x, y);
        trained.add(key);
        return "valid and trained";
      });
    }
    tally.notes.set("distinct trained", trained.size);
    assert.equal(tf.memory().numTensors, tensors, `${name}: no tensor left behind`);
    tally.report(t);
  }
  tf.dispose([x, y]);
});
