/**
 * The tensors a kernel or a custom gradient saves for the backward pass, kept without a tape node each.
 *
 * tfjs keeps each saved tensor as `engine.clone(t)` (its only use: the inputs and outputs a
 * kernel's gradient saves, and what a `tf.customGrad` function passes to `save`): an Identity
 * through `runKernel` plus a tape node of its own, so that a gradient of that gradient can reach
 * back through the copy. A NAS-Bench-201 training step saves 163 tensors for its kernels and 84
 * for its batch norms' custom gradients, so its tape held 247 such nodes, which the backward pass
 * filters out again (they lead to no loss) after paying their dispatch.
 *
 * With one gradient recorded (gradient depth 1) the backward pass that reads the copies runs with
 * the tape off: no gradient ever flows through a copy, and its node is dead weight. There the
 * copy is made as Identity makes it (the backend's own kernel: one more holder of the same
 * buffer), and tfjs keeps it and disposes it after the backward pass as before. Nested gradients
 * (depth 2 and more: a gradient of a gradient) keep tfjs's clones.
 */
import * as tf from "@tensorflow/tfjs";

/** The part of tfjs's Engine this reaches into (private in its types). */
interface EngineInternals {
  state: { gradientDepth: number };
  backendName: string;
  backend: tf.KernelBackend;
  clone(x: tf.Tensor): tf.Tensor;
  makeTensorFromTensorInfo(info: tf.TensorInfo): tf.Tensor;
}

let installed = false;

/** Replaces the engine's copying of tensors saved for the backward pass, once per process. */
export function saveTensorsWithoutTapeNodes(): void {
  if (installed) return;
  installed = true;
  const engine = tf.engine() as unknown as EngineInternals;
  const tfjsClone = engine.clone;
  engine.clone = function (this: EngineInternals, x: tf.Tensor): tf.Tensor {
    const identity = tf.getKernel(tf.Identity, this.backendName);
    return this.state.gradientDepth !== 1 || !identity ? tfjsClone.call(this, x) : copy(this, identity, x);
  };
}

function copy(engine: EngineInternals, identity: tf.KernelConfig, x: tf.Tensor): tf.Tensor {
  const out = identity.kernelFunc({ inputs: { x }, backend: engine.backend, attrs: {} }) as tf.TensorInfo | tf.Tensor;
  // As the engine's runKernelFunc: a backend may return a Tensor (tfjs-node's older kernels).
  return out instanceof tf.Tensor ? out : engine.makeTensorFromTensorInfo(out);
}
