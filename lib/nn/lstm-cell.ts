/**
 * An LSTM cell's gates, from the pre-activations z = [x, h] W + b (columns: input, forget,
 * candidate, output gates) and the previous cell state c:
 *   c' = σ(z_f) c + σ(z_i) tanh(z_g),  h' = σ(z_o) tanh(c').
 * On wasm one kernel forward and one backward (backend/wasm-kernels/lstm-cell.ts); tf ops
 * everywhere else, the same function to float rounding.
 */
import * as tf from "@tensorflow/tfjs";
import { LSTM_CELL } from "../backend/wasm-kernels/lstm-cell";

export interface CellState {
  readonly h: tf.Tensor2D;
  readonly c: tf.Tensor2D;
}

function composed(z: tf.Tensor2D, c: tf.Tensor2D): CellState {
  const [i, f, g, o] = tf.split(z, 4, 1);
  const next = tf.add(tf.mul(tf.sigmoid(f), c), tf.mul(tf.sigmoid(i), tf.tanh(g))) as tf.Tensor2D;
  return { h: tf.mul(tf.sigmoid(o), tf.tanh(next)) as tf.Tensor2D, c: next };
}

export function lstmCell(z: tf.Tensor2D, c: tf.Tensor2D): CellState {
  if (!tf.getKernel(LSTM_CELL, tf.getBackend())) return composed(z, c);
  const [h, next] = tf.engine().runKernel(LSTM_CELL, { z, c }) as tf.Tensor2D[];
  return { h, c: next };
}
