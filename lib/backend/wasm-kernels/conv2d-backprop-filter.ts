/**
 * Conv2DBackpropFilter on wasm as one XNNPACK forward convolution with the roles swapped. The
 * operand XNNPACK treats as the "filter" is repacked on every call (~15 ms per million floats,
 * more than the convolution itself for the reference CNN), so the smaller of x and dY plays it:
 *  - dY as filter: x transposed to [Cin, H, W, N] is the image (the batch becomes the contracted
 *    channel axis) and dY transposed to [Ho, Wo, N, Cout] the filter, its taps spaced by the
 *    forward stride; the result [Cin, kh, kw, Cout] is transposed into the filter layout;
 *  - x as filter (stride 1 only): dY transposed to [Cout, Ho, Wo, N], padded, is the image and x
 *    transposed to [H, W, N, Cin] the filter; stepping by the dilation gives [Cout, kh, kw, Cin]
 *    with the taps in reverse order.
 */
import * as tf from "@tensorflow/tfjs";
import {
  assertChannelsLast, batchToChannels, crop, dilationsOf, filterGradPlans, flipTaps, forwardConvInfo, GradAttrs, padsOf, stridesOf,
} from "./conv-as-forward";
import { KernelArgs, SpatialPads, WasmOps, withWasmOps } from "./wasm-ops";

type ConvInfo = tf.backend_util.Conv2DInfo;

function dyAsFilter(ops: WasmOps, x: tf.TensorInfo, dy: tf.TensorInfo, info: ConvInfo): tf.TensorInfo {
  const plans = filterGradPlans(info);
  const image = batchToChannels(ops, x);
  const taps = ops.transpose(dy, [1, 2, 0, 3]);
  const full = ops.conv2d(image, taps, { strides: dilationsOf(info), dilations: stridesOf(info), pads: padsOf(plans) });
  return ops.transpose(crop(ops, full, plans), [1, 2, 0, 3]);
}

/**
 * Pads of dY for the x-as-filter formulation: tap k of the result reads dY shifted by
 * (kernel - 1 - k) * dilation - padBefore, so dY needs (kernel - 1) * dilation - padBefore zeros
 * before it and enough after it to cover x; null where a pad would be negative.
 */
function xAsFilterPads(info: ConvInfo): SpatialPads | null {
  const axis = (kernel: number, dilation: number, inSize: number, outSize: number, before: number): [number, number] => {
    const reach = (kernel - 1) * dilation;
    return [reach - before, inSize - outSize + before];
  };
  const rows = axis(info.filterHeight, info.dilationHeight, info.inHeight, info.outHeight, info.padInfo.top);
  const cols = axis(info.filterWidth, info.dilationWidth, info.inWidth, info.outWidth, info.padInfo.left);
  return [...rows, ...cols].every((p) => p >= 0) ? [rows, cols] : null;
}

function xAsFilter(ops: WasmOps, x: tf.TensorInfo, dy: tf.TensorInfo, info: ConvInfo, pads: SpatialPads): tf.TensorInfo {
  const image = batchToChannels(ops, dy);
  const taps = ops.transpose(x, [1, 2, 0, 3]);
  const reversed = ops.conv2d(image, taps, { strides: dilationsOf(info), dilations: [1, 1], pads });
  return flipTaps(ops, ops.transpose(reversed, [1, 2, 3, 0]));
}

function conv2DBackpropFilter({ inputs, backend, attrs }: KernelArgs): tf.TensorInfo {
  const { x, dy } = inputs as { x: tf.TensorInfo; dy: tf.TensorInfo };
  const a = attrs as unknown as GradAttrs<"filterShape">;
  assertChannelsLast("Conv2DBackpropFilter", a);
  const info = forwardConvInfo(x.shape, a.filterShape, a);
  const unitStride = info.strideHeight === 1 && info.strideWidth === 1;
  const pads = unitStride ? xAsFilterPads(info) : null;
  const xSmaller = tf.util.sizeFromShape(x.shape) < tf.util.sizeFromShape(dy.shape);
  return withWasmOps(backend, (ops) => (pads && xSmaller ? xAsFilter(ops, x, dy, info, pads) : dyAsFilter(ops, x, dy, info)));
}

export const conv2DBackpropFilterConfig: tf.KernelConfig = {
  kernelName: tf.Conv2DBackpropFilter,
  backendName: "wasm",
  kernelFunc: conv2DBackpropFilter,
};
