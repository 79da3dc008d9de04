/**
 * Training a network from scratch: minibatch SGD with momentum and a cosine learning rate,
 * softmax cross-entropy, BatchNorm in training mode. Shared by every evaluator and by the
 * final "train the best once more and test it" step.
 */
import * as tf from "@tensorflow/tfjs";
import { DivergedError } from "../core/errors";
import { Rng } from "../core/random";
import type { Network, ProgressCallback } from "../core/types";
import type { Subset } from "../data";
import { cosineSchedule } from "../nn/schedule";
import { MomentumSGD } from "../nn/sgd";
import { softmaxCrossEntropy } from "../nn/losses";

export interface TrainingOptions {
  readonly epochs: number;
  readonly batchSize: number;
  /** Peak learning rate, annealed to 0 by a cosine over all steps. */
  readonly learningRate?: number;
  readonly momentum?: number;
  /** L2 penalty on weights (not on BatchNorm or biases), added to the gradient. */
  readonly weightDecay?: number;
  /** CIFAR-style augmentation (random crop with padding, flip, cutout) of every training batch. */
  readonly augment?: boolean;
  readonly seed: number;
  readonly onProgress?: ProgressCallback;
}

export const TRAINING_DEFAULTS = { learningRate: 0.1, momentum: 0.9, weightDecay: 3e-4 } as const;

/** Per epoch: validation accuracy after it, and the mean loss of its training batches. */
export interface TrainingHistory {
  readonly validAccuracy: number[];
  readonly trainLoss: number[];
}

/** Trains in place; returns what each epoch reached. */
export function train(network: Network, data: { train: Subset; valid: Subset }, options: TrainingOptions): TrainingHistory {
  const { epochs, batchSize, seed, onProgress } = options;
  const peak = options.learningRate ?? TRAINING_DEFAULTS.learningRate;
  const optimizer = new MomentumSGD(network.trainableVariables, {
    momentum: options.momentum ?? TRAINING_DEFAULTS.momentum,
    weightDecay: options.weightDecay ?? TRAINING_DEFAULTS.weightDecay,
  });
  const stepsPerEpoch = Math.ceil(data.train.size / batchSize);
  const totalSteps = epochs * stepsPerEpoch;
  const rng = new Rng(seed);
  const history = { validAccuracy: [] as number[], trainLoss: [] as number[] };
  let step = 0;
  try {
    for (let epoch = 0; epoch < epochs; epoch++) {
      let lossSum = 0;
      for (const batch of data.train.batches(batchSize, { rng, augment: options.augment })) {
        const learningRate = cosineSchedule(peak, 0, step, totalSteps);
        const labels = tf.tidy(() => tf.oneHot(tf.cast(batch.y, "int32") as tf.Tensor1D, data.train.info.numClasses));
        let value: number;
        // A step that throws (a shape error, wasm out of memory) must not leave its batch behind: the search goes on.
        try {
          const loss = optimizer.minimize(() => softmaxCrossEntropy(labels, network.apply(batch.x, true)), learningRate);
          value = loss.dataSync()[0];
          loss.dispose();
        } finally {
          tf.dispose([labels, batch.x, batch.y]);
        }
        if (!Number.isFinite(value)) throw new DivergedError(`Training diverged: loss is ${value} at epoch ${epoch + 1}, step ${step + 1}.`);
        lossSum += value;
        step++;
        onProgress?.(step, totalSteps, `epoch ${epoch + 1}/${epochs} loss ${value.toFixed(3)}`);
      }
      history.validAccuracy.push(accuracy(network, data.valid, batchSize));
      history.trainLoss.push(lossSum / stepsPerEpoch);
    }
  } finally {
    optimizer.dispose();
  }
  return history;
}

/** Fraction of `subset` classified correctly, BatchNorm in inference mode. */
export function accuracy(network: Network, subset: Subset, batchSize: number): number {
  return accuracyOf((x) => network.apply(x, false), subset, batchSize);
}

/** Fraction of `subset` whose argmax of `logits` is the label, in batches (any model that maps images to logits). */
export function accuracyOf(logits: (x: tf.Tensor4D) => tf.Tensor2D, subset: Subset, batchSize: number): number {
  let correct = 0;
  for (const batch of subset.batches(batchSize)) {
    correct += tf.tidy(() => {
      const predicted = tf.argMax(logits(batch.x), 1);
      return tf.sum(tf.cast(tf.equal(predicted, tf.cast(batch.y, "int32")), "int32")).dataSync()[0];
    });
    batch.x.dispose();
    batch.y.dispose();
  }
  return subset.size === 0 ? 0 : correct / subset.size;
}
