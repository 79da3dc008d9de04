/** Shared by the supernet tests (DARTS's, NAS-Bench-201's, ENAS's): tiny images, their batches and data sets, search settings. */
import * as tf from "@tensorflow/tfjs";
import { Rng } from "../../lib/core/random";
import { Subset } from "../../lib/data/batches";
import type { SinglePathNet } from "../../lib/spaces/single-path";
import type { LabelledBatch } from "../../lib/strategies/darts/hypergradient";
import { DARTS_HYPERPARAMETERS, type DartsSearchConfig } from "../../lib/strategies/darts/search";

export const SHAPE = [6, 6, 1] as const;
export const CLASSES = 3;

/** A random batch of `size` images with one-hot labels, fixed by `seed`. */
export function batch(seed: number, size = 4): LabelledBatch {
  const x = tf.randomNormal([size, ...SHAPE], 0, 1, "float32", seed) as tf.Tensor4D;
  const labels = tf.oneHot(tf.tensor1d(Array.from({ length: size }, (_, i) => (i + seed) % CLASSES), "int32"), CLASSES).toFloat() as tf.Tensor2D;
  return { x, labels };
}

/** First-order DARTS for 2 epochs in batches of 4, unless overridden. */
export function config(overrides: Partial<DartsSearchConfig> = {}): DartsSearchConfig {
  return { ...DARTS_HYPERPARAMETERS, epochs: 2, batchSize: 4, order: 1, gdasTau: null, seed: 0, ...overrides };
}

/** `size` random images with random labels, fixed by `seed`. */
export function tinySubset(size: number, seed: number): Subset {
  const rng = new Rng(seed);
  const info = { name: "fashion-mnist" as const, shape: SHAPE, numClasses: CLASSES, classNames: ["a", "b", "c"] };
  const images = Float32Array.from({ length: size * 36 }, () => rng.normal());
  const labels = Int32Array.from({ length: size }, () => rng.int(CLASSES));
  return new Subset(info, images, labels, { mean: [0], std: [1] });
}

/** Names of the shared weights a loss of architecture `tokens` reaches. */
export function reached(net: SinglePathNet, tokens: number[], x: tf.Tensor4D): Set<string> {
  const { value, grads } = tf.variableGrads(() => tf.sum(net.apply(x, true, tokens)) as tf.Scalar, net.weights());
  const names = new Set(Object.keys(grads));
  tf.dispose([value, ...Object.values(grads)]);
  return names;
}

/** A copy of every shared weight's values, by variable name. */
export function weightValues(net: SinglePathNet): Map<string, Float32Array> {
  return new Map(net.weights().map((v) => [v.name, v.dataSync().slice() as Float32Array]));
}
