/**
 * The candidate operations of the cell-based spaces (NASNet, ENAS, DARTS), written after
 * quark0/darts `operations.py`. Every op maps [n, h, w, C] to [n, ceil(h/s), ceil(w/s), C]
 * for its stride s, so any op can sit on any edge of a cell. Convolutions are ReLU-Conv-BN;
 * `affine: false` turns off BatchNorm's learned scale and shift, as DARTS does during search.
 */
import * as tf from "@tensorflow/tfjs";
import type { Rng } from "../core/random";
import { BatchNorm, Conv2d, DepthwiseConv2d, avgPool, maxPool } from "../nn/layers";
import { addMacs } from "../nn/macs";
import { Module, Sequential } from "../nn/module";
import { reluDepthwiseIsFused } from "../nn/relu-conv";

export interface OperationOptions {
  /** BatchNorm with learned scale and shift (true for final networks, false in DARTS search). */
  readonly affine: boolean;
}

/** Outputs zeros: DARTS's `none`, which lets an edge learn to disappear. */
export class Zero extends Module {
  constructor(readonly stride: number) {
    super();
  }

  apply(x: tf.Tensor4D): tf.Tensor4D {
    const [n, h, w, c] = x.shape;
    return tf.zeros([n, Math.ceil(h / this.stride), Math.ceil(w / this.stride), c]);
  }
}

export class Identity extends Module {
  apply(x: tf.Tensor4D): tf.Tensor4D {
    return x;
  }
}

class Relu extends Module {
  apply(x: tf.Tensor4D): tf.Tensor4D {
    return tf.relu(x);
  }
}

export class Pooling extends Module {
  constructor(
    readonly kind: "max" | "avg",
    readonly size: number,
    readonly stride: number,
  ) {
    super();
  }

  apply(x: tf.Tensor4D): tf.Tensor4D {
    return this.kind === "max" ? maxPool(x, this.size, this.stride) : avgPool(x, this.size, this.stride);
  }
}

/** ReLU, convolution (no bias), BatchNorm: the conv unit of all three papers. */
export class ReluConvBn extends Sequential {
  private readonly conv: Conv2d;
  private readonly norm: BatchNorm;

  constructor(inChannels: number, outChannels: number, kernel: readonly [number, number], stride: number, options: OperationOptions, rng: Rng) {
    const conv = new Conv2d(inChannels, outChannels, { kernel, stride }, rng);
    const norm = new BatchNorm(outChannels, { affine: options.affine });
    super([new Relu(), conv, norm]);
    this.conv = conv;
    this.norm = norm;
  }

  /** The layers' composition, with ReLU and conv fused where the native addon runs. */
  override apply(x: tf.Tensor4D, training: boolean): tf.Tensor4D {
    return this.norm.apply(this.conv.applyToRelu(x), training);
  }
}

/**
 * Depthwise convolution with dilation d. On wasm, nasbook registers gradients for dilated
 * convolutions (backend/wasm-kernels/dilated-conv-gradients.ts), so the k x k taps run as they
 * are. Elsewhere tfjs cannot differentiate dilation, and it refuses stride and dilation together:
 * there the k x k kernel is spread over a ((k-1)d+1)-wide grid of zeros, the same function.
 * Applied to relu(x) where the native addon fuses the two, the k x k taps run at any stride.
 * MACs are counted for the k x k taps the operation defines, not the zeros.
 */
export class DilatedDepthwiseConv2d extends Module {
  private readonly conv: DepthwiseConv2d;

  constructor(
    readonly channels: number,
    readonly kernel: number,
    readonly dilation: number,
    readonly stride: number,
    rng: Rng,
  ) {
    super();
    this.conv = this.addChild(new DepthwiseConv2d(channels, { kernel: [kernel, kernel], stride, dilation }, rng));
  }

  apply(x: tf.Tensor4D): tf.Tensor4D {
    const { channels: c, kernel: k, dilation: d, stride } = this;
    const direct = stride === 1 && tf.getBackend() === "wasm";
    const y = direct
      ? tf.depthwiseConv2d(x, this.conv.kernel as tf.Tensor4D, 1, "same", "NHWC", d)
      : tf.depthwiseConv2d(x, this.spreadKernel(), stride, "same");
    addMacs(y.shape[1] * y.shape[2] * k * k * c);
    return y;
  }

  /** apply(relu(x)). */
  applyToRelu(x: tf.Tensor4D): tf.Tensor4D {
    return reluDepthwiseIsFused() ? this.conv.applyToRelu(x) : this.apply(tf.relu(x));
  }

  /** The k x k kernel with d - 1 zeros between taps. */
  private spreadKernel(): tf.Tensor4D {
    const { channels: c, kernel: k, dilation: d } = this;
    const spread = (k - 1) * d + 1;
    const taps = this.conv.kernel.reshape([k, 1, k, 1, c, 1]);
    return tf
      .pad(taps, [[0, 0], [0, d - 1], [0, 0], [0, d - 1], [0, 0], [0, 0]])
      .reshape([k * d, k * d, c, 1])
      .slice([0, 0, 0, 0], [spread, spread, c, 1]) as tf.Tensor4D;
  }
}

/** ReLU, depthwise k x k (dilated), pointwise 1x1, BatchNorm (quark0's DilConv). */
export class DilConv extends Sequential {
  private readonly depthwise: DepthwiseConv2d | DilatedDepthwiseConv2d;
  private readonly pointwise: Conv2d;
  private readonly norm: BatchNorm;

  constructor(channels: number, kernel: number, dilation: number, stride: number, options: OperationOptions, rng: Rng) {
    const depthwise =
      dilation === 1
        ? new DepthwiseConv2d(channels, { kernel: [kernel, kernel], stride }, rng)
        : new DilatedDepthwiseConv2d(channels, kernel, dilation, stride, rng);
    const pointwise = new Conv2d(channels, channels, { kernel: [1, 1] }, rng);
    const norm = new BatchNorm(channels, { affine: options.affine });
    super([new Relu(), depthwise, pointwise, norm]);
    this.depthwise = depthwise;
    this.pointwise = pointwise;
    this.norm = norm;
  }

  /** The layers' composition, with ReLU and the depthwise convolution fused where the native addon runs. */
  override apply(x: tf.Tensor4D, training: boolean): tf.Tensor4D {
    return this.norm.apply(this.pointwise.apply(this.depthwise.applyToRelu(x)), training);
  }
}

/** Depthwise-separable convolution applied twice; only the first carries the stride. */
export class SepConv extends Sequential {
  constructor(channels: number, kernel: number, stride: number, options: OperationOptions, rng: Rng) {
    super([
      new DilConv(channels, kernel, 1, stride, options, rng),
      new DilConv(channels, kernel, 1, 1, options, rng),
    ]);
  }
}

/** ReLU, 1 x k conv, k x 1 conv, BatchNorm: a k x k receptive field for 2k weights per channel pair. */
export class FactorizedConv extends Sequential {
  constructor(channels: number, kernel: number, stride: number, options: OperationOptions, rng: Rng) {
    super([
      new Relu(),
      new Conv2d(channels, channels, { kernel: [1, kernel], stride }, rng),
      new Conv2d(channels, channels, { kernel: [kernel, 1] }, rng),
      new BatchNorm(channels, { affine: options.affine }),
    ]);
  }
}

/**
 * Halves the resolution without discarding pixels: two strided 1x1 convs, the second on the
 * input shifted by one pixel, concatenated along channels. Used for skip connections at
 * stride 2 and to match c_{k-2} to c_{k-1} after a reduction cell.
 */
export class FactorizedReduce extends Module {
  private readonly left: Conv2d;
  private readonly right: Conv2d;
  private readonly bn: BatchNorm;

  constructor(inChannels: number, outChannels: number, options: OperationOptions, rng: Rng) {
    super();
    if (outChannels % 2 !== 0) throw new RangeError(`FactorizedReduce needs an even channel count, got ${outChannels}`);
    this.left = this.addChild(new Conv2d(inChannels, outChannels / 2, { kernel: [1, 1], stride: 2 }, rng));
    this.right = this.addChild(new Conv2d(inChannels, outChannels / 2, { kernel: [1, 1], stride: 2 }, rng));
    this.bn = this.addChild(new BatchNorm(outChannels, { affine: options.affine }));
  }

  apply(x: tf.Tensor4D, training: boolean): tf.Tensor4D {
    const r = tf.relu(x);
    const [n, h, w, c] = r.shape;
    // Shift by one pixel and pad back, so odd sizes (7 x 7) reduce to the same ceil(h/2) as the left path.
    const shifted = tf.pad(r.slice([0, 1, 1, 0], [n, h - 1, w - 1, c]), [[0, 0], [0, 1], [0, 1], [0, 0]]);
    return this.bn.apply(tf.concat([this.left.apply(r), this.right.apply(shifted)], 3), training);
  }
}

/** The names quark0/darts uses, plus the NASNet ops it lacks. */
export const OPERATION_NAMES = [
  "none",
  "skip_connect",
  "max_pool_3x3",
  "max_pool_5x5",
  "max_pool_7x7",
  "avg_pool_3x3",
  "conv_1x1",
  "conv_3x3",
  "conv_1x3_3x1",
  "conv_1x7_7x1",
  "sep_conv_3x3",
  "sep_conv_5x5",
  "sep_conv_7x7",
  "dil_conv_3x3",
  "dil_conv_5x5",
] as const;
export type OperationName = (typeof OPERATION_NAMES)[number];

type OperationFactory = (channels: number, stride: number, options: OperationOptions, rng: Rng) => Module;

const FACTORIES: Record<OperationName, OperationFactory> = {
  none: (_c, s) => new Zero(s),
  skip_connect: (c, s, o, rng) => (s === 1 ? new Identity() : new FactorizedReduce(c, c, o, rng)),
  max_pool_3x3: (_c, s) => new Pooling("max", 3, s),
  max_pool_5x5: (_c, s) => new Pooling("max", 5, s),
  max_pool_7x7: (_c, s) => new Pooling("max", 7, s),
  avg_pool_3x3: (_c, s) => new Pooling("avg", 3, s),
  conv_1x1: (c, s, o, rng) => new ReluConvBn(c, c, [1, 1], s, o, rng),
  conv_3x3: (c, s, o, rng) => new ReluConvBn(c, c, [3, 3], s, o, rng),
  conv_1x3_3x1: (c, s, o, rng) => new FactorizedConv(c, 3, s, o, rng),
  conv_1x7_7x1: (c, s, o, rng) => new FactorizedConv(c, 7, s, o, rng),
  sep_conv_3x3: (c, s, o, rng) => new SepConv(c, 3, s, o, rng),
  sep_conv_5x5: (c, s, o, rng) => new SepConv(c, 5, s, o, rng),
  sep_conv_7x7: (c, s, o, rng) => new SepConv(c, 7, s, o, rng),
  dil_conv_3x3: (c, s, o, rng) => new DilConv(c, 3, 2, s, o, rng),
  dil_conv_5x5: (c, s, o, rng) => new DilConv(c, 5, 2, s, o, rng),
};

/** One operation on `channels` channels; stride 2 halves the resolution (reduction cells). */
export function createOperation(name: OperationName, channels: number, stride: number, options: OperationOptions, rng: Rng): Module {
  return FACTORIES[name](channels, stride, options, rng);
}

export function isPoolOperation(name: OperationName): boolean {
  return name.includes("pool");
}
