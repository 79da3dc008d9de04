/**
 * A stacked LSTM written out gate by gate (d2l's "LSTM from scratch"), stepped one token at a
 * time: a controller decides its next input only after it has sampled the current token.
 */
import * as tf from "@tensorflow/tfjs";
import type { Rng } from "../../core/random";

/** Hidden and cell state of every layer, each [batch, units] (the controller's batch is 1). */
export interface LstmState {
  readonly h: tf.Tensor2D[];
  readonly c: tf.Tensor2D[];
}

interface LstmLayerWeights {
  /** [inputSize + units, 4 * units]; gate columns in the order input, forget, candidate, output. */
  readonly kernel: tf.Variable;
  readonly bias: tf.Variable;
}

/** Uniform in [-range, range], seeded: the initialisation NAS-RL uses for every controller weight. */
export function uniformVariable(shape: number[], range: number, rng: Rng): tf.Variable {
  // tidy frees the initial tensor, which the variable does not take over.
  return tf.tidy(() => tf.variable(tf.randomUniform(shape, -range, range, "float32", rng.seed())));
}

export class StackedLstm {
  readonly layers: readonly LstmLayerWeights[];

  constructor(
    readonly inputSize: number,
    readonly units: number,
    numLayers: number,
    initRange: number,
    rng: Rng,
  ) {
    this.layers = Array.from({ length: numLayers }, (_, l) => {
      const fanIn = (l === 0 ? inputSize : units) + units;
      return { kernel: uniformVariable([fanIn, 4 * units], initRange, rng), bias: uniformVariable([4 * units], initRange, rng) };
    });
  }

  /** Zeros for a batch of `batch` sequences stepped side by side (the controller walks one). */
  zeroState(batch = 1): LstmState {
    const zeros = () => this.layers.map(() => tf.zeros([batch, this.units]) as tf.Tensor2D);
    return { h: zeros(), c: zeros() };
  }

  /** One time step through every layer; returns the top layer's output and the new state. */
  step(x: tf.Tensor2D, state: LstmState): { output: tf.Tensor2D; state: LstmState } {
    const h: tf.Tensor2D[] = [];
    const c: tf.Tensor2D[] = [];
    let input = x;
    this.layers.forEach(({ kernel, bias }, l) => {
      const z = tf.add(tf.matMul(tf.concat([input, state.h[l]], 1), kernel as tf.Tensor2D), bias) as tf.Tensor2D;
      const [i, f, g, o] = tf.split(z, 4, 1);
      c.push(tf.add(tf.mul(tf.sigmoid(f), state.c[l]), tf.mul(tf.sigmoid(i), tf.tanh(g))));
      h.push(tf.mul(tf.sigmoid(o), tf.tanh(c[l])));
      input = h[l];
    });
    return { output: input, state: { h, c } };
  }

  variables(): tf.Variable[] {
    return this.layers.flatMap((l) => [l.kernel, l.bias]);
  }
}
