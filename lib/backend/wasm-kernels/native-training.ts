/**
 * Kernels of nasbook's own that only the native addon runs, registered on wasm only when it is
 * loaded; their callers compose tf ops wherever they are not registered (without the addon, and
 * on every other backend):
 *  - training batch norm, forward (batch mean and biased variance, then the per-channel affine
 *    map) and its closed-form gradient, one call each where lib/nn/batch-norm-training.ts takes
 *    about 25 kernels per layer and step;
 *  - the momentum-SGD update of one variable (lib/nn/sgd.ts), one call where tf ops take five or
 *    six, and Adam's (lib/nn/adam.ts), one where they take about fifteen. It writes new buffers rather than updating in place: wasm's XNNPACK keeps weights it
 *    packed from a buffer (matMul, conv) until that buffer is freed, so a weight changed in place
 *    would be read stale.
 */
import * as tf from "@tensorflow/tfjs";
import type { BackendWasm } from "@tensorflow/tfjs-backend-wasm";
import type { NativeKernels } from "../native";
import { heapOutput, type KernelArgs } from "./wasm-ops";

/** Inputs x [..., C], scale, offset [C]; attr epsilon; outputs y, mean, variance. */
export const BATCH_NORM_TRAINING = "NasbookBatchNormTraining";
/** Inputs dy, x, mean, variance, scale; attr epsilon; outputs dx, dScale, dOffset. */
export const BATCH_NORM_TRAINING_GRAD = "NasbookBatchNormTrainingGrad";
/** Inputs variable, gradient, velocity; attrs MomentumSgdAttrs; outputs the new variable and velocity. */
export const MOMENTUM_SGD = "NasbookMomentumSgd";

/** Inputs variable, gradient, first, second (moments); attrs AdamAttrs; outputs the new variable and moments. */
export const ADAM = "NasbookAdam";

/** lib/nn/adam.ts's update; the bias corrections 1 - beta^t are the caller's. */
export interface AdamAttrs {
  learningRate: number;
  beta1: number;
  beta2: number;
  epsilon: number;
  correction1: number;
  correction2: number;
}

/** step = gradScale * g + weightDecay * w; v' = momentum * v + step; w' = w - learningRate * v'. */
export interface MomentumSgdAttrs {
  learningRate: number;
  momentum: number;
  /** 0 for variables without weight decay. */
  weightDecay: number;
  /** The gradient-clipping factor, 1 when unclipped. */
  gradScale: number;
}

export interface BatchNormTrainingAttrs {
  epsilon: number;
}

/** Makes `shapes` on the heap, then runs `body` on views of `inputs` and of them; frees them if it throws. */
export function onHeap(backend: BackendWasm, inputs: tf.TensorInfo[], shapes: number[][], body: (views: Float32Array[]) => void): tf.TensorInfo[] {
  for (const input of inputs) {
    if (input.dtype !== "float32") throw new Error(`nasbook's native training kernels take float32 tensors; got ${input.dtype}`);
  }
  const outputs = shapes.map((shape) => heapOutput(backend, shape, "float32"));
  try {
    // Views only after every makeOutput: allocating can grow the heap, which detaches older views.
    body([...inputs, ...outputs].map((t) => backend.typedArrayFromHeap(t) as Float32Array));
    return outputs;
  } catch (error) {
    for (const out of outputs) backend.disposeData(out.dataId);
    throw error;
  }
}

function forward(native: NativeKernels) {
  return ({ inputs, backend, attrs }: KernelArgs) => {
    const { x, scale, offset } = inputs as Record<"x" | "scale" | "offset", tf.TensorInfo>;
    const { epsilon } = attrs as unknown as BatchNormTrainingAttrs;
    const channels = [scale.shape[0]];
    if (x.shape[x.shape.length - 1] !== channels[0]) throw new Error(`batch norm of x ${x.shape} with ${channels[0]} scales`);
    return onHeap(backend as BackendWasm, [x, scale, offset], [x.shape, channels, channels], ([xv, s, o, y, mean, variance]) =>
      native.batchNormForward(xv, s, o, y, mean, variance, epsilon),
    );
  };
}

function gradient(native: NativeKernels) {
  return ({ inputs, backend, attrs }: KernelArgs) => {
    const { dy, x, mean, variance, scale } = inputs as Record<"dy" | "x" | "mean" | "variance" | "scale", tf.TensorInfo>;
    const { epsilon } = attrs as unknown as BatchNormTrainingAttrs;
    return onHeap(backend as BackendWasm, [dy, x, mean, variance, scale], [x.shape, scale.shape, scale.shape], ([d, xv, m, v, s, dx, dScale, dOffset]) =>
      native.batchNormBackward(d, xv, m, v, s, dx, dScale, dOffset, epsilon),
    );
  };
}

function momentumSgd(native: NativeKernels) {
  return ({ inputs, backend, attrs }: KernelArgs) => {
    const { variable, gradient, velocity } = inputs as Record<"variable" | "gradient" | "velocity", tf.TensorInfo>;
    const { learningRate, momentum, weightDecay, gradScale } = attrs as unknown as MomentumSgdAttrs;
    const size = tf.util.sizeFromShape(variable.shape);
    if (tf.util.sizeFromShape(gradient.shape) !== size || tf.util.sizeFromShape(velocity.shape) !== size) {
      throw new Error(`momentum SGD of a variable ${variable.shape} with gradient ${gradient.shape} and velocity ${velocity.shape}`);
    }
    return onHeap(backend as BackendWasm, [variable, gradient, velocity], [variable.shape, variable.shape], ([w, g, v, wOut, vOut]) =>
      native.momentumSgd(w, g, v, wOut, vOut, learningRate, momentum, weightDecay, gradScale),
    );
  };
}

function adam(native: NativeKernels) {
  return ({ inputs, backend, attrs }: KernelArgs) => {
    const { variable, gradient, first, second } = inputs as Record<"variable" | "gradient" | "first" | "second", tf.TensorInfo>;
    const a = attrs as unknown as AdamAttrs;
    const size = tf.util.sizeFromShape(variable.shape);
    if ([gradient, first, second].some((t) => tf.util.sizeFromShape(t.shape) !== size)) {
      throw new Error(`Adam on a variable ${variable.shape} with gradient ${gradient.shape} and moments ${first.shape}, ${second.shape}`);
    }
    return onHeap(backend as BackendWasm, [variable, gradient, first, second], [variable.shape, variable.shape, variable.shape], ([w, g, m, v, wOut, mOut, vOut]) =>
      native.adam(w, g, m, v, wOut, mOut, vOut, a.learningRate, a.beta1, a.beta2, a.epsilon, a.correction1, a.correction2),
    );
  };
}

export function nativeTrainingConfigs(native: NativeKernels): tf.KernelConfig[] {
  return [
    { kernelName: BATCH_NORM_TRAINING, backendName: "wasm", kernelFunc: forward(native) as tf.KernelFunc },
    { kernelName: BATCH_NORM_TRAINING_GRAD, backendName: "wasm", kernelFunc: gradient(native) as tf.KernelFunc },
    { kernelName: MOMENTUM_SGD, backendName: "wasm", kernelFunc: momentumSgd(native) as tf.KernelFunc },
    { kernelName: ADAM, backendName: "wasm", kernelFunc: adam(native) as tf.KernelFunc },
  ];
}
