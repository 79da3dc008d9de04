import { test } from "node:test";
import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { initBackend } from "../../lib/backend/select";
import { Rng } from "../../lib/core/random";
import type { Json, SearchSpace } from "../../lib/core/types";
import { DartsSpace } from "../../lib/spaces/darts/space";
import { DartsSupernet } from "../../lib/spaces/darts/supernet";
import { MacroCnnSpace } from "../../lib/spaces/macro-cnn";
import { NasRlSpace, nasRlSpaceOptions } from "../../lib/spaces/nasrl/space";

const spaces: Array<[string, SearchSpace<Json>]> = [
  ["macro-cnn", new MacroCnnSpace() as unknown as SearchSpace<Json>],
  ["nas-rl", new NasRlSpace(nasRlSpaceOptions("smoke")) as unknown as SearchSpace<Json>],
  ["darts", new DartsSpace({ layers: 3, channels: 2, stemStride: 2 }) as unknown as SearchSpace<Json>],
];

for (const [name, space] of spaces) {
  test(`${name}: building, counting MACs, running and disposing a network leaves no tensor behind`, async () => {
    await initBackend({ NASBOOK_BACKEND: "wasm" });
    const before = tf.memory().numTensors;
    const net = space.build(space.sample(new Rng(1)), [12, 12, 1], 10, new Rng(2));
    assert.ok(net.macs() > 0);
    // Traced once: asking again runs no forward pass.
    const apply = net.apply.bind(net);
    let passes = 0;
    net.apply = (x, training) => {
      passes++;
      return apply(x, training);
    };
    net.macs();
    assert.equal(passes, 0, "macs() is traced once");
    assert.ok(net.paramCount() > 0);
    tf.tidy(() => {
      assert.deepEqual(net.apply(tf.ones([2, 12, 12, 1]) as tf.Tensor4D, true).shape, [2, 10]);
    });
    net.dispose();
    assert.equal(tf.memory().numTensors, before);
  });
}

test("darts supernet: building and disposing it, alphas included, leaves no tensor behind", async () => {
  await initBackend({ NASBOOK_BACKEND: "wasm" });
  const before = tf.memory().numTensors;
  new DartsSupernet({ layers: 3, channels: 2, stemStride: 2 }, [12, 12, 1], 10, new Rng(1)).dispose();
  assert.equal(tf.memory().numTensors, before);
});
