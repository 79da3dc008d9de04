/**
 * Kernels that nasbook's native addon (lib/backend/native.ts) runs on the wasm heap in place of
 * wasm's: Conv2D, Conv2DBackpropFilter, DepthwiseConv2dNative, its filter gradient, MaxPoolGrad
 * and AvgPoolGrad. The input gradients stay compositions (conv-as-forward.ts) whose forward
 * convolutions then run here too.
 */
import * as tf from "@tensorflow/tfjs";
import type { BackendWasm } from "@tensorflow/tfjs-backend-wasm";
import type { NativeKernels } from "../native";
import { assertChannelsLast, ConvGradAttrs } from "./conv-as-forward";
import type { KernelArgs, Shape4 } from "./wasm-ops";

type Geometry = Int32Array;
type NativeKernel = NativeKernels["conv2d"];

/** The fields of native/src/geometry.h, in its order. */
function geometryOf(info: tf.backend_util.Conv2DInfo): Geometry {
  return Int32Array.of(
    info.batchSize, info.inHeight, info.inWidth, info.inChannels, info.filterHeight, info.filterWidth, info.outChannels,
    info.outHeight, info.outWidth, info.strideHeight, info.strideWidth, info.dilationHeight, info.dilationWidth,
    info.padInfo.top, info.padInfo.left,
  );
}

/** Allocates the output on the heap, then runs `kernel` on views of a, b and it. */
function runOnHeap(backend: BackendWasm, kernel: NativeKernel, a: tf.TensorInfo, b: tf.TensorInfo, outShape: number[], geometry: Geometry) {
  for (const input of [a, b]) {
    if (input.dtype !== "float32") throw new Error(`nasbook's native kernels take float32 tensors; got ${input.dtype}`);
  }
  const out = backend.makeOutput(outShape, "float32");
  try {
    // Views only after makeOutput: allocating can grow the heap, which detaches older views.
    const view = (t: tf.TensorInfo) => backend.typedArrayFromHeap(t) as Float32Array;
    kernel(view(a), view(b), view(out), geometry);
    return out;
  } catch (error) {
    backend.disposeData(out.dataId);
    throw error;
  }
}

type ForwardAttrs = ConvGradAttrs;
interface FilterGradAttrs extends ConvGradAttrs {
  filterShape: Shape4;
}

function convInfo(x: tf.TensorInfo, filterShape: number[], a: ConvGradAttrs, depthwise: boolean) {
  return tf.backend_util.computeConv2DInfo(
    x.shape as Shape4, filterShape as Shape4, a.strides, a.dilations ?? 1, a.pad, a.dimRoundingMode, depthwise,
  );
}

function forward(kernelName: string, depthwise: boolean, kernel: (n: NativeKernels) => NativeKernel) {
  return (native: NativeKernels): tf.KernelConfig => ({
    kernelName,
    backendName: "wasm",
    kernelFunc: ({ inputs, backend, attrs }: KernelArgs) => {
      const { x, filter } = inputs as { x: tf.TensorInfo; filter: tf.TensorInfo };
      const a = attrs as unknown as ForwardAttrs;
      assertChannelsLast(kernelName, a);
      const info = convInfo(x, filter.shape, a, depthwise);
      return runOnHeap(backend as BackendWasm, kernel(native), x, filter, info.outShape, geometryOf(info));
    },
  });
}

function filterGrad(kernelName: string, depthwise: boolean, kernel: (n: NativeKernels) => NativeKernel) {
  return (native: NativeKernels): tf.KernelConfig => ({
    kernelName,
    backendName: "wasm",
    kernelFunc: ({ inputs, backend, attrs }: KernelArgs) => {
      const { x, dy } = inputs as { x: tf.TensorInfo; dy: tf.TensorInfo };
      const a = attrs as unknown as FilterGradAttrs;
      assertChannelsLast(kernelName, a);
      const info = convInfo(x, a.filterShape, a, depthwise);
      return runOnHeap(backend as BackendWasm, kernel(native), x, dy, a.filterShape, geometryOf(info));
    },
  });
}

function poolGrad(kernelName: string, kernel: (n: NativeKernels) => NativeKernel) {
  return (native: NativeKernels): tf.KernelConfig => ({
    kernelName,
    backendName: "wasm",
    kernelFunc: ({ inputs, backend, attrs }: KernelArgs) => {
      const { dy, input } = inputs as { dy: tf.TensorInfo; input: tf.TensorInfo };
      const { filterSize, strides, pad, dimRoundingMode } = attrs as unknown as tf.MaxPoolGradAttrs;
      const info = tf.backend_util.computePool2DInfo(input.shape as Shape4, filterSize, strides, 1, pad, dimRoundingMode);
      return runOnHeap(backend as BackendWasm, kernel(native), input, dy, input.shape, geometryOf(info));
    },
  });
}

const NATIVE_CONFIGS = [
  forward(tf.Conv2D, false, (n) => n.conv2d),
  filterGrad(tf.Conv2DBackpropFilter, false, (n) => n.conv2dFilterGrad),
  forward(tf.DepthwiseConv2dNative, true, (n) => n.depthwiseConv2d),
  filterGrad(tf.DepthwiseConv2dNativeBackpropFilter, true, (n) => n.depthwiseFilterGrad),
  poolGrad(tf.MaxPoolGrad, (n) => n.maxPoolGrad),
  poolGrad(tf.AvgPoolGrad, (n) => n.avgPoolGrad),
];

/** The kernel configs that run on `native`. */
export function nativeKernelConfigs(native: NativeKernels): tf.KernelConfig[] {
  return NATIVE_CONFIGS.map((config) => config(native));
}
