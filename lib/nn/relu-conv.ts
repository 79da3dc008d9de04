/**
 * conv2d(relu(x), filter) (NHWC, dilation 1): one native kernel each way where nasbook's addon
 * registered them on wasm (backend/wasm-kernels/native-relu-conv.ts), tf.relu then tf.conv2d
 * everywhere else. Same values either way.
 */
import * as tf from "@tensorflow/tfjs";
import { RELU_CONV2D, type ReluConvAttrs } from "../backend/wasm-kernels/native-relu-conv";

export function reluConv2d(x: tf.Tensor4D, filter: tf.Tensor4D, stride: number, padding: "same" | "valid"): tf.Tensor4D {
  if (!tf.getKernel(RELU_CONV2D, tf.getBackend())) return tf.conv2d(tf.relu(x), filter, stride, padding);
  const attrs: ReluConvAttrs = { strides: stride, pad: padding };
  return tf.engine().runKernel(RELU_CONV2D, { x, filter }, attrs as unknown as tf.NamedAttrMap) as tf.Tensor4D;
}
