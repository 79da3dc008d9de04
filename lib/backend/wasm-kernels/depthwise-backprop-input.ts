/**
 * DepthwiseConv2dNativeBackpropInput on wasm as one XNNPACK depthwise convolution of dY (spread
 * by the stride) with the flipped filter; with a channel multiplier M each of the C*M dY channels
 * gets its own tap set and the M results per input channel are summed. With the native addon
 * loaded, its kernel runs instead (native-kernels.ts).
 */
import * as tf from "@tensorflow/tfjs";
import { crop, dilationsOf, flipTaps, forwardConvInfo, GradAttrs, inputGradPlans, padsOf, spreadByStride, stridesOf } from "./conv-as-forward";
import { KernelArgs, withWasmOps } from "./wasm-ops";

function depthwiseBackpropInput({ inputs, backend, attrs }: KernelArgs): tf.TensorInfo {
  const { dy, filter } = inputs as { dy: tf.TensorInfo; filter: tf.TensorInfo };
  const a = attrs as unknown as GradAttrs<"inputShape">;
  const [kh, kw, channels, multiplier] = filter.shape;
  const info = forwardConvInfo(a.inputShape, filter.shape, a, true);
  const plans = inputGradPlans(info);
  return withWasmOps(backend, (ops) => {
    const spread = spreadByStride(ops, dy, stridesOf(info));
    const flipped = ops.reshape(flipTaps(ops, filter), [kh, kw, channels * multiplier, 1]);
    const full = ops.depthwiseConv2d(spread, flipped, { strides: [1, 1], dilations: dilationsOf(info), pads: padsOf(plans) });
    const perProduct = crop(ops, full, plans);
    if (multiplier === 1) return perProduct;
    const [n, h, w] = perProduct.shape;
    return ops.sum(ops.reshape(perProduct, [n, h, w, channels, multiplier]), [4]);
  });
}

export const depthwiseBackpropInputConfig: tf.KernelConfig = {
  kernelName: tf.DepthwiseConv2dNativeBackpropInput,
  backendName: "wasm",
  kernelFunc: depthwiseBackpropInput,
};
