/**
 * What a differentiable architecture search needs of a search network, whichever cell space it
 * spans (DARTS's, NAS-Bench-201's): named architecture parameters alpha, one [edges x ops] matrix
 * per kind of cell that shares them (DARTS: `normal` and `reduce`; NAS-Bench-201: one), the
 * network weights w kept apart from them (bilevel search trains the two on different data with
 * different optimisers), and a forward pass whose ops are weighed by a mixing of those alphas.
 */
import * as tf from "@tensorflow/tfjs";
import type { Rng } from "../core/random";

/** How one forward pass weighs the ops of every edge of the cells that share one alpha. */
export interface EdgeMixing {
  /** [edges, ops]: softmax(alpha) for DARTS, straight-through one-hots for GDAS. */
  readonly weights: tf.Tensor2D;
  /** GDAS: the one op per edge that runs. Absent: every op runs (DARTS). */
  readonly chosen?: readonly number[];
}

export type Alphas<K extends string> = Record<K, tf.Variable>;
export type Mixing<K extends string> = Record<K, EdgeMixing>;

export interface Supernet<K extends string> {
  readonly alphas: Alphas<K>;
  /** Logits; the cells sharing alpha `k` mix their ops by `mixing[k]`. */
  apply(x: tf.Tensor4D, training: boolean, mixing: Mixing<K>): tf.Tensor2D;
  /** The network weights w (what SGD trains), without the alphas. */
  weights(): tf.Variable[];
  alphaVariables(): tf.Variable[];
  /** Every variable a search changes, in a fixed order: weights, BatchNorm running statistics, alphas (what a checkpoint keeps). */
  stateVariables(): tf.Variable[];
  /** DARTS's continuous relaxation: softmax over each edge's ops. */
  softmaxMixing(): Mixing<K>;
  dispose(): void;
}

/** `f` of every entry of a record keyed by alpha name (the alphas, a mixing, a sample), in the record's order. */
export function mapAlphas<K extends string, V, T>(record: Record<K, V>, f: (value: V) => T): Record<K, T> {
  return Object.fromEntries(Object.entries<V>(record).map(([name, value]) => [name, f(value)])) as Record<K, T>;
}

/** DARTS initialises alpha at 1e-3 * N(0, 1): near-uniform mixing with the ties broken. */
export function initialAlpha(edges: number, ops: number, rng: Rng): tf.Variable {
  return tf.tidy(() => tf.variable(tf.mul(1e-3, tf.randomNormal([edges, ops], 0, 1, "float32", rng.seed())), true));
}

export function softmaxMixing<K extends string>(alphas: Alphas<K>): Mixing<K> {
  return mapAlphas(alphas, (alpha) => ({ weights: tf.softmax(alpha as tf.Tensor2D) }));
}
