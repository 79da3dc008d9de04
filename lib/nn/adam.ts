/**
 * Adam (Kingma & Ba 2015) in PyTorch's formulation, for the architecture parameters of a
 * differentiable search:
 *   m = b1 m + (1 - b1) g;   v = b2 v + (1 - b2) g^2;
 *   w -= lr * (m / (1 - b1^t)) / (sqrt(v / (1 - b2^t)) + eps).
 * tfjs's own Adam keeps b^t as a float32 product that its setWeights rebuilds with pow, so a
 * restored optimiser drifts from an uninterrupted one; here the whole state is (m, v, t) and the
 * bias corrections are computed from t, so a checkpoint restores it exactly. With nasbook's native
 * addon on wasm each variable's update is one kernel (backend/wasm-kernels/native-training.ts).
 */
import * as tf from "@tensorflow/tfjs";
import { ADAM, type AdamAttrs } from "../backend/wasm-kernels/native-training";
import { restoreVariables, snapshotVariables, type TensorSnapshot } from "./snapshot";

export interface AdamOptions {
  readonly learningRate: number;
  readonly betas: readonly [number, number];
  readonly epsilon: number;
}

/** What a checkpoint keeps of an Adam optimiser. */
export interface AdamState {
  readonly step: number;
  /** First moments of every variable, then second moments. */
  readonly moments: TensorSnapshot[];
}

export class Adam {
  private readonly first: tf.Variable[];
  private readonly second: tf.Variable[];
  private step = 0;

  constructor(
    readonly variables: readonly tf.Variable[],
    readonly options: AdamOptions,
  ) {
    const zeros = (v: tf.Variable) => tf.tidy(() => tf.variable(tf.zerosLike(v), false));
    this.first = variables.map(zeros);
    this.second = variables.map(zeros);
  }

  /** One update from gradients keyed by variable name (a variable without a gradient keeps its value and moments). */
  applyGradients(grads: tf.NamedTensorMap): void {
    const { learningRate, betas, epsilon } = this.options;
    const [b1, b2] = betas;
    this.step += 1;
    const correction1 = 1 - b1 ** this.step;
    const correction2 = 1 - b2 ** this.step;
    const attrs: AdamAttrs = { learningRate, beta1: b1, beta2: b2, epsilon, correction1, correction2 };
    const update = tf.getKernel(ADAM, tf.getBackend()) ? updateNatively : updateWithOps;
    tf.tidy(() => {
      this.variables.forEach((w, i) => {
        const g = grads[w.name];
        if (!g) return;
        const [next, m, v] = update(w, g, this.first[i], this.second[i], attrs);
        this.first[i].assign(m);
        this.second[i].assign(v);
        w.assign(next);
      });
    });
  }

  saveState(): AdamState {
    return { step: this.step, moments: snapshotVariables([...this.first, ...this.second]) };
  }

  restoreState(state: AdamState): void {
    restoreVariables([...this.first, ...this.second], state.moments, "Adam moments");
    this.step = state.step;
  }

  dispose(): void {
    tf.dispose([...this.first, ...this.second]);
  }
}

/** The variable and moments after one step, with tf ops. */
function updateWithOps(w: tf.Variable, g: tf.Tensor, first: tf.Variable, second: tf.Variable, a: AdamAttrs): tf.Tensor[] {
  const m = tf.add(tf.mul(first, a.beta1), tf.mul(g, 1 - a.beta1));
  const v = tf.add(tf.mul(second, a.beta2), tf.mul(tf.square(g), 1 - a.beta2));
  const update = tf.div(tf.div(m, a.correction1), tf.add(tf.sqrt(tf.div(v, a.correction2)), a.epsilon));
  return [tf.sub(w, tf.mul(update, a.learningRate)), m, v];
}

/** The same as one kernel, where the native addon registered it. */
function updateNatively(w: tf.Variable, g: tf.Tensor, first: tf.Variable, second: tf.Variable, a: AdamAttrs): tf.Tensor[] {
  return tf.engine().runKernel(ADAM, { variable: w, gradient: g, first, second }, a as unknown as tf.NamedAttrMap) as tf.Tensor[];
}
