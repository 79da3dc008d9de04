/**
 * Conv2DBackpropFilter on wasm as one XNNPACK forward convolution with the roles swapped:
 * x transposed to [Cin, H, W, N] is the image (the batch becomes the contracted channel axis)
 * and dY transposed to [Ho, Wo, N, Cout] is the filter, its taps spaced by the forward stride;
 * the result [Cin, kh, kw, Cout] is transposed into the filter layout.
 */
import * as tf from "@tensorflow/tfjs";
import { assertChannelsLast, ConvGradAttrs, crop, dilationsOf, filterGradPlans, stridesOf } from "./conv-as-forward";
import { KernelArgs, withWasmOps } from "./wasm-ops";

interface Attrs extends ConvGradAttrs {
  filterShape: [number, number, number, number];
}

function conv2DBackpropFilter({ inputs, backend, attrs }: KernelArgs): tf.TensorInfo {
  const { x, dy } = inputs as { x: tf.TensorInfo; dy: tf.TensorInfo };
  const a = attrs as unknown as Attrs;
  assertChannelsLast("Conv2DBackpropFilter", a);
  const info = tf.backend_util.computeConv2DInfo(
    x.shape as [number, number, number, number], a.filterShape, a.strides, a.dilations ?? 1, a.pad, a.dimRoundingMode,
  );
  const plans = filterGradPlans(info);
  return withWasmOps(backend, (ops) => {
    const image = ops.transpose(x, [3, 1, 2, 0]);
    const taps = ops.transpose(dy, [1, 2, 0, 3]);
    const pads: [[number, number], [number, number]] = [plans[0].pads, plans[1].pads];
    const full = ops.conv2d(image, taps, { strides: dilationsOf(info), dilations: stridesOf(info), pads });
    return ops.transpose(crop(ops, full, plans), [1, 2, 0, 3]);
  });
}

export const conv2DBackpropFilterConfig: tf.KernelConfig = {
  kernelName: tf.Conv2DBackpropFilter,
  backendName: "wasm",
  kernelFunc: conv2DBackpropFilter,
};
