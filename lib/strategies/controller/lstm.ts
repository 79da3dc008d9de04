/**
 * A stacked LSTM written out (d2l's "LSTM from scratch"; the gates in lib/nn/lstm-cell.ts), stepped
 * one token at a time: a controller decides its next input only after it has sampled the current token.
 * With nasbook's native addon on wasm each layer's step is one kernel each way
 * (backend/wasm-kernels/lstm-layer.ts); elsewhere the pre-activations below, then the cell.
 */
import * as tf from "@tensorflow/tfjs";
import type { Rng } from "../../core/random";
import { LSTM_LAYER } from "../../backend/wasm-kernels/lstm-layer";
import { lstmCell, type CellState } from "../../nn/lstm-cell";

/** Hidden and cell state of every layer, each [batch, units] (1 when sampling, m when re-scoring a batch). */
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
export function uniform(shape: number[], range: number, rng: Rng): tf.Tensor {
  return tf.randomUniform(shape, -range, range, "float32", rng.seed());
}

/** `uniform` as a variable. */
export function uniformVariable(shape: number[], range: number, rng: Rng): tf.Variable {
  // tidy frees the initial tensor, which the variable does not take over.
  return tf.tidy(() => tf.variable(uniform(shape, range, rng)));
}

/**
 * z = [x, h] W + b, a layer's gate pre-activations, as one taped op with its gradient written out:
 *   d[x, h] = dz W^T (split back into dx, dh),  dW = [x, h]^T dz,  db = dz summed over the batch.
 * tfjs's own matMul gradient forms [x, h]^T dz with a transposed operand, which wasm's BatchMatMul
 * computes outside XNNPACK, about 7x slower at the controller's shapes ([4, 70]^T [4, 140]: 68 us
 * against 9 us transposing first); one op instead of three also saves their tape's bookkeeping.
 * The forward ops are those of the plain composition: the same values.
 */
const preactivations = tf.customGrad((...args) => {
  const [x, h, kernel, bias] = args as tf.Tensor2D[];
  const save = args[4] as tf.GradSaveFunc;
  const xh = tf.concat([x, h], 1);
  save([xh, kernel]);
  return {
    value: tf.add(tf.matMul(xh, kernel), bias),
    gradFunc: (dz: tf.Tensor, [xh, kernel]: tf.Tensor[]) => {
      const [dx, dh] = tf.split(tf.matMul(dz as tf.Tensor2D, kernel as tf.Tensor2D, false, true), [x.shape[1], h.shape[1]], 1);
      return [dx, dh, tf.matMul(tf.transpose(xh) as tf.Tensor2D, dz as tf.Tensor2D), tf.sum(dz, 0)];
    },
  };
});

/** The layer's step as one kernel each way, where the native addon registered it (backend/wasm-kernels/lstm-layer.ts). */
function layerNatively(x: tf.Tensor2D, h: tf.Tensor2D, c: tf.Tensor2D, kernel: tf.Variable, bias: tf.Variable): CellState {
  const [hNext, cNext] = tf.engine().runKernel(LSTM_LAYER, { x, h, c, kernel, bias }) as tf.Tensor2D[];
  return { h: hNext, c: cNext };
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

  /** Zeros for a batch of `batch` sequences stepped side by side. */
  zeroState(batch = 1): LstmState {
    const zeros = () => this.layers.map(() => tf.zeros([batch, this.units]) as tf.Tensor2D);
    return { h: zeros(), c: zeros() };
  }

  /** One time step through every layer; returns the top layer's output and the new state. */
  step(x: tf.Tensor2D, state: LstmState): { output: tf.Tensor2D; state: LstmState } {
    const h: tf.Tensor2D[] = [];
    const c: tf.Tensor2D[] = [];
    let input = x;
    const native = tf.getKernel(LSTM_LAYER, tf.getBackend()) !== undefined;
    this.layers.forEach(({ kernel, bias }, l) => {
      const cell = native ? layerNatively(input, state.h[l], state.c[l], kernel, bias) : lstmCell(preactivations(input, state.h[l], kernel, bias) as tf.Tensor2D, state.c[l]);
      c.push(cell.c);
      h.push(cell.h);
      input = cell.h;
    });
    return { output: input, state: { h, c } };
  }

  variables(): tf.Variable[] {
    return this.layers.flatMap((l) => [l.kernel, l.bias]);
  }
}
