/** The layers every search space builds from: convolutions, BatchNorm, pooling, dense. */
import * as tf from "@tensorflow/tfjs";
import type { Rng } from "../core/random";
import { movingAverageInPlace } from "../backend/in-place";
import { AVG_POOL_REAL, type AvgPoolRealAttrs } from "../backend/wasm-kernels/avg-pool-real";
import { batchNormTraining } from "./batch-norm-training";
import { addMacs } from "./macs";
import { Module } from "./module";
import { reluConv2d, reluDepthwiseConv2d } from "./relu-conv";

export type Padding = "same" | "valid";

/** He-normal weights, seeded, for ReLU networks. */
function heNormal(shape: number[], fanIn: number, rng: Rng): tf.Tensor {
  return tf.randomNormal(shape, 0, Math.sqrt(2 / fanIn), "float32", rng.seed());
}

export interface ConvOptions {
  readonly kernel: readonly [number, number];
  readonly stride?: number;
  readonly dilation?: number;
  readonly padding?: Padding;
  readonly bias?: boolean;
}

export class Conv2d extends Module {
  readonly kernel: tf.Variable;
  readonly bias: tf.Variable | null;

  constructor(
    readonly inChannels: number,
    readonly outChannels: number,
    readonly options: ConvOptions,
    rng: Rng,
  ) {
    super();
    const [kh, kw] = options.kernel;
    this.kernel = this.addVariable(heNormal([kh, kw, inChannels, outChannels], kh * kw * inChannels, rng));
    this.bias = options.bias ? this.addVariable(tf.zeros([outChannels])) : null;
  }

  apply(x: tf.Tensor4D): tf.Tensor4D {
    const { stride = 1, dilation = 1, padding = "same" } = this.options;
    return this.finish(tf.conv2d(x, this.kernel as tf.Tensor4D, stride, padding, "NHWC", dilation));
  }

  /** apply(relu(x)), one kernel each way where the native addon fuses them (relu-conv.ts). */
  applyToRelu(x: tf.Tensor4D): tf.Tensor4D {
    const { stride = 1, dilation = 1, padding = "same" } = this.options;
    if (dilation !== 1) return this.apply(tf.relu(x));
    return this.finish(reluConv2d(x, this.kernel as tf.Tensor4D, stride, padding));
  }

  /** The bias and the MAC count, after the convolution itself. */
  private finish(convolved: tf.Tensor4D): tf.Tensor4D {
    const { kernel } = this.options;
    const y: tf.Tensor4D = this.bias ? tf.add(convolved, this.bias) : convolved;
    addMacs(convolved.shape[1] * convolved.shape[2] * kernel[0] * kernel[1] * this.inChannels * this.outChannels);
    return y;
  }
}

/** Depthwise convolution (channel multiplier 1): one filter per channel. */
export class DepthwiseConv2d extends Module {
  readonly kernel: tf.Variable;

  constructor(
    readonly channels: number,
    readonly options: ConvOptions,
    rng: Rng,
  ) {
    super();
    const [kh, kw] = options.kernel;
    this.kernel = this.addVariable(heNormal([kh, kw, channels, 1], kh * kw, rng));
  }

  apply(x: tf.Tensor4D): tf.Tensor4D {
    const { stride = 1, dilation = 1, padding = "same" } = this.options;
    return this.finish(tf.depthwiseConv2d(x, this.kernel as tf.Tensor4D, stride, padding, "NHWC", dilation));
  }

  /** apply(relu(x)), one kernel each way where the native addon fuses them (relu-conv.ts). */
  applyToRelu(x: tf.Tensor4D): tf.Tensor4D {
    const { stride = 1, dilation = 1, padding = "same" } = this.options;
    return this.finish(reluDepthwiseConv2d(x, this.kernel as tf.Tensor4D, stride, padding, dilation));
  }

  private finish(y: tf.Tensor4D): tf.Tensor4D {
    const { kernel } = this.options;
    addMacs(y.shape[1] * y.shape[2] * kernel[0] * kernel[1] * this.channels);
    return y;
  }
}

/**
 * BatchNorm over N, H, W. In training it normalises with batch statistics and moves the running
 * ones; `affine: false` (DARTS during search) fixes the scale and shift at 1 and 0 instead of learning them.
 */
export class BatchNorm extends Module {
  /** Scale and shift: trainable when affine, else fixed at 1 and 0 (tfjs's batch norm gradient needs both). */
  readonly gamma: tf.Variable;
  readonly beta: tf.Variable;
  readonly runningMean: tf.Variable;
  readonly runningVar: tf.Variable;

  constructor(
    readonly channels: number,
    readonly options: { affine?: boolean; momentum?: number; epsilon?: number } = {},
  ) {
    super();
    const affine = options.affine ?? true;
    this.gamma = this.addVariable(tf.ones([channels]), affine);
    this.beta = this.addVariable(tf.zeros([channels]), affine);
    this.runningMean = this.addVariable(tf.zeros([channels]), false);
    this.runningVar = this.addVariable(tf.ones([channels]), false);
  }

  apply(x: tf.Tensor4D, training: boolean): tf.Tensor4D {
    const { momentum = 0.1, epsilon = 1e-5 } = this.options;
    addMacs(x.shape[1] * x.shape[2] * this.channels * 2);
    const scale = this.gamma as tf.Tensor1D;
    const offset = this.beta as tf.Tensor1D;
    if (!training) return tf.batchNorm4d(x, this.runningMean as tf.Tensor1D, this.runningVar as tf.Tensor1D, offset, scale, epsilon);
    return batchNormTraining(x, scale, offset, epsilon, ({ mean, variance }) => {
      // Running statistics are bookkeeping, not part of the loss.
      movingAverage(this.runningMean, mean, momentum);
      movingAverage(this.runningVar, variance, momentum);
    });
  }
}

/** average = (1 - momentum) * average + momentum * value: in place on wasm, else with tf ops. */
function movingAverage(average: tf.Variable, value: tf.Tensor, momentum: number): void {
  if (movingAverageInPlace(average, value, momentum)) return;
  tf.tidy(() => {
    average.assign(average.mul(1 - momentum).add(value.mul(momentum)));
  });
}

/** Fully connected layer on [batch, features]. */
export class Dense {
  readonly kernel: tf.Variable;
  readonly bias: tf.Variable;

  constructor(
    readonly inFeatures: number,
    readonly outFeatures: number,
    rng: Rng,
  ) {
    const limit = Math.sqrt(6 / (inFeatures + outFeatures));
    this.kernel = tf.tidy(() => tf.variable(tf.randomUniform([inFeatures, outFeatures], -limit, limit, "float32", rng.seed())));
    this.bias = tf.tidy(() => tf.variable(tf.zeros([outFeatures])));
  }

  apply(x: tf.Tensor2D): tf.Tensor2D {
    addMacs(this.inFeatures * this.outFeatures);
    return tf.add(tf.matMul(x, this.kernel as tf.Tensor2D), this.bias);
  }

  variables(): tf.Variable[] {
    return [this.kernel, this.bias];
  }
}

export function maxPool(x: tf.Tensor4D, size: number, stride: number, padding: Padding = "same"): tf.Tensor4D {
  return tf.maxPool(x, size, stride, padding);
}

/** TF's "same" padding of one spatial dimension: [before, after]. */
function samePadding(size: number, window: number, stride: number): [number, number] {
  const total = Math.max((Math.ceil(size / stride) - 1) * stride + window - size, 0);
  return [Math.floor(total / 2), total - Math.floor(total / 2)];
}

/** Per (h, w, size, stride): the fraction of each "same" window inside the image. A few small arrays, kept for the process's life. */
const realFractions = new Map<string, Float32Array>();

/** Per output position along one axis, how many of its window's pixels are inside the image. */
function realCounts(size: number, window: number, stride: number): number[] {
  const [before] = samePadding(size, window, stride);
  return Array.from({ length: Math.ceil(size / stride) }, (_, i) => {
    const start = i * stride - before;
    return Math.min(size, start + window) - Math.max(0, start);
  });
}

/** [1, ceil(h / stride), ceil(w / stride), 1]: counted in JS once, not re-derived by three kernels per call. */
function realFraction(h: number, w: number, size: number, stride: number): tf.Tensor4D {
  const key = `${h} ${w} ${size} ${stride}`;
  let fraction = realFractions.get(key);
  if (!fraction) {
    const cols = realCounts(w, size, stride);
    fraction = Float32Array.from(realCounts(h, size, stride).flatMap((r) => cols.map((c) => (r * c) / (size * size))));
    realFractions.set(key, fraction);
  }
  return tf.tensor4d(fraction, [1, Math.ceil(h / stride), Math.ceil(w / stride), 1]);
}

/**
 * Average over the real pixels of each window (PyTorch's count_include_pad=False). tfjs's "same"
 * average pooling computes this forward, but its gradient divides by the full window size; padding
 * explicitly and dividing by the count of real pixels gives the same values with correct gradients.
 */
export function avgPool(x: tf.Tensor4D, size: number, stride: number, padding: Padding = "same"): tf.Tensor4D {
  if (padding === "valid") return tf.avgPool(x, size, stride, "valid");
  const [, h, w] = x.shape;
  if (tf.getKernel(AVG_POOL_REAL, tf.getBackend()) && x.dtype === "float32") {
    // One native kernel each way on wasm (backend/wasm-kernels/avg-pool-real.ts).
    const attrs: AvgPoolRealAttrs = { size, stride, pads: [samePadding(h, size, stride), samePadding(w, size, stride)] };
    return tf.engine().runKernel(AVG_POOL_REAL, { x }, attrs as unknown as tf.NamedAttrMap) as tf.Tensor4D;
  }
  const pads: Array<[number, number]> = [[0, 0], samePadding(h, size, stride), samePadding(w, size, stride), [0, 0]];
  const sums = tf.avgPool(tf.pad(x, pads), size, stride, "valid");
  return tf.div(sums, realFraction(h, w, size, stride));
}

/** [batch, h, w, c] -> [batch, c]. */
export function globalAvgPool(x: tf.Tensor4D): tf.Tensor2D {
  return tf.mean(x, [1, 2]) as tf.Tensor2D;
}
