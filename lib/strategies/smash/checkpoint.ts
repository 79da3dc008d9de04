/**
 * A HyperNet training written down as plain JSON, so a killed run resumes where its last epoch
 * ended: every variable of the generated network (HyperNet, skeleton, BatchNorm statistics) and
 * every momentum velocity, as little-endian float32 in base64, with the epochs done. Restoring
 * checks every field against the network it is read into and names the first that differs.
 */
import * as tf from "@tensorflow/tfjs";
import { NasbookError } from "../../core/errors";
import { isRecord } from "../../core/validate";

export const CHECKPOINT_FORMAT = "nasbook-smash-checkpoint/1";

export type TensorData = { shape: number[]; data: string };

/** What one epoch of HyperNet training left. */
export type HyperNetEpoch = { epoch: number; loss: number; seconds: number };

export type HyperNetCheckpoint = {
  format: typeof CHECKPOINT_FORMAT;
  /** One entry per epoch done. */
  history: HyperNetEpoch[];
  variables: TensorData[];
  velocities: TensorData[];
};

export class CheckpointError extends NasbookError {}

export function tensorData(t: tf.Tensor): TensorData {
  const values = t.dataSync() as Float32Array;
  return { shape: [...t.shape], data: Buffer.from(values.buffer, values.byteOffset, values.byteLength).toString("base64") };
}

/** Assigns each stored tensor to its variable, after checking every shape. */
export function assignTensors(targets: readonly tf.Variable[], stored: unknown, field: string): void {
  if (!Array.isArray(stored) || stored.length !== targets.length) {
    throw new CheckpointError(`checkpoint ${field} must list ${targets.length} tensors, has ${Array.isArray(stored) ? stored.length : "none"}`);
  }
  const values = stored.map((item, i) => {
    const where = `checkpoint ${field}[${i}]`;
    if (!isRecord(item) || !Array.isArray(item.shape) || typeof item.data !== "string") throw new CheckpointError(`${where} must be {shape, data}`);
    if (item.shape.join("x") !== targets[i].shape.join("x")) throw new CheckpointError(`${where} has shape [${item.shape}], the network's is [${targets[i].shape}]`);
    const bytes = Buffer.from(item.data, "base64");
    if (bytes.byteLength !== targets[i].size * 4) throw new CheckpointError(`${where} holds ${bytes.byteLength / 4} values, needs ${targets[i].size}`);
    return new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
  });
  values.forEach((v, i) => tf.tidy(() => targets[i].assign(tf.tensor(v, targets[i].shape))));
}

export function validateHistory(value: unknown): HyperNetEpoch[] {
  if (!Array.isArray(value)) throw new CheckpointError("checkpoint history must be an array of epochs");
  return value.map((e, i) => {
    if (!isRecord(e) || typeof e.loss !== "number" || typeof e.seconds !== "number" || e.epoch !== i + 1) {
      throw new CheckpointError(`checkpoint history[${i}] must be {epoch: ${i + 1}, loss, seconds}`);
    }
    return { epoch: e.epoch, loss: e.loss, seconds: e.seconds };
  });
}
