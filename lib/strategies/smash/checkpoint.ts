/**
 * A HyperNet training written down as plain JSON, so a killed run resumes where its last epoch
 * ended: every variable of the generated network (HyperNet, skeleton, BatchNorm statistics) and
 * every momentum velocity (lib/nn/snapshot), with the epochs done. Restoring checks every field
 * against the network it is read into and names the first that differs.
 */
import { NasbookError } from "../../core/errors";
import { isRecord } from "../../core/validate";
import type { TensorSnapshot } from "../../nn/snapshot";

export const CHECKPOINT_FORMAT = "nasbook-smash-checkpoint/1";

/** What one epoch of HyperNet training left. */
export type HyperNetEpoch = { epoch: number; loss: number; seconds: number };

export type HyperNetCheckpoint = {
  format: typeof CHECKPOINT_FORMAT;
  /** One entry per epoch done. */
  history: HyperNetEpoch[];
  variables: TensorSnapshot[];
  velocities: TensorSnapshot[];
};

export class CheckpointError extends NasbookError {}

export function validateHistory(value: unknown): HyperNetEpoch[] {
  if (!Array.isArray(value)) throw new CheckpointError("checkpoint history must be an array of epochs");
  return value.map((e, i) => {
    if (!isRecord(e) || typeof e.loss !== "number" || typeof e.seconds !== "number" || e.epoch !== i + 1) {
      throw new CheckpointError(`checkpoint history[${i}] must be {epoch: ${i + 1}, loss, seconds}`);
    }
    return { epoch: e.epoch, loss: e.loss, seconds: e.seconds };
  });
}
