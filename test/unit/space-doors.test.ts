/**
 * Every space checks a genotype at every door (build, encode, mutate, describe), so bad data is a
 * GenotypeError naming the field, never a crash deep in tfjs or a network that trains an
 * invalid cell, and no tensor is left behind.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { initBackend } from "../../lib/backend/select";
import { GenotypeError } from "../../lib/core/errors";
import { Rng } from "../../lib/core/random";
import type { Json } from "../../lib/core/types";
import { smallSpaces } from "./space-fixtures";

const spaces = smallSpaces();

test("build, encode, mutate and describe refuse a bad genotype with a GenotypeError and leak nothing", async () => {
  await initBackend({ NASBOOK_BACKEND: process.env.NASBOOK_BACKEND || "wasm" });
  for (const [name, space] of spaces) {
    const good = space.sample(new Rng(1));
    // A valid genotype with one field broken: the first array in it gets a bogus element.
    const broken = JSON.parse(JSON.stringify(good), (_key, value) => (Array.isArray(value) ? [...value.slice(1), { bogus: true }] : value));
    const tensors = tf.memory().numTensors;
    for (const bad of [null, {}, broken]) {
      const doors: Array<[string, () => unknown]> = [
        ["build", () => space.build(bad as Json, [14, 14, 1], 10, new Rng(2))],
        ["encode", () => space.encode(bad as Json)],
        ["mutate", () => space.mutate(bad as Json, new Rng(3))],
        ["describe", () => space.describe(bad as Json)],
      ];
      for (const [door, call] of doors) {
        assert.throws(call, (e: unknown) => e instanceof GenotypeError && /Invalid genotype: \S+/.test(e.message), `${name}.${door}(${JSON.stringify(bad)})`);
      }
    }
    assert.equal(tf.memory().numTensors, tensors, `${name}: no tensor left behind`);
  }
});
