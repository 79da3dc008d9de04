/**
 * Conv2DBackpropInput on wasm as one XNNPACK forward convolution: dY (spread by the stride)
 * correlated with the flipped filter whose in/out channels are swapped. Replaces wasm's own
 * kernel, a scalar loop about 20x slower than its forward convolution.
 */
import * as tf from "@tensorflow/tfjs";
import {
  assertChannelsLast, crop, dilationsOf, flipTaps, forwardConvInfo, GradAttrs, inputGradPlans, padsOf, spreadByStride, stridesOf,
} from "./conv-as-forward";
import { KernelArgs, withWasmOps } from "./wasm-ops";

function conv2DBackpropInput({ inputs, backend, attrs }: KernelArgs): tf.TensorInfo {
  const { dy, filter } = inputs as { dy: tf.TensorInfo; filter: tf.TensorInfo };
  const a = attrs as unknown as GradAttrs<"inputShape">;
  assertChannelsLast("Conv2DBackpropInput", a);
  const info = forwardConvInfo(a.inputShape, filter.shape, a);
  const plans = inputGradPlans(info);
  return withWasmOps(backend, (ops) => {
    const spread = spreadByStride(ops, dy, stridesOf(info));
    const swapped = ops.transpose(flipTaps(ops, filter), [0, 1, 3, 2]);
    const full = ops.conv2d(spread, swapped, { strides: [1, 1], dilations: dilationsOf(info), pads: padsOf(plans) });
    return crop(ops, full, plans);
  });
}

export const conv2DBackpropInputConfig: tf.KernelConfig = {
  kernelName: tf.Conv2DBackpropInput,
  backendName: "wasm",
  kernelFunc: conv2DBackpropInput,
};
