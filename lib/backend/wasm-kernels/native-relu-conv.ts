/**
 * ReLU then Conv2D, the first two ops of the ReLU-conv-BN edge that NAS-Bench-201 and DARTS
 * cells are built of, as one native kernel forward and one per gradient (native/src/relu_conv.h):
 * relu(x) never becomes a tensor, and the ReLU's gradient (dx times step(x)) is applied by the
 * input gradient's kernel. Registered on wasm only with the addon, like native-training.ts;
 * lib/nn/relu-conv.ts composes tf.relu and tf.conv2d wherever they are not.
 */
import * as tf from "@tensorflow/tfjs";
import type { BackendWasm } from "@tensorflow/tfjs-backend-wasm";
import type { NativeKernels } from "../native";
import { ConvGradAttrs, forwardConvInfo, GradAttrs } from "./conv-as-forward";
import { geometryOf, runOnHeap } from "./native-kernels";
import type { KernelArgs, Shape4 } from "./wasm-ops";

/** Inputs x, filter; attrs ReluConvAttrs; output conv2d(relu(x), filter). */
export const RELU_CONV2D = "NasbookReluConv2D";
/** Inputs dy, filter, x; attrs ReluConvAttrs and inputShape; output dx. */
export const RELU_CONV2D_INPUT_GRAD = "NasbookReluConv2DInputGrad";
/** Inputs x, dy; attrs ReluConvAttrs and filterShape; output dfilter. */
export const RELU_CONV2D_FILTER_GRAD = "NasbookReluConv2DFilterGrad";

/** NHWC, dilation 1. */
export interface ReluConvAttrs {
  strides: number;
  pad: "same" | "valid";
}

const heap = (backend: unknown) => backend as BackendWasm;

function forward(native: NativeKernels) {
  return ({ inputs, backend, attrs }: KernelArgs) => {
    const { x, filter } = inputs as Record<"x" | "filter", tf.TensorInfo>;
    const info = forwardConvInfo(x.shape, filter.shape, attrs as unknown as ConvGradAttrs);
    return runOnHeap(heap(backend), native.reluConv2d, x, filter, info.outShape, geometryOf(info));
  };
}

function inputGrad(native: NativeKernels) {
  return ({ inputs, backend, attrs }: KernelArgs) => {
    const { dy, filter, x } = inputs as Record<"dy" | "filter" | "x", tf.TensorInfo>;
    const a = attrs as unknown as GradAttrs<"inputShape">;
    const wasm = heap(backend);
    const dx = runOnHeap(wasm, native.conv2dInputGrad, dy, filter, a.inputShape, geometryOf(forwardConvInfo(a.inputShape, filter.shape, a)));
    const masked = wasm.typedArrayFromHeap(dx) as Float32Array;
    native.reluGrad(wasm.typedArrayFromHeap(x) as Float32Array, masked, masked);
    return dx;
  };
}

function filterGrad(native: NativeKernels) {
  return ({ inputs, backend, attrs }: KernelArgs) => {
    const { x, dy } = inputs as Record<"x" | "dy", tf.TensorInfo>;
    const a = attrs as unknown as GradAttrs<"filterShape">;
    return runOnHeap(heap(backend), native.reluConv2dFilterGrad, x, dy, a.filterShape, geometryOf(forwardConvInfo(x.shape, a.filterShape, a)));
  };
}

const run = (name: string, inputs: tf.NamedTensorMap, attrs: object) => tf.engine().runKernel(name, inputs, attrs as tf.NamedAttrMap) as tf.Tensor;

/** The gradient of RELU_CONV2D: both halves as native kernels. */
export const reluConv2dGradConfig: tf.GradConfig = {
  kernelName: RELU_CONV2D,
  inputsToSave: ["x", "filter"],
  gradFunc: (dy, [x, filter], attrs) => ({
    x: () => run(RELU_CONV2D_INPUT_GRAD, { dy: dy as tf.Tensor, filter, x }, { ...attrs, inputShape: x.shape as Shape4 }),
    filter: () => run(RELU_CONV2D_FILTER_GRAD, { x, dy: dy as tf.Tensor }, { ...attrs, filterShape: filter.shape as Shape4 }),
  }),
};

export const NATIVE_RELU_CONV_KERNELS: readonly string[] = [RELU_CONV2D, RELU_CONV2D_INPUT_GRAD, RELU_CONV2D_FILTER_GRAD];

export function nativeReluConvConfigs(native: NativeKernels): tf.KernelConfig[] {
  const config = (kernelName: string, kernelFunc: unknown): tf.KernelConfig => ({ kernelName, backendName: "wasm", kernelFunc: kernelFunc as tf.KernelFunc });
  return [config(RELU_CONV2D, forward(native)), config(RELU_CONV2D_INPUT_GRAD, inputGrad(native)), config(RELU_CONV2D_FILTER_GRAD, filterGrad(native))];
}
