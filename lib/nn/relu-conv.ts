/**
 * conv2d(relu(x), filter) (NHWC, dilation 1) and depthwiseConv2d(relu(x), filter): one native
 * kernel each way where nasbook's addon registered them on wasm
 * (backend/wasm-kernels/native-relu-conv.ts), tf.relu then the tf convolution everywhere else.
 * Same values either way.
 */
import * as tf from "@tensorflow/tfjs";
import { RELU_CONV2D, RELU_DEPTHWISE_CONV2D, type ReluConvAttrs } from "../backend/wasm-kernels/native-relu-conv";

const fused = (kernelName: string) => !!tf.getKernel(kernelName, tf.getBackend());

const runFused = (kernelName: string, x: tf.Tensor4D, filter: tf.Tensor4D, attrs: ReluConvAttrs) =>
  tf.engine().runKernel(kernelName, { x, filter }, attrs as unknown as tf.NamedAttrMap) as tf.Tensor4D;

export function reluConv2d(x: tf.Tensor4D, filter: tf.Tensor4D, stride: number, padding: "same" | "valid"): tf.Tensor4D {
  if (!fused(RELU_CONV2D)) return tf.conv2d(tf.relu(x), filter, stride, padding);
  return runFused(RELU_CONV2D, x, filter, { strides: stride, pad: padding });
}

/** Whether reluDepthwiseConv2d runs natively, and so takes a stride and a dilation together. */
export const reluDepthwiseIsFused = () => fused(RELU_DEPTHWISE_CONV2D);

/** Elsewhere than the addon, tf.depthwiseConv2d refuses stride > 1 with dilation > 1. */
export function reluDepthwiseConv2d(x: tf.Tensor4D, filter: tf.Tensor4D, stride: number, padding: "same" | "valid", dilation = 1): tf.Tensor4D {
  if (!reluDepthwiseIsFused()) return tf.depthwiseConv2d(tf.relu(x), filter, stride, padding, "NHWC", dilation);
  return runFused(RELU_DEPTHWISE_CONV2D, x, filter, { strides: stride, pad: padding, dilations: dilation });
}
