/**
 * The tensors a kernel saves for its gradient, kept without a tape node each.
 *
 * tfjs keeps each saved tensor as `engine.clone(t)`: an Identity through `runKernel` plus a tape
 * node of its own, so that a gradient of that gradient can reach back through the copy. A
 * NAS-Bench-201 training step saves 163 tensors, so its tape holds 163 such nodes, which the
 * backward pass filters out again (they lead to no loss) after paying their dispatch.
 *
 * With one gradient recorded (gradient depth 1) the backward pass that reads the copies runs with
 * the tape off: no gradient ever flows through a copy, and its node is dead weight. There the
 * copy is made as Identity makes it (the backend's own kernel: one more holder of the same
 * buffer) and kept, and tfjs disposes it after the backward pass as before. Nested gradients
 * (depth 2 and more: a gradient of a gradient) keep tfjs's clones. 0.7 ms of a 17 ms NB201 step,
 * 0.4 of a 5.8 ms controller update.
 */
import * as tf from "@tensorflow/tfjs";

/** The part of tfjs's Engine this reaches into (private in its types). */
interface EngineInternals {
  state: { gradientDepth: number };
  backendName: string;
  backend: tf.KernelBackend;
  saveTensorsForBackwardMode(tensors: tf.Tensor[]): tf.Tensor[];
  makeTensorFromTensorInfo(info: tf.TensorInfo): tf.Tensor;
  keep<T extends tf.Tensor>(t: T): T;
}

let installed = false;

/** Replaces the engine's saving of tensors for the backward pass, once per process. */
export function saveTensorsWithoutTapeNodes(): void {
  if (installed) return;
  installed = true;
  const engine = tf.engine() as unknown as EngineInternals;
  const tfjsSave = engine.saveTensorsForBackwardMode;
  engine.saveTensorsForBackwardMode = function (this: EngineInternals, tensors: tf.Tensor[]): tf.Tensor[] {
    const identity = tf.getKernel(tf.Identity, this.backendName);
    if (this.state.gradientDepth !== 1 || !identity) return tfjsSave.call(this, tensors);
    return tensors.map((t) => this.keep(copy(this, identity, t)));
  };
}

function copy(engine: EngineInternals, identity: tf.KernelConfig, x: tf.Tensor): tf.Tensor {
  const out = identity.kernelFunc({ inputs: { x }, backend: engine.backend, attrs: {} }) as tf.TensorInfo | tf.Tensor;
  // As the engine's runKernelFunc: a backend may return a Tensor (tfjs-node's older kernels).
  return out instanceof tf.Tensor ? out : engine.makeTensorFromTensorInfo(out);
}
