/**
 * SGD with momentum, decoupled from tfjs's optimizers so that the learning rate can change every
 * step (cosine schedules), weight decay and gradient-norm clipping follow the papers (PyTorch's
 * formulation: g += wd * w; v = mu * v + g; w -= lr * v), and nothing is leaked on dispose.
 */
import * as tf from "@tensorflow/tfjs";

export interface SgdOptions {
  readonly momentum?: number;
  /** L2 coefficient added to the gradient of variables of rank > 1 (not to BatchNorm or biases). */
  readonly weightDecay?: number;
  /** Rescales the gradients when their global norm is above this (DARTS: 5). */
  readonly clipNorm?: number;
}

export class MomentumSGD {
  private readonly velocity: Map<tf.Variable, tf.Variable> = new Map();

  constructor(
    readonly variables: readonly tf.Variable[],
    readonly options: SgdOptions = {},
  ) {}

  /** Computes the loss's gradients for `variables`, updates them, and returns the loss (caller disposes). */
  minimize(loss: () => tf.Scalar, learningRate: number): tf.Scalar {
    const { value, grads } = tf.variableGrads(loss, [...this.variables]);
    this.apply(grads, learningRate);
    tf.dispose(grads);
    return value;
  }

  /** One update from gradients keyed by variable name. */
  apply(grads: tf.NamedTensorMap, learningRate: number): void {
    const { momentum = 0.9, weightDecay = 0, clipNorm } = this.options;
    tf.tidy(() => {
      const scale = clipNorm === undefined ? 1 : clipScale(Object.values(grads), clipNorm);
      for (const v of this.variables) {
        const g = grads[v.name];
        if (!g) continue;
        // Unclipped (scale 1, the usual case) the gradient is the step: no copy.
        let step = scale === 1 ? g : tf.mul(g, scale);
        if (weightDecay > 0 && v.rank > 1) step = tf.add(step, tf.mul(v, weightDecay));
        const velocity = this.velocityOf(v);
        velocity.assign(tf.add(tf.mul(velocity, momentum), step));
        v.assign(tf.sub(v, tf.mul(velocity, learningRate)));
      }
    });
  }

  private velocityOf(v: tf.Variable): tf.Variable {
    let velocity = this.velocity.get(v);
    if (!velocity) {
      velocity = tf.variable(tf.zerosLike(v), false);
      this.velocity.set(v, velocity);
    }
    return velocity;
  }

  dispose(): void {
    for (const velocity of this.velocity.values()) velocity.dispose();
    this.velocity.clear();
  }
}

/** min(1, maxNorm / global norm), as a number: one sync per step is cheap next to the step itself. */
function clipScale(grads: tf.Tensor[], maxNorm: number): number {
  const norm = Math.sqrt(tf.addN(grads.map((g) => tf.sum(tf.square(g)))).dataSync()[0]);
  return norm > maxNorm ? maxNorm / (norm + 1e-6) : 1;
}
