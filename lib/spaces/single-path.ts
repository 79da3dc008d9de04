/**
 * A weight-sharing network that runs one architecture per forward pass (ENAS, random search with
 * weight sharing): an architecture's tokens pick one op per decision, and every architecture
 * that picks the same op at the same place runs the very same weights. Training it with a fresh
 * architecture per minibatch trains all of them at once, a little each; an architecture's
 * accuracy with these inherited weights is what ENAS rewards and random-WS ranks by.
 */
import type * as tf from "@tensorflow/tfjs";
import type { Decision } from "../core/types";

export interface SinglePathNet {
  /** One token per decision, as the space's `encode` gives them. */
  readonly decisions: readonly Decision[];
  /** Logits of the architecture `tokens`; `training` puts BatchNorm on batch statistics. */
  apply(x: tf.Tensor4D, training: boolean, tokens: readonly number[]): tf.Tensor2D;
  /** The shared weights SGD trains. */
  weights(): tf.Variable[];
  /** Every variable, trainable or not (BatchNorm running statistics): what a checkpoint keeps. */
  variables(): tf.Variable[];
  dispose(): void;
}
