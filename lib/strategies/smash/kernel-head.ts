/**
 * The output end of SMASH's HyperNets: a linear head from one slot's feature vector z to one
 * whole kernel, kernel = reshape(z A + a, shape). The bias a alone is a He-initialised kernel and
 * A starts small, so at initialisation every slot gets a sensible kernel that z A then varies
 * per slot and architecture.
 */
import * as tf from "@tensorflow/tfjs";
import type { Rng } from "../../core/random";

export interface KernelHead {
  readonly kernel: tf.Variable;
  readonly bias: tf.Variable;
  /** [kh, kw, in, out]. */
  readonly shape: [number, number, number, number];
}

export function normalVariable(shape: number[], std: number, rng: Rng): tf.Variable {
  return tf.tidy(() => tf.variable(tf.randomNormal(shape, 0, std, "float32", rng.seed())));
}

export function kernelHead(hidden: number, shape: [number, number, number, number], rng: Rng): KernelHead {
  const size = shape.reduce((a, b) => a * b, 1);
  const he = Math.sqrt(2 / (shape[0] * shape[1] * shape[2]));
  return { kernel: normalVariable([hidden, size], he / Math.sqrt(hidden), rng), bias: normalVariable([size], he, rng), shape };
}

/** The kernels of the slots whose features are rows `rows` of `features` [slots, hidden], in that order. */
export function applyHead(head: KernelHead, features: tf.Tensor2D, rows: readonly number[]): tf.Tensor4D[] {
  const flat = tf.add(tf.matMul(tf.gather(features, [...rows]), head.kernel as tf.Tensor2D), head.bias) as tf.Tensor2D;
  return rows.map((_, n) => tf.reshape(tf.slice(flat, [n, 0], [1, flat.shape[1]]), head.shape));
}
