/**
 * SGD with momentum, decoupled from tfjs's optimizers so that the learning rate can change every
 * step (cosine schedules), weight decay and gradient-norm clipping follow the papers (PyTorch's
 * formulation: g += wd * w; v = mu * v + g; w -= lr * v), and nothing is leaked on dispose.
 * On wasm with the native addon each variable's update is one kernel
 * (backend/wasm-kernels/native-training.ts); elsewhere up to six tf ops.
 */
import * as tf from "@tensorflow/tfjs";
import { MOMENTUM_SGD, type MomentumSgdAttrs } from "../backend/wasm-kernels/native-training";
import { restoreVariables, snapshotVariables, type TensorSnapshot } from "./snapshot";

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
      const gradScale = clipNorm === undefined ? 1 : clipScale(Object.values(grads), clipNorm);
      const native = tf.getKernel(MOMENTUM_SGD, tf.getBackend()) !== undefined;
      for (const v of this.variables) {
        const g = grads[v.name];
        if (!g) continue;
        const step: MomentumSgdAttrs = { learningRate, momentum, weightDecay: v.rank > 1 ? weightDecay : 0, gradScale };
        const velocity = this.velocityOf(v);
        const [next, nextVelocity] = native ? updateNatively(v, g, velocity, step) : updateWithOps(v, g, velocity, step);
        velocity.assign(nextVelocity);
        v.assign(next);
      }
    });
  }

  private velocityOf(v: tf.Variable): tf.Variable {
    let velocity = this.velocity.get(v);
    if (!velocity) {
      velocity = tf.tidy(() => tf.variable(tf.zerosLike(v), false));
      this.velocity.set(v, velocity);
    }
    return velocity;
  }

  /** The momentum buffers, one per variable in order (zeros before its first step: the same thing): what a checkpoint keeps. */
  velocities(): tf.Variable[] {
    return this.variables.map((v) => this.velocityOf(v));
  }

  saveState(): TensorSnapshot[] {
    return snapshotVariables(this.velocities());
  }

  restoreState(velocities: readonly TensorSnapshot[]): void {
    restoreVariables(this.velocities(), velocities, "SGD velocities");
  }

  dispose(): void {
    for (const velocity of this.velocity.values()) velocity.dispose();
    this.velocity.clear();
  }
}

/** The variable and velocity after one step, with tf ops. */
function updateWithOps(v: tf.Variable, g: tf.Tensor, velocity: tf.Variable, { learningRate, momentum, weightDecay, gradScale }: MomentumSgdAttrs): tf.Tensor[] {
  // Unclipped (scale 1, the usual case) the gradient is the step: no copy.
  let step = gradScale === 1 ? g : tf.mul(g, gradScale);
  if (weightDecay > 0) step = tf.add(step, tf.mul(v, weightDecay));
  const nextVelocity = tf.add(tf.mul(velocity, momentum), step);
  return [tf.sub(v, tf.mul(nextVelocity, learningRate)), nextVelocity];
}

/** The same as one kernel, where the native addon registered it. */
function updateNatively(v: tf.Variable, g: tf.Tensor, velocity: tf.Variable, step: MomentumSgdAttrs): tf.Tensor[] {
  return tf.engine().runKernel(MOMENTUM_SGD, { variable: v, gradient: g, velocity }, step as unknown as tf.NamedAttrMap) as tf.Tensor[];
}

/** min(1, maxNorm / global norm), as a number: one sync per step is cheap next to the step itself. */
function clipScale(grads: tf.Tensor[], maxNorm: number): number {
  const norm = Math.sqrt(tf.addN(grads.map((g) => tf.sum(tf.square(g)))).dataSync()[0]);
  return norm > maxNorm ? maxNorm / (norm + 1e-6) : 1;
}
