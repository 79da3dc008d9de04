/**
 * Variables as plain numbers, for checkpoints: a search killed mid-way resumes from its last
 * checkpoint with every variable (weights, BatchNorm running statistics, alphas, optimiser
 * moments) set back bit for bit, so it ends where an uninterrupted search would.
 */
import * as tf from "@tensorflow/tfjs";
import { NasbookError } from "../core/errors";

/** One tensor's shape and float32 values. */
export interface SavedTensor {
  readonly shape: readonly number[];
  readonly values: Float32Array;
}

export function saveTensors(tensors: readonly tf.Tensor[]): SavedTensor[] {
  return tensors.map((t) => ({ shape: [...t.shape], values: Float32Array.from(t.dataSync() as Float32Array) }));
}

/**
 * Assigns `saved[i]` to `variables[i]`. A count or shape that differs means the checkpoint was
 * written by another network: an error naming `what` and the variable, before anything is assigned.
 */
export function restoreVariables(variables: readonly tf.Variable[], saved: readonly SavedTensor[], what: string): void {
  if (saved.length !== variables.length) {
    throw new NasbookError(`${what}: the checkpoint holds ${saved.length} tensors, the network has ${variables.length} variables.`);
  }
  variables.forEach((v, i) => {
    const { shape, values } = saved[i];
    const size = shape.reduce((n, d) => n * d, 1);
    if (shape.length !== v.shape.length || shape.some((d, k) => d !== v.shape[k]) || values.length !== size) {
      throw new NasbookError(`${what}: tensor ${i} has shape [${shape}] (${values.length} values), variable ${i} has shape [${v.shape}].`);
    }
  });
  tf.tidy(() => variables.forEach((v, i) => v.assign(tf.tensor(saved[i].values, saved[i].shape as number[], "float32"))));
}
