/**
 * Conv2DBackpropInput on wasm as one XNNPACK forward convolution: dY (spread by the stride)
 * correlated with the flipped filter whose in/out channels are swapped. Replaces wasm's own
 * kernel, a scalar loop about 20x slower than its forward convolution.
 */
import * as tf from "@tensorflow/tfjs";
import { assertChannelsLast, ConvGradAttrs, crop, dilationsOf, flipTaps, inputGradPlans, spreadByStride, stridesOf } from "./conv-as-forward";
import { KernelArgs, withWasmOps } from "./wasm-ops";

interface Attrs extends ConvGradAttrs {
  inputShape: [number, number, number, number];
}

function conv2DBackpropInput({ inputs, backend, attrs }: KernelArgs): tf.TensorInfo {
  const { dy, filter } = inputs as { dy: tf.TensorInfo; filter: tf.TensorInfo };
  const a = attrs as unknown as Attrs;
  assertChannelsLast("Conv2DBackpropInput", a);
  const info = tf.backend_util.computeConv2DInfo(
    a.inputShape, filter.shape as [number, number, number, number], a.strides, a.dilations ?? 1, a.pad, a.dimRoundingMode,
  );
  const plans = inputGradPlans(info);
  return withWasmOps(backend, (ops) => {
    const spread = spreadByStride(ops, dy, stridesOf(info));
    const swapped = ops.transpose(flipTaps(ops, filter), [0, 1, 3, 2]);
    const pads: [[number, number], [number, number]] = [plans[0].pads, plans[1].pads];
    const full = ops.conv2d(spread, swapped, { strides: [1, 1], dilations: dilationsOf(info), pads });
    return crop(ops, full, plans);
  });
}

export const conv2DBackpropInputConfig: tf.KernelConfig = {
  kernelName: tf.Conv2DBackpropInput,
  backendName: "wasm",
  kernelFunc: conv2DBackpropInput,
};
