/**
 * The geometry that turns convolution gradients into forward convolutions, shared by the
 * regular and depthwise kernels:
 *  - input gradient: dY spread out by the stride (zeros in between), then a stride-1 convolution
 *    with the spatially flipped filter;
 *  - filter gradient: a convolution whose "image" is x and whose "filter" is dY (taps spaced by
 *    the forward stride), stepping by the forward dilation, so XNNPACK does the big reduction.
 * Pads that would have to be negative are clamped to 0 and the surplus output is cropped.
 */
import * as tf from "@tensorflow/tfjs";
import type { Pair, Shape4, SpatialPads, WasmOps } from "./wasm-ops";

/** Where one spatial axis of a gradient convolution is padded and which part of its output is kept. */
export interface AxisPlan {
  readonly pads: Pair;
  readonly cropStart: number;
  readonly size: number;
}

type ConvInfo = tf.backend_util.Conv2DInfo;

function axisPlan(before: number, after: number, size: number): AxisPlan {
  return { pads: [Math.max(0, before), Math.max(0, after)], cropStart: Math.max(0, -before), size };
}

interface Axis {
  inSize: number;
  outSize: number;
  kernel: number;
  stride: number;
  dilation: number;
  padBefore: number;
}

function axes(info: ConvInfo): [Axis, Axis] {
  return [
    {
      inSize: info.inHeight, outSize: info.outHeight, kernel: info.filterHeight,
      stride: info.strideHeight, dilation: info.dilationHeight, padBefore: info.padInfo.top,
    },
    {
      inSize: info.inWidth, outSize: info.outWidth, kernel: info.filterWidth,
      stride: info.strideWidth, dilation: info.dilationWidth, padBefore: info.padInfo.left,
    },
  ];
}

/** Pads for convolving the stride-spread dY (length outSize * stride) back to inSize. */
function inputGradAxis(a: Axis): AxisPlan {
  const effective = (a.kernel - 1) * a.dilation + 1;
  const spread = a.outSize * a.stride;
  return axisPlan(effective - 1 - a.padBefore, a.inSize - spread + a.padBefore, a.inSize);
}

/** Pads for sliding dY (dilated by the stride) over x so that exactly `kernel` taps come out. */
function filterGradAxis(a: Axis): AxisPlan {
  const reach = (a.kernel - 1) * a.dilation + (a.outSize - 1) * a.stride + 1;
  return axisPlan(a.padBefore, reach - a.inSize - a.padBefore, a.kernel);
}

export function inputGradPlans(info: ConvInfo): [AxisPlan, AxisPlan] {
  const [rows, cols] = axes(info);
  return [inputGradAxis(rows), inputGradAxis(cols)];
}

export function filterGradPlans(info: ConvInfo): [AxisPlan, AxisPlan] {
  const [rows, cols] = axes(info);
  return [filterGradAxis(rows), filterGradAxis(cols)];
}

/** Keeps the planned window of an NHWC result's spatial axes; a no-op when nothing was clamped. */
export function crop(ops: WasmOps, x: tf.TensorInfo, [rows, cols]: [AxisPlan, AxisPlan]): tf.TensorInfo {
  const [n, h, w, c] = x.shape;
  const exact = rows.cropStart === 0 && cols.cropStart === 0 && h === rows.size && w === cols.size;
  if (exact) return x;
  return ops.slice(x, [0, rows.cropStart, cols.cropStart, 0], [n, rows.size, cols.size, c]);
}

/**
 * Puts stride-1 zeros after every row and column of an NHWC tensor: [N, H, W, C] becomes
 * [N, H*sh, W*sw, C] with the values at multiples of the stride (pad + reshape, no scatter).
 */
export function spreadByStride(ops: WasmOps, x: tf.TensorInfo, [sh, sw]: Pair): tf.TensorInfo {
  if (sh === 1 && sw === 1) return x;
  const [n, h, w, c] = x.shape;
  const split = ops.reshape(x, [n * h, 1, w, 1, c]);
  const padded = ops.pad(split, [[0, 0], [0, sh - 1], [0, 0], [0, sw - 1], [0, 0]]);
  return ops.reshape(padded, [n, h * sh, w * sw, c]);
}

/**
 * [N, H, W, C] as [C, H, W, N], the layout that makes the batch a convolution's channel axis.
 * Done as [C, N, H*W] then a batched 2D transpose: wasm's single 4D transpose with this
 * permutation is about twice as slow (3 ms vs 1.5 ms for a million floats).
 */
export function batchToChannels(ops: WasmOps, x: tf.TensorInfo): tf.TensorInfo {
  const [n, h, w, c] = x.shape;
  const channelsFirst = ops.reshape(ops.transpose(x, [3, 0, 1, 2]), [c, n, h * w]);
  return ops.reshape(ops.transpose(channelsFirst, [0, 2, 1]), [c, h, w, n]);
}

/** The filter rotated by 180 degrees in space, as the input gradient's correlation needs. */
export function flipTaps(ops: WasmOps, filter: tf.TensorInfo): tf.TensorInfo {
  const [kh, kw] = filter.shape;
  const dims = [kh > 1 ? 0 : -1, kw > 1 ? 1 : -1].filter((d) => d >= 0);
  return dims.length === 0 ? filter : ops.reverse(filter, dims);
}

export function stridesOf(info: ConvInfo): Pair {
  return [info.strideHeight, info.strideWidth];
}

export function dilationsOf(info: ConvInfo): Pair {
  return [info.dilationHeight, info.dilationWidth];
}

/** Gradient kernels take the forward op's attrs; `dilations` is an extra attr nasbook's gradients pass. */
export interface ConvGradAttrs {
  strides: [number, number] | number;
  pad: "valid" | "same" | number | tf.backend_util.ExplicitPadding;
  dilations?: [number, number] | number;
  dimRoundingMode?: "floor" | "round" | "ceil";
  dataFormat?: "NHWC" | "NCHW";
}

/** A gradient kernel's attrs: the forward op's, plus the shape of what it differentiates. */
export type GradAttrs<Shape extends "filterShape" | "inputShape"> = ConvGradAttrs & Record<Shape, Shape4>;

/** The geometry of the forward convolution that a gradient kernel differentiates. */
export function forwardConvInfo(inputShape: number[], filterShape: number[], a: ConvGradAttrs, depthwise = false): ConvInfo {
  return tf.backend_util.computeConv2DInfo(
    inputShape as Shape4, filterShape as Shape4, a.strides, a.dilations ?? 1, a.pad, a.dimRoundingMode, depthwise,
  );
}

/** The explicit pads of a gradient convolution's plan. */
export function padsOf([rows, cols]: [AxisPlan, AxisPlan]): SpatialPads {
  return [rows.pads, cols.pads];
}

export function assertChannelsLast(kernel: string, attrs: ConvGradAttrs): void {
  if (attrs.dataFormat === "NCHW") throw new Error(`${kernel} on wasm supports NHWC only`);
}
