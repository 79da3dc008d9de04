/**
 * An architecture's accuracy with the shared weights it inherits, on one validation minibatch
 * (ENAS's reward, random-WS's first cut) or on a whole subset (random-WS's re-ranking, the rank
 * correlation with the benchmark table). BatchNorm is a known pitfall here: the running
 * statistics were accumulated while thousands of different architectures trained, so they fit
 * none of them; ENAS's code scores with each minibatch's own statistics instead. Which one is
 * used is always said (`BatchNormMode`), never implied.
 */
import * as tf from "@tensorflow/tfjs";
import type { Batch, Subset } from "../../data/batches";
import { accuracyOf } from "../../evaluators/training";
import type { SinglePathNet } from "../../spaces/single-path";

/**
 * "batch": normalise with the scored minibatch's own statistics (ENAS's code). In this mode the
 * running statistics are never read, though tfjs's BatchNorm still moves them.
 * "running": the running averages accumulated during training (inference mode).
 */
export type BatchNormMode = "batch" | "running";

export const BATCH_NORM_MODES: readonly BatchNormMode[] = ["batch", "running"];

function logits(net: SinglePathNet, tokens: readonly number[], mode: BatchNormMode): (x: tf.Tensor4D) => tf.Tensor2D {
  return (x) => net.apply(x, mode === "batch", tokens);
}

/** Fraction of `batch` the architecture classifies correctly (the batch is not disposed). */
export function accuracyOnBatch(net: SinglePathNet, tokens: readonly number[], batch: Batch, mode: BatchNormMode): number {
  const correct = tf.tidy(() => {
    const predicted = tf.argMax(logits(net, tokens, mode)(batch.x), 1);
    return tf.sum(tf.cast(tf.equal(predicted, tf.cast(batch.y, "int32")), "int32")).dataSync()[0];
  });
  return correct / batch.y.shape[0];
}

/** Accuracy over all of `subset`, in batches of `batchSize` (batch mode: each batch its own statistics). */
export function accuracyOnSubset(net: SinglePathNet, tokens: readonly number[], subset: Subset, batchSize: number, mode: BatchNormMode): number {
  return accuracyOf(logits(net, tokens, mode), subset, batchSize);
}

/** Uniform over every decision's choices: random-WS's sampler, and ENAS's controller's null model. */
export function uniformTokens(net: SinglePathNet, next: (n: number) => number): number[] {
  return net.decisions.map((d) => next(d.choices));
}
