/**
 * Makes tfjs's wasm backend able to train: registers nasbook's kernels (built from wasm's own
 * XNNPACK kernels) for what wasm lacks, does slowly (Conv2DBackpropInput; Tile; Sum and Mean over
 * the batch and spatial axes; Add of a per-channel bias; Identity and Cast, which copy; Slice,
 * SplitV and Concat, row by row; an LSTM cell's gates, ten tiny ops; softmax cross-entropy, some 45) or gets wrong (MaxPoolGrad),
 * and gradients: dilation-aware convolutions, Mean without a tensor of ones, ReLU's as one kernel
 * where the addon has it. Called by `initBackend` when wasm is chosen. With nasbook's native addon
 * loaded, its kernels replace the heavy ones (wasm-kernels/native-kernels.ts) and add kernels of
 * nasbook's own that only it runs (training batch norm and the optimisers' updates, ReLU then a
 * convolution, a DARTS edge's weighted sum, an LSTM layer's step, average pooling over real
 * pixels, ReLU's gradient). Calling it again re-registers, with or without the addon.
 */
import * as tf from "@tensorflow/tfjs";
import type { BackendWasm } from "@tensorflow/tfjs-backend-wasm";
import { avgPoolRealGradConfig, nativeAvgPoolRealConfigs } from "./wasm-kernels/avg-pool-real";
import { biasAddConfig } from "./wasm-kernels/bias-add";
import { blockCopyConfigs } from "./wasm-kernels/block-copy";
import { conv2DBackpropFilterConfig } from "./wasm-kernels/conv2d-backprop-filter";
import { conv2DBackpropInputConfig } from "./wasm-kernels/conv2d-backprop-input";
import { depthwiseBackpropFilterConfig } from "./wasm-kernels/depthwise-backprop-filter";
import { depthwiseBackpropInputConfig } from "./wasm-kernels/depthwise-backprop-input";
import { registerDilatedConvGradients } from "./wasm-kernels/dilated-conv-gradients";
import { lstmCellConfigs, lstmCellGradConfig } from "./wasm-kernels/lstm-cell";
import { lstmLayerGradConfig, nativeLstmLayerConfigs } from "./wasm-kernels/lstm-layer";
import { maxPoolGradConfig } from "./wasm-kernels/max-pool-grad";
import { registerMeanGradient } from "./wasm-kernels/mean-gradient";
import { nativeTrainingConfigs } from "./wasm-kernels/native-training";
import { NATIVE_KERNEL_NAMES, nativeKernelConfigs } from "./wasm-kernels/native-kernels";
import { nativeReluConvConfigs, RELU_CONV_GRAD_CONFIGS } from "./wasm-kernels/native-relu-conv";
import { meanConfig, sumConfig } from "./wasm-kernels/reduce-as-pool";
import { registerReluGradient, reluGradConfig } from "./wasm-kernels/relu-gradient";
import { softmaxCrossEntropyConfigs, softmaxCrossEntropyGradConfig } from "./wasm-kernels/softmax-cross-entropy";
import { unsortedSegmentSumConfig } from "./wasm-kernels/unsorted-segment-sum";
import { castConfig, identityConfig } from "./wasm-kernels/share-not-copy";
import { tileConfig } from "./wasm-kernels/tile";
import { nativeWeightedSumConfigs, weightedSumGradConfig } from "./wasm-kernels/weighted-sum";
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
  ...softmaxCrossEntropyConfigs,
];

/** Names of the wasm kernels nasbook provides, for reports and tests. */
export const WASM_TRAINING_KERNELS: readonly string[] = TRAINING_KERNELS.map((k) => k.kernelName);

/** Every kernel the addon runs: replacements of wasm's (falling back to them) and nasbook's own. */
function nativeConfigs(native: NativeKernels): tf.KernelConfig[] {
  return [
    ...nativeKernelConfigs(native), ...blockCopyConfigs(native), ...nativeTrainingConfigs(native), ...nativeReluConvConfigs(native),
    ...nativeWeightedSumConfigs(native), ...nativeLstmLayerConfigs(native), ...nativeAvgPoolRealConfigs(native), reluGradConfig(native),
  ];
}

/** Gradients of nasbook's own kernels, registered once (a kernel without its addon is never run). */
const GRADIENTS: readonly tf.GradConfig[] = [...RELU_CONV_GRAD_CONFIGS, lstmCellGradConfig, lstmLayerGradConfig, avgPoolRealGradConfig, weightedSumGradConfig, softmaxCrossEntropyGradConfig];

let gradientsRegistered = false;

/** The kernels the last registration with the addon added that wasm has no kernel of its own for. */
let nativeOnly: string[] = [];

function register(config: tf.KernelConfig): void {
  captureBaseKernel(config.kernelName);
  if (tf.getKernel(config.kernelName, "wasm")) tf.unregisterKernel(config.kernelName, "wasm");
  tf.registerKernel(config);
}

export function registerWasmTrainingKernels(native: NativeKernels | null): void {
  // Start from wasm's kernels and nasbook's compositions, then let the addon take over (falling back to those).
  TRAINING_KERNELS.forEach(register);
  NATIVE_KERNEL_NAMES.filter((name) => !WASM_TRAINING_KERNELS.includes(name)).forEach((name) => restoreBaseKernel(name));
  // Kernels only the addon has go without it: their callers then compose tf ops.
  nativeOnly.filter((name) => tf.getKernel(name, "wasm")).forEach((name) => tf.unregisterKernel(name, "wasm"));
  const configs = native ? nativeConfigs(native) : [];
  nativeOnly = configs.map((c) => c.kernelName).filter((name) => !tf.getKernel(name, "wasm"));
  configs.forEach(register);
  if (!gradientsRegistered) {
    registerDilatedConvGradients();
    registerMeanGradient();
    registerReluGradient();
    GRADIENTS.forEach((config) => tf.registerGradient(config));
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
