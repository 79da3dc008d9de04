/**
 * Makes tfjs's wasm backend able to train: registers nasbook's kernels (built from wasm's own
 * XNNPACK kernels) for what wasm lacks, does slowly (Conv2DBackpropInput; Tile; Sum and Mean over
 * the batch and spatial axes; Add of a per-channel bias; Identity and Cast, which copy; Slice, SplitV and Concat,
 * row by row; an LSTM
 * cell's gates, ten tiny ops) or gets
 * wrong (MaxPoolGrad), and three gradients: dilation-aware convolutions, Mean without a tensor
 * of ones, and ReLU's as one native pass (with the addon). Called by `initBackend` when wasm is chosen. With nasbook's native addon loaded, its
 * kernels replace the convolutions, their filter gradients, the pooling gradients, batch norm and
 * per-channel products (wasm-kernels/native-kernels.ts), and it adds training batch norm
 * and the SGD update (wasm-kernels/native-training.ts) and a DARTS edge's weighted sum
 * (wasm-kernels/weighted-sum.ts). Calling it again re-registers, with or
 * without the addon.
 */
import * as tf from "@tensorflow/tfjs";
import type { BackendWasm } from "@tensorflow/tfjs-backend-wasm";
import { avgPoolRealGradConfig, NATIVE_AVG_POOL_REAL_KERNELS, nativeAvgPoolRealConfigs } from "./wasm-kernels/avg-pool-real";
import { biasAddConfig } from "./wasm-kernels/bias-add";
import { blockCopyConfigs } from "./wasm-kernels/block-copy";
import { conv2DBackpropFilterConfig } from "./wasm-kernels/conv2d-backprop-filter";
import { conv2DBackpropInputConfig } from "./wasm-kernels/conv2d-backprop-input";
import { depthwiseBackpropFilterConfig } from "./wasm-kernels/depthwise-backprop-filter";
import { depthwiseBackpropInputConfig } from "./wasm-kernels/depthwise-backprop-input";
import { registerDilatedConvGradients } from "./wasm-kernels/dilated-conv-gradients";
import { lstmCellConfigs, lstmCellGradConfig } from "./wasm-kernels/lstm-cell";
import { lstmLayerGradConfig, NATIVE_LSTM_LAYER_KERNELS, nativeLstmLayerConfigs } from "./wasm-kernels/lstm-layer";
import { maxPoolGradConfig } from "./wasm-kernels/max-pool-grad";
import { registerMeanGradient } from "./wasm-kernels/mean-gradient";
import { NATIVE_TRAINING_KERNELS, nativeTrainingConfigs } from "./wasm-kernels/native-training";
import { NATIVE_KERNEL_NAMES, nativeKernelConfigs } from "./wasm-kernels/native-kernels";
import { NATIVE_RELU_CONV_KERNELS, nativeReluConvConfigs, RELU_CONV_GRAD_CONFIGS } from "./wasm-kernels/native-relu-conv";
import { meanConfig, sumConfig } from "./wasm-kernels/reduce-as-pool";
import { RELU_GRAD, registerReluGradient, reluGradConfig } from "./wasm-kernels/relu-gradient";
import { unsortedSegmentSumConfig } from "./wasm-kernels/unsorted-segment-sum";
import { castConfig, identityConfig } from "./wasm-kernels/share-not-copy";
import { tileConfig } from "./wasm-kernels/tile";
import { NATIVE_WEIGHTED_SUM_KERNELS, nativeWeightedSumConfigs, weightedSumGradConfig } from "./wasm-kernels/weighted-sum";
import { captureBaseKernel, restoreBaseKernel } from "./wasm-kernels/wasm-ops";
import type { NativeKernels } from "./native";

const TRAINING_KERNELS: readonly tf.KernelConfig[] = [
  conv2DBackpropFilterConfig,
  conv2DBackpropInputConfig,
  depthwiseBackpropFilterConfig,
  depthwiseBackpropInputConfig,
  maxPoolGradConfig,
  unsortedSegmentSumConfig,
  sumConfig,
  meanConfig,
  biasAddConfig,
  identityConfig,
  castConfig,
  tileConfig,
  ...blockCopyConfigs(null),
  ...lstmCellConfigs,
];

/** Names of the wasm kernels nasbook provides, for reports and tests. */
export const WASM_TRAINING_KERNELS: readonly string[] = TRAINING_KERNELS.map((k) => k.kernelName);

let gradientsRegistered = false;

function register(config: tf.KernelConfig): void {
  captureBaseKernel(config.kernelName);
  if (tf.getKernel(config.kernelName, "wasm")) tf.unregisterKernel(config.kernelName, "wasm");
  tf.registerKernel(config);
}

export function registerWasmTrainingKernels(native: NativeKernels | null): void {
  // Start from wasm's kernels and nasbook's compositions, then let the addon take over (falling back to those).
  TRAINING_KERNELS.forEach(register);
  NATIVE_KERNEL_NAMES.filter((name) => !WASM_TRAINING_KERNELS.includes(name)).forEach((name) => restoreBaseKernel(name));
  // Kernels only the addon has: registered with it, gone without it (their callers then compose tf ops).
  [...NATIVE_TRAINING_KERNELS, ...NATIVE_RELU_CONV_KERNELS, ...NATIVE_WEIGHTED_SUM_KERNELS, ...NATIVE_LSTM_LAYER_KERNELS, ...NATIVE_AVG_POOL_REAL_KERNELS, RELU_GRAD].filter((name) => tf.getKernel(name, "wasm")).forEach((name) => tf.unregisterKernel(name, "wasm"));
  if (native) [...nativeKernelConfigs(native), ...nativeTrainingConfigs(native), ...nativeReluConvConfigs(native), ...nativeWeightedSumConfigs(native), ...blockCopyConfigs(native), ...nativeLstmLayerConfigs(native), ...nativeAvgPoolRealConfigs(native), reluGradConfig(native)].forEach(register);
  if (!gradientsRegistered) {
    registerDilatedConvGradients();
    registerMeanGradient();
    registerReluGradient();
    RELU_CONV_GRAD_CONFIGS.forEach((config) => tf.registerGradient(config));
    tf.registerGradient(lstmCellGradConfig);
    tf.registerGradient(lstmLayerGradConfig);
    tf.registerGradient(avgPoolRealGradConfig);
    tf.registerGradient(weightedSumGradConfig);
  }
  gradientsRegistered = true;
}

/** Bytes of the wasm module's linear memory: it only grows, so growth across steps means a leak. */
export function wasmHeapBytes(): number {
  const backend = tf.findBackend("wasm") as BackendWasm | null;
  if (!backend) throw new Error("the wasm backend is not initialised");
  // The emscripten module's typings omit its heap views.
  const module = backend.wasm as unknown as { HEAPU8: Uint8Array };
  return module.HEAPU8.buffer.byteLength;
}
