/**
 * ReLU then a convolution, the first two ops of the ReLU-conv-BN edge that NAS-Bench-201 and
 * DARTS cells are built of (Conv2D, and the depthwise one of DARTS' SepConv and DilConv), as one
 * native kernel forward and one per gradient (native/src/relu_conv.h): relu(x) never becomes a
 * tensor, and the ReLU's gradient (dx times step(x)) is applied by the input gradient's kernel.
 * Registered on wasm only with the addon, like native-training.ts; lib/nn/relu-conv.ts composes
 * tf.relu and tf.conv2d (or tf.depthwiseConv2d) wherever they are not.
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
/** The same three for depthwiseConv2d(relu(x), filter), filter [kh, kw, c, multiplier]. */
export const RELU_DEPTHWISE_CONV2D = "NasbookReluDepthwiseConv2D";
export const RELU_DEPTHWISE_CONV2D_INPUT_GRAD = "NasbookReluDepthwiseConv2DInputGrad";
export const RELU_DEPTHWISE_CONV2D_FILTER_GRAD = "NasbookReluDepthwiseConv2DFilterGrad";

/** NHWC. The depthwise kernels take a dilation together with the stride (tf.depthwiseConv2d does not); Conv2D's is 1. */
export interface ReluConvAttrs {
  strides: number;
  pad: "same" | "valid";
  dilations?: number;
}

type NativeKernel = NativeKernels["conv2d"];

/** One kind of convolution's three kernels: their names and the addon's functions they run. */
interface ReluConvKind {
  readonly names: readonly [forward: string, inputGrad: string, filterGrad: string];
  readonly depthwise: boolean;
  forward(n: NativeKernels): NativeKernel;
  /** The plain convolution's input gradient, masked by the ReLU afterwards. */
  inputGrad(n: NativeKernels): NativeKernel;
  filterGrad(n: NativeKernels): NativeKernel;
}

const KINDS: readonly ReluConvKind[] = [
  {
    names: [RELU_CONV2D, RELU_CONV2D_INPUT_GRAD, RELU_CONV2D_FILTER_GRAD],
    depthwise: false,
    forward: (n) => n.reluConv2d,
    inputGrad: (n) => n.conv2dInputGrad,
    filterGrad: (n) => n.reluConv2dFilterGrad,
  },
  {
    names: [RELU_DEPTHWISE_CONV2D, RELU_DEPTHWISE_CONV2D_INPUT_GRAD, RELU_DEPTHWISE_CONV2D_FILTER_GRAD],
    depthwise: true,
    forward: (n) => n.reluDepthwiseConv2d,
    inputGrad: (n) => n.depthwiseInputGrad,
    filterGrad: (n) => n.reluDepthwiseFilterGrad,
  },
];

const heap = (backend: unknown) => backend as BackendWasm;

function forward(kind: ReluConvKind, native: NativeKernels) {
  return ({ inputs, backend, attrs }: KernelArgs) => {
    const { x, filter } = inputs as Record<"x" | "filter", tf.TensorInfo>;
    const info = forwardConvInfo(x.shape, filter.shape, attrs as unknown as ConvGradAttrs, kind.depthwise);
    return runOnHeap(heap(backend), kind.forward(native), x, filter, info.outShape, geometryOf(info));
  };
}

function inputGrad(kind: ReluConvKind, native: NativeKernels) {
  return ({ inputs, backend, attrs }: KernelArgs) => {
    const { dy, filter, x } = inputs as Record<"dy" | "filter" | "x", tf.TensorInfo>;
    const a = attrs as unknown as GradAttrs<"inputShape">;
    const wasm = heap(backend);
    const info = forwardConvInfo(a.inputShape, filter.shape, a, kind.depthwise);
    const dx = runOnHeap(wasm, kind.inputGrad(native), dy, filter, a.inputShape, geometryOf(info));
    const masked = wasm.typedArrayFromHeap(dx) as Float32Array;
    native.reluGrad(wasm.typedArrayFromHeap(x) as Float32Array, masked, masked);
    return dx;
  };
}

function filterGrad(kind: ReluConvKind, native: NativeKernels) {
  return ({ inputs, backend, attrs }: KernelArgs) => {
    const { x, dy } = inputs as Record<"x" | "dy", tf.TensorInfo>;
    const a = attrs as unknown as GradAttrs<"filterShape">;
    const info = forwardConvInfo(x.shape, a.filterShape, a, kind.depthwise);
    return runOnHeap(heap(backend), kind.filterGrad(native), x, dy, a.filterShape, geometryOf(info));
  };
}

const run = (name: string, inputs: tf.NamedTensorMap, attrs: object) => tf.engine().runKernel(name, inputs, attrs as tf.NamedAttrMap) as tf.Tensor;

/** The gradient of a forward ReLU-convolution: both halves as native kernels. */
function gradConfig({ names: [forwardName, inputGradName, filterGradName] }: ReluConvKind): tf.GradConfig {
  return {
    kernelName: forwardName,
    inputsToSave: ["x", "filter"],
    gradFunc: (dy, [x, filter], attrs) => ({
      x: () => run(inputGradName, { dy: dy as tf.Tensor, filter, x }, { ...attrs, inputShape: x.shape as Shape4 }),
      filter: () => run(filterGradName, { x, dy: dy as tf.Tensor }, { ...attrs, filterShape: filter.shape as Shape4 }),
    }),
  };
}

export const RELU_CONV_GRAD_CONFIGS: readonly tf.GradConfig[] = KINDS.map(gradConfig);

export function nativeReluConvConfigs(native: NativeKernels): tf.KernelConfig[] {
  const config = (kernelName: string, kernelFunc: unknown): tf.KernelConfig => ({ kernelName, backendName: "wasm", kernelFunc: kernelFunc as tf.KernelFunc });
  return KINDS.flatMap((kind) => {
    const [forwardName, inputGradName, filterGradName] = kind.names;
    return [config(forwardName, forward(kind, native)), config(inputGradName, inputGrad(kind, native)), config(filterGradName, filterGrad(kind, native))];
  });
}
