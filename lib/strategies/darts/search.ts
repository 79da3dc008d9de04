/**
 * Bilevel architecture search on a DARTS supernet (Liu et al., Algorithm 1): alternate an alpha
 * step on a validation batch and a weight step on a training batch. Weights: SGD with momentum,
 * cosine learning rate, weight decay, gradient clipping. Alphas: Adam. `gdas` swaps the
 * softmax relaxation for GDAS's sampled one-op-per-edge paths.
 */
import * as tf from "@tensorflow/tfjs";
import { Rng } from "../../core/random";
import { mean } from "../../core/stats";
import type { ProgressCallback } from "../../core/types";
import { Subset, type Batch } from "../../data/batches";
import { accuracyOf, DivergedError } from "../../evaluators/training";
import { MomentumSGD } from "../../nn/sgd";
import { CELL_TYPES, type DartsGenotype } from "../../spaces/darts/genotypes";
import type { DartsSupernet, Mixing } from "../../spaces/darts/supernet";
import { deriveGenotype, type CellWeights } from "./derive";
import { GumbelSample, argmaxMixing, gdasTemperature } from "./gumbel";
import { firstOrderAlphaGradient, secondOrderAlphaGradient, supernetLoss, type LabelledBatch, type MixingSource } from "./hypergradient";

export interface DartsSearchConfig {
  readonly epochs: number;
  readonly batchSize: number;
  /** Weight learning rate, cosine-annealed per epoch from `weightLr` to `weightLrMin`. */
  readonly weightLr: number;
  readonly weightLrMin: number;
  readonly momentum: number;
  readonly weightDecay: number;
  /** Global gradient-norm clip for the weights. */
  readonly gradClip: number;
  readonly alphaLr: number;
  readonly alphaBetas: readonly [number, number];
  /** L2 on alpha, added to its gradient as PyTorch's Adam does. */
  readonly alphaWeightDecay: number;
  /** 1: first-order DARTS; 2: second order, with xi = the current weight learning rate. */
  readonly order: 1 | 2;
  /** GDAS temperature schedule [tauMax, tauMin]; null runs DARTS's softmax relaxation. */
  readonly gdasTau: readonly [number, number] | null;
  readonly seed: number;
}

/** The paper's settings (METHODS.md), except `epochs`, `batchSize`, `order`, `gdasTau` and `seed`. */
export const DARTS_HYPERPARAMETERS = {
  weightLr: 0.025,
  weightLrMin: 0.001,
  momentum: 0.9,
  weightDecay: 3e-4,
  gradClip: 5,
  alphaLr: 3e-4,
  alphaBetas: [0.5, 0.999] as const,
  alphaWeightDecay: 1e-3,
} as const;

export const GDAS_TAU: readonly [number, number] = [10, 0.1];

/** softmax(alpha) of every edge, after `epoch` epochs (0: at initialisation). */
export interface AlphaSnapshot extends CellWeights {
  readonly epoch: number;
}

export interface StepLosses {
  readonly epoch: number;
  readonly step: number;
  readonly trainLoss: number;
  /** L_val of the alpha step (at w' for second order). */
  readonly validLoss: number;
}

export interface EpochRecord {
  readonly epoch: number;
  readonly weightLr: number;
  /** GDAS temperature this epoch. */
  readonly tau: number | null;
  readonly trainLoss: number;
  readonly validLoss: number;
  /** The supernet's accuracy on the search-validation half (BatchNorm in inference mode). */
  readonly supernetAccuracy: number;
  readonly seconds: number;
  /** The cell derived from the alphas at the end of this epoch. */
  readonly genotype: DartsGenotype;
}

export interface DartsSearchResult {
  readonly genotype: DartsGenotype;
  readonly alphaHistory: AlphaSnapshot[];
  readonly losses: StepLosses[];
  readonly epochs: EpochRecord[];
  readonly wallSeconds: number;
}

export interface SearchCallbacks {
  /** After every step: steps done, steps in all, a one-line status. */
  readonly onProgress?: ProgressCallback;
  /** After every epoch, with the alphas then (for live figures). */
  readonly onEpoch?: (record: EpochRecord, alphas: AlphaSnapshot) => void;
}

function cosineLr(config: DartsSearchConfig, epoch: number): number {
  const { weightLr, weightLrMin, epochs } = config;
  return weightLrMin + ((weightLr - weightLrMin) * (1 + Math.cos((Math.PI * epoch) / epochs))) / 2;
}

export function alphaSnapshot(supernet: DartsSupernet, epoch: number): AlphaSnapshot {
  const [normal, reduce] = CELL_TYPES.map((t) => tf.tidy(() => tf.softmax(supernet.alphas[t] as tf.Tensor2D).arraySync() as number[][]));
  return { epoch, normal, reduce };
}

/** One bilevel step at a time; owns the two optimisers' state. */
export class BilevelSearch {
  private readonly sgd: MomentumSGD;
  private readonly adam: tf.Optimizer;
  private readonly rng: Rng;

  constructor(
    readonly supernet: DartsSupernet,
    readonly config: DartsSearchConfig,
  ) {
    if (config.gdasTau && config.order !== 1) throw new RangeError("GDAS is first order: use order 1 with gdasTau");
    const { momentum, weightDecay, gradClip, alphaLr, alphaBetas } = config;
    this.sgd = new MomentumSGD(supernet.weights(), { momentum, weightDecay, clipNorm: gradClip });
    this.adam = tf.train.adam(alphaLr, alphaBetas[0], alphaBetas[1], 1e-8);
    this.rng = new Rng(config.seed);
  }

  /** DARTS: alpha step on `valid`, then weight step on `train`. GDAS: weights first, as its code does. */
  step(train: LabelledBatch, valid: LabelledBatch, epoch: number): { trainLoss: number; validLoss: number } {
    const weightLr = cosineLr(this.config, epoch);
    if (!this.config.gdasTau) {
      const mixing = () => this.supernet.softmaxMixing();
      const validLoss = this.alphaStep(train, valid, mixing, weightLr);
      return { validLoss, trainLoss: this.weightStep(train, mixing, weightLr) };
    }
    const tau = gdasTemperature(epoch, this.config.epochs, ...this.config.gdasTau);
    const trainLoss = this.withGumbel(tau, (mixing) => this.weightStep(train, mixing, weightLr));
    const validLoss = this.withGumbel(tau, (mixing) => this.alphaStep(train, valid, mixing, weightLr));
    return { trainLoss, validLoss };
  }

  private withGumbel<T>(tau: number, run: (mixing: MixingSource) => T): T {
    const sample = new GumbelSample(this.supernet.alphas, tau, this.rng);
    try {
      return run(() => sample.mixing());
    } finally {
      sample.dispose();
    }
  }

  private weightStep(train: LabelledBatch, mixing: MixingSource, lr: number): number {
    const loss = this.sgd.minimize(() => supernetLoss(this.supernet, train, mixing), lr);
    const value = loss.dataSync()[0];
    loss.dispose();
    return value;
  }

  private alphaStep(train: LabelledBatch, valid: LabelledBatch, mixing: MixingSource, weightLr: number): number {
    const { grads, validLoss } =
      this.config.order === 2
        ? secondOrderAlphaGradient(this.supernet, train, valid, mixing, weightLr)
        : firstOrderAlphaGradient(this.supernet, valid, mixing);
    tf.tidy(() => {
      const decayed = Object.fromEntries(
        this.supernet.alphaVariables().map((a) => [a.name, tf.add(grads[a.name], tf.mul(a, this.config.alphaWeightDecay))]),
      );
      this.adam.applyGradients(decayed);
    });
    tf.dispose(grads);
    return validLoss;
  }

  /** The mixing used to score the supernet: softmax for DARTS, each edge's likeliest op for GDAS. */
  evaluationMixing(): Mixing {
    return this.config.gdasTau ? argmaxMixing(this.supernet.alphas) : this.supernet.softmaxMixing();
  }

  dispose(): void {
    this.sgd.dispose();
    this.adam.dispose();
  }
}

/** Splits the training data in two halves, DARTS's train and valid sets for the bilevel problem. */
export function searchHalves(train: Subset): { train: Subset; valid: Subset } {
  const half = Math.floor(train.size / 2);
  const pixels = train.images.length / train.size;
  const rest = new Subset(train.info, train.images.subarray(half * pixels), train.labels.subarray(half), train.normalization);
  return { train: train.take(half), valid: rest };
}

/** The next batch with one-hot labels (the int labels are freed). */
function labelled(batches: Generator<Batch>, numClasses: number): LabelledBatch {
  const { value: batch, done } = batches.next();
  if (done) throw new RangeError("ran out of search batches");
  const labels = tf.tidy(() => tf.oneHot(batch.y, numClasses).toFloat() as tf.Tensor2D);
  batch.y.dispose();
  return { x: batch.x, labels };
}

function supernetAccuracy(search: BilevelSearch, subset: Subset, batchSize: number): number {
  const mixing = search.evaluationMixing();
  try {
    return accuracyOf((x) => search.supernet.apply(x, false, mixing), subset, batchSize);
  } finally {
    tf.dispose(CELL_TYPES.map((t) => mixing[t].weights));
  }
}

/**
 * Runs the whole search on `data` (the two halves of the training set), then derives the cell.
 * Throws DivergedError when a loss stops being finite. The supernet is left trained, not disposed.
 */
export async function dartsSearch(
  supernet: DartsSupernet,
  data: { train: Subset; valid: Subset },
  config: DartsSearchConfig,
  callbacks: SearchCallbacks = {},
): Promise<DartsSearchResult> {
  const { epochs, batchSize } = config;
  const numClasses = data.train.info.numClasses;
  const stepsPerEpoch = Math.min(Math.floor(data.train.size / batchSize), Math.floor(data.valid.size / batchSize));
  if (stepsPerEpoch < 1) throw new RangeError(`DARTS search needs at least ${batchSize} examples in each half`);
  const search = new BilevelSearch(supernet, config);
  const shuffle = new Rng(config.seed + 1);
  const start = performance.now();
  const alphaHistory = [alphaSnapshot(supernet, 0)];
  const losses: StepLosses[] = [];
  const records: EpochRecord[] = [];
  try {
    for (let epoch = 0; epoch < epochs; epoch++) {
      const epochStart = performance.now();
      const trainBatches = data.train.batches(batchSize, { rng: shuffle, dropLast: true });
      const validBatches = data.valid.batches(batchSize, { rng: shuffle, dropLast: true });
      const epochLosses: StepLosses[] = [];
      for (let step = 0; step < stepsPerEpoch; step++) {
        const train = labelled(trainBatches, numClasses);
        const valid = labelled(validBatches, numClasses);
        try {
          const { trainLoss, validLoss } = search.step(train, valid, epoch);
          if (!Number.isFinite(trainLoss) || !Number.isFinite(validLoss)) {
            throw new DivergedError(
              `DARTS search diverged at epoch ${epoch + 1}, step ${step + 1}: training loss ${trainLoss}, ` +
                `validation loss ${validLoss}. Lower the weight learning rate (${config.weightLr}) or the alpha learning rate (${config.alphaLr}).`,
            );
          }
          epochLosses.push({ epoch: epoch + 1, step: epoch * stepsPerEpoch + step + 1, trainLoss, validLoss });
        } finally {
          tf.dispose([train.x, train.labels, valid.x, valid.labels]);
        }
        const last = epochLosses[epochLosses.length - 1];
        callbacks.onProgress?.(
          epoch * stepsPerEpoch + step + 1,
          epochs * stepsPerEpoch,
          `epoch ${epoch + 1}/${epochs} train loss ${last.trainLoss.toFixed(3)} valid loss ${last.validLoss.toFixed(3)}`,
        );
        // Lets a notebook's progress display repaint between steps.
        await new Promise((resolve) => setImmediate(resolve));
      }
      trainBatches.return(undefined);
      validBatches.return(undefined);
      losses.push(...epochLosses);
      const snapshot = alphaSnapshot(supernet, epoch + 1);
      alphaHistory.push(snapshot);
      const record: EpochRecord = {
        epoch: epoch + 1,
        weightLr: cosineLr(config, epoch),
        tau: config.gdasTau ? gdasTemperature(epoch, epochs, ...config.gdasTau) : null,
        trainLoss: mean(epochLosses.map((l) => l.trainLoss)),
        validLoss: mean(epochLosses.map((l) => l.validLoss)),
        supernetAccuracy: supernetAccuracy(search, data.valid, batchSize),
        seconds: (performance.now() - epochStart) / 1000,
        genotype: deriveGenotype(snapshot),
      };
      records.push(record);
      callbacks.onEpoch?.(record, snapshot);
    }
  } finally {
    search.dispose();
  }
  return {
    genotype: records.at(-1)?.genotype ?? deriveGenotype(alphaHistory[0]),
    alphaHistory,
    losses,
    epochs: records,
    wallSeconds: (performance.now() - start) / 1000,
  };
}
