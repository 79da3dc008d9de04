/**
 * Variables as plain JSON, for checkpoints a killed search resumes from: each tensor's shape
 * and its float32 bytes in base64, so the values come back bit for bit (decimal text would
 * round-trip too, at about three times the size).
 */
import * as tf from "@tensorflow/tfjs";
import { RunStoreError } from "../core/errors";

export interface TensorSnapshot {
  readonly shape: number[];
  /** The values as float32, little-endian, base64. */
  readonly data: string;
}

export function snapshotTensor(t: tf.Tensor): TensorSnapshot {
  // Integer tensors (an optimiser's step count) as float32 too: exact below 2^24.
  const values = Float32Array.from(t.dataSync());
  return { shape: [...t.shape], data: Buffer.from(values.buffer, values.byteOffset, values.byteLength).toString("base64") };
}

export function tensorFromSnapshot(snapshot: TensorSnapshot, where: string): tf.Tensor {
  const bytes = Buffer.from(snapshot.data, "base64");
  const size = snapshot.shape.reduce((n, d) => n * d, 1);
  if (bytes.length !== size * 4) throw new RunStoreError(`${where}: ${bytes.length} bytes for shape [${snapshot.shape}], expected ${size * 4}.`);
  const values = new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length));
  return tf.tensor(values, snapshot.shape, "float32");
}

export function snapshotVariables(variables: readonly tf.Variable[]): TensorSnapshot[] {
  return variables.map(snapshotTensor);
}

function isSnapshot(value: unknown): value is TensorSnapshot {
  const { shape, data } = (value ?? {}) as { shape?: unknown; data?: unknown };
  return Array.isArray(shape) && shape.every((d) => Number.isInteger(d) && d >= 0) && typeof data === "string";
}

/**
 * Assigns every variable its snapshot; a count or shape that differs is a checkpoint from another network.
 * `snapshots` is what a file held, so its entries are checked before they are read.
 */
export function restoreVariables(variables: readonly tf.Variable[], snapshots: unknown, where: string): void {
  if (!Array.isArray(snapshots)) throw new RunStoreError(`${where}: should be a list of ${variables.length} tensors.`);
  if (snapshots.length !== variables.length) throw new RunStoreError(`${where}: ${snapshots.length} tensors for ${variables.length} variables.`);
  // Every tensor is decoded and checked before anything is assigned: a refused checkpoint leaves the network as it was.
  tf.tidy(() => {
    const values = variables.map((v, i) => {
      const snapshot: unknown = snapshots[i];
      if (!isSnapshot(snapshot)) throw new RunStoreError(`${where}[${i}]: should be { shape: [sizes], data: base64 }.`);
      if (snapshot.shape.join() !== v.shape.join()) throw new RunStoreError(`${where}[${i}]: shape [${snapshot.shape}], the variable has [${v.shape}].`);
      return tensorFromSnapshot(snapshot, `${where}[${i}]`);
    });
    variables.forEach((v, i) => v.assign(values[i]));
  });
}
