/**
 * NAO's performance predictor f (section 3.2): an MLP on the embedding h, ReLU hidden layers
 * (3 of 200 units in the paper) and a sigmoid output, so f(h) in (0, 1) is compared with the
 * min-max normalised accuracy. f is differentiable in h, which is what the search climbs.
 */
import * as tf from "@tensorflow/tfjs";
import type { Rng } from "../../core/random";
import { Dense } from "../../nn/layers";

export class Predictor {
  readonly hidden: readonly Dense[];
  readonly output: Dense;

  constructor(inputSize: number, layers: number, units: number, rng: Rng) {
    this.hidden = Array.from({ length: layers }, (_, l) => new Dense(l === 0 ? inputSize : units, units, rng));
    this.output = new Dense(layers === 0 ? inputSize : units, 1, rng);
  }

  /** f(h) for a batch of embeddings [B, hidden]: [B]. */
  predict(embedding: tf.Tensor2D): tf.Tensor1D {
    const last = this.hidden.reduce((x, layer) => tf.relu(layer.apply(x)), embedding);
    return tf.reshape(tf.sigmoid(this.output.apply(last)), [-1]) as tf.Tensor1D;
  }

  variables(): tf.Variable[] {
    return [...this.hidden.flatMap((l) => l.variables()), ...this.output.variables()];
  }
}
