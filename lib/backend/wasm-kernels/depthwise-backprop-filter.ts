/**
 * DepthwiseConv2dNativeBackpropFilter on wasm as one XNNPACK depthwise convolution: x laid out
 * as a single image [1, H, W, N*C] is the image and dY as [Ho, Wo, N*C, M] the filter (taps
 * spaced by the forward stride), so each (example, channel) pair is reduced over space; the
 * per-example partial filters are then summed over the batch.
 */
import * as tf from "@tensorflow/tfjs";
import { crop, dilationsOf, filterGradPlans, forwardConvInfo, GradAttrs, padsOf, stridesOf } from "./conv-as-forward";
import { KernelArgs, withWasmOps } from "./wasm-ops";

function depthwiseBackpropFilter({ inputs, backend, attrs }: KernelArgs): tf.TensorInfo {
  const { x, dy } = inputs as { x: tf.TensorInfo; dy: tf.TensorInfo };
  const a = attrs as unknown as GradAttrs<"filterShape">;
  const [kh, kw, channels, multiplier] = a.filterShape;
  const [n, h, w] = x.shape;
  const [, ho, wo] = dy.shape;
  const info = forwardConvInfo(x.shape, a.filterShape, a, true);
  const plans = filterGradPlans(info);
  return withWasmOps(backend, (ops) => {
    const image = ops.reshape(ops.transpose(x, [1, 2, 0, 3]), [1, h, w, n * channels]);
    const taps = ops.reshape(ops.transpose(dy, [1, 2, 0, 3]), [ho, wo, n * channels, multiplier]);
    const full = ops.depthwiseConv2d(image, taps, { strides: dilationsOf(info), dilations: stridesOf(info), pads: padsOf(plans) });
    const perExample = ops.reshape(crop(ops, full, plans), [kh, kw, n, channels * multiplier]);
    const summed = n === 1 ? perExample : ops.sum(perExample, [2]);
    return ops.reshape(summed, [kh, kw, channels, multiplier]);
  });
}

export const depthwiseBackpropFilterConfig: tf.KernelConfig = {
  kernelName: tf.DepthwiseConv2dNativeBackpropFilter,
  backendName: "wasm",
  kernelFunc: depthwiseBackpropFilter,
};
