/**
 * Bilevel architecture search on a supernet (Liu et al., Algorithm 1): alternate an alpha
 * step on a validation batch and a weight step on a training batch. Weights: SGD with momentum,
 * cosine learning rate, weight decay, gradient clipping. Alphas: Adam. `gdasTau` swaps the
 * softmax relaxation for GDAS's sampled one-op-per-edge paths (relaxation.ts). The supernet may
 * span any cell space (spaces/supernet.ts); the caller says how its alphas become a cell.
 * After every epoch the search can hand out a checkpoint (every variable, both optimisers'
 * state, the shuffle's and the sampler's Rng, the history so far); resumed from it, the search
 * ends exactly where an uninterrupted one does.
 */
import * as tf from "@tensorflow/tfjs";
import { DivergedError, RunStoreError } from "../../core/errors";
import { Rng } from "../../core/random";
import { mean } from "../../core/stats";
import type { ProgressCallback } from "../../core/types";
import { Subset, type Batch } from "../../data/batches";
import { accuracyOf } from "../../evaluators/training";
import { Adam, type AdamState } from "../../nn/adam";
import { restoreVariables, snapshotVariables, type TensorSnapshot } from "../../nn/snapshot";
import { cosineSchedule } from "../../nn/schedule";
import { MomentumSGD } from "../../nn/sgd";
import type { CellType, DartsGenotype } from "../../spaces/darts/genotypes";
import type { DartsSupernet } from "../../spaces/darts/supernet";
import { mapAlphas, type EdgeMixing, type Supernet } from "../../spaces/supernet";
import { deriveGenotype, type EdgeWeights } from "./derive";
import { firstOrderAlphaGradient, secondOrderAlphaGradient, supernetLoss, type LabelledBatch, type MixingSource } from "./hypergradient";
import { GumbelRelaxation, SoftmaxRelaxation, type Relaxation } from "./relaxation";

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

/** softmax(alpha) of every edge of every alpha, by name, after `epoch` epochs (0: at initialisation). */
export type AlphaSnapshot<K extends string> = Record<K, EdgeWeights> & { readonly epoch: number };

/** From a snapshot's op weights to a discrete cell: `deriveGenotype` for DARTS, `deriveNb201Genotype` for NAS-Bench-201. */
export type Derive<K extends string, G> = (weights: Record<K, EdgeWeights>) => G;

export interface StepLosses {
  readonly epoch: number;
  readonly step: number;
  readonly trainLoss: number;
  /** L_val of the alpha step (at w' for second order). */
  readonly validLoss: number;
}

export interface EpochRecord<G> {
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
  readonly genotype: G;
}

export interface SupernetSearchResult<K extends string, G> {
  readonly genotype: G;
  readonly alphaHistory: AlphaSnapshot<K>[];
  readonly losses: StepLosses[];
  readonly epochs: EpochRecord<G>[];
  readonly wallSeconds: number;
}

export type DartsSearchResult = SupernetSearchResult<CellType, DartsGenotype>;

/** The optimisers' and the op sampler's state, which the supernet's variables alone do not fix. */
export interface BilevelState {
  readonly velocities: TensorSnapshot[];
  readonly adam: AdamState;
  /** GDAS's Gumbel draws come from this Rng. */
  readonly sampling: number;
}

/** A search after `epochsDone` epochs: enough to continue it exactly. */
export interface SearchCheckpoint<K extends string, G> {
  readonly epochsDone: number;
  readonly alphaHistory: AlphaSnapshot<K>[];
  readonly losses: StepLosses[];
  readonly epochs: EpochRecord<G>[];
  /** Wall seconds of the search so far, every session counted. */
  readonly seconds: number;
  /** The batch shuffle's Rng. */
  readonly shuffle: number;
  /** supernet.stateVariables(). */
  readonly variables: TensorSnapshot[];
  readonly optimisers: BilevelState;
}

export interface SearchCallbacks<K extends string, G> {
  /** After every step: steps done, steps in all, a one-line status. */
  readonly onProgress?: ProgressCallback;
  /** After every epoch, with the alphas then (for live figures). */
  readonly onEpoch?: (record: EpochRecord<G>, alphas: AlphaSnapshot<K>) => void;
  /** After every epoch, the search's checkpoint (made only when this is given). */
  readonly onCheckpoint?: (checkpoint: SearchCheckpoint<K, G>) => void;
}

/** The weights' learning rate at `epoch`: cosine-annealed per epoch from `weightLr` to `weightLrMin`. */
function weightLr(config: DartsSearchConfig, epoch: number): number {
  return cosineSchedule(config.weightLr, config.weightLrMin, epoch, config.epochs);
}

export function alphaSnapshot<K extends string>(supernet: Supernet<K>, epoch: number): AlphaSnapshot<K> {
  const weights = mapAlphas(supernet.alphas, (alpha) => tf.tidy(() => tf.softmax(alpha as tf.Tensor2D).arraySync() as EdgeWeights));
  return { epoch, ...weights };
}

/** One bilevel step at a time; owns the two optimisers' state and the relaxation. */
export class BilevelSearch<K extends string> {
  readonly relaxation: Relaxation<K>;
  private readonly sgd: MomentumSGD;
  private readonly adam: Adam;
  private readonly sampling: Rng;

  constructor(
    readonly supernet: Supernet<K>,
    readonly config: DartsSearchConfig,
  ) {
    if (config.gdasTau && config.order !== 1) throw new RangeError("GDAS is first order: use order 1 with gdasTau");
    const { momentum, weightDecay, gradClip, alphaLr, alphaBetas } = config;
    this.sgd = new MomentumSGD(supernet.weights(), { momentum, weightDecay, clipNorm: gradClip });
    this.adam = new Adam(supernet.alphaVariables(), { learningRate: alphaLr, betas: alphaBetas, epsilon: 1e-8 });
    this.sampling = new Rng(config.seed);
    this.relaxation = config.gdasTau
      ? new GumbelRelaxation(supernet, config.gdasTau, config.epochs, this.sampling)
      : new SoftmaxRelaxation(supernet);
  }

  saveState(): BilevelState {
    return { velocities: this.sgd.saveState(), adam: this.adam.saveState(), sampling: this.sampling.state };
  }

  restoreState(state: BilevelState): void {
    this.sgd.restoreState(state.velocities);
    this.adam.restoreState(state.adam);
    this.sampling.state = state.sampling;
  }

  /** An alpha step on `valid` and a weight step on `train`, in the relaxation's order, each with its own mixing. */
  step(train: LabelledBatch, valid: LabelledBatch, epoch: number): { trainLoss: number; validLoss: number } {
    const lr = weightLr(this.config, epoch);
    const alphas = () => this.relaxation.during(epoch, (mixing) => this.alphaStep(train, valid, mixing, lr));
    const weights = () => this.relaxation.during(epoch, (mixing) => this.weightStep(train, mixing, lr));
    if (this.relaxation.weightsFirst) {
      const trainLoss = weights();
      return { trainLoss, validLoss: alphas() };
    }
    const validLoss = alphas();
    return { trainLoss: weights(), validLoss };
  }

  private weightStep(train: LabelledBatch, mixing: MixingSource<K>, lr: number): number {
    const loss = this.sgd.minimize(() => supernetLoss(this.supernet, train, mixing), lr);
    const value = loss.dataSync()[0];
    loss.dispose();
    return value;
  }

  private alphaStep(train: LabelledBatch, valid: LabelledBatch, mixing: MixingSource<K>, weightLr: number): number {
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

function supernetAccuracy<K extends string>(search: BilevelSearch<K>, subset: Subset, batchSize: number): number {
  const mixing = search.relaxation.evaluationMixing();
  try {
    return accuracyOf((x) => search.supernet.apply(x, false, mixing), subset, batchSize);
  } finally {
    tf.dispose(Object.values<EdgeMixing>(mixing).map((m) => m.weights));
  }
}

/** The two halves of the training set, as the bilevel problem uses them. */
type SearchData = { readonly train: Subset; readonly valid: Subset };

/** Where an epoch's batches come from: one shuffle for the whole search, so epochs differ. */
interface EpochPlan {
  readonly epoch: number;
  readonly stepsPerEpoch: number;
  readonly shuffle: Rng;
  readonly onProgress?: ProgressCallback;
}

/** One pass over both halves, a bilevel step per pair of batches; the losses of every step. */
async function searchEpoch<K extends string>(search: BilevelSearch<K>, data: SearchData, plan: EpochPlan): Promise<StepLosses[]> {
  const { epochs, batchSize, weightLr, alphaLr } = search.config;
  const { epoch, stepsPerEpoch, shuffle } = plan;
  const numClasses = data.train.info.numClasses;
  const trainBatches = data.train.batches(batchSize, { rng: shuffle, dropLast: true });
  const validBatches = data.valid.batches(batchSize, { rng: shuffle, dropLast: true });
  const losses: StepLosses[] = [];
  try {
    for (let step = epoch * stepsPerEpoch + 1; step <= (epoch + 1) * stepsPerEpoch; step++) {
      const train = labelled(trainBatches, numClasses);
      const valid = labelled(validBatches, numClasses);
      let trainLoss: number;
      let validLoss: number;
      try {
        ({ trainLoss, validLoss } = search.step(train, valid, epoch));
      } finally {
        tf.dispose([train.x, train.labels, valid.x, valid.labels]);
      }
      if (!Number.isFinite(trainLoss) || !Number.isFinite(validLoss)) {
        throw new DivergedError(
          `DARTS search diverged at epoch ${epoch + 1}, step ${step - epoch * stepsPerEpoch}: training loss ${trainLoss}, ` +
            `validation loss ${validLoss}. Lower the weight learning rate (${weightLr}) or the alpha learning rate (${alphaLr}).`,
        );
      }
      losses.push({ epoch: epoch + 1, step, trainLoss, validLoss });
      const status = `epoch ${epoch + 1}/${epochs} train loss ${trainLoss.toFixed(3)} valid loss ${validLoss.toFixed(3)}`;
      plan.onProgress?.(step, epochs * stepsPerEpoch, status);
      // Lets a notebook's progress display repaint between steps.
      await new Promise((resolve) => setImmediate(resolve));
    }
  } finally {
    trainBatches.return(undefined);
    validBatches.return(undefined);
  }
  return losses;
}

/** Where an epoch's record comes from. */
interface EpochOutcome<K extends string> {
  readonly losses: StepLosses[];
  readonly alphas: AlphaSnapshot<K>;
  readonly started: number;
}

/** What an epoch leaves: its mean losses, the supernet's accuracy and the cell its alphas give. */
function epochRecord<K extends string, G>(search: BilevelSearch<K>, data: SearchData, derive: Derive<K, G>, outcome: EpochOutcome<K>): EpochRecord<G> {
  const { losses, alphas, started } = outcome;
  const epoch = alphas.epoch - 1;
  return {
    epoch: alphas.epoch,
    weightLr: weightLr(search.config, epoch),
    tau: search.relaxation.temperature(epoch),
    trainLoss: mean(losses.map((l) => l.trainLoss)),
    validLoss: mean(losses.map((l) => l.validLoss)),
    supernetAccuracy: supernetAccuracy(search, data.valid, search.config.batchSize),
    seconds: (performance.now() - started) / 1000,
    genotype: derive(alphas),
  };
}

/** Puts a fresh search and its supernet back where `checkpoint` left them. */
function restoreSearch<K extends string, G>(search: BilevelSearch<K>, shuffle: Rng, checkpoint: SearchCheckpoint<K, G>): void {
  if (checkpoint.epochsDone > search.config.epochs) {
    throw new RunStoreError(`the checkpoint is after epoch ${checkpoint.epochsDone}, but the search has ${search.config.epochs} epochs`);
  }
  restoreVariables(search.supernet.stateVariables(), checkpoint.variables, "variables");
  search.restoreState(checkpoint.optimisers);
  shuffle.state = checkpoint.shuffle;
}

/**
 * Runs the whole search on `data` (the two halves of the training set), deriving the cell after
 * every epoch by `derive`; from `resume`'s epoch on when given (a checkpoint of the same search).
 * Throws DivergedError when a loss stops being finite. The supernet is left trained, not disposed.
 */
export async function supernetSearch<K extends string, G>(
  supernet: Supernet<K>,
  data: SearchData,
  config: DartsSearchConfig,
  derive: Derive<K, G>,
  callbacks: SearchCallbacks<K, G> = {},
  resume?: SearchCheckpoint<K, G>,
): Promise<SupernetSearchResult<K, G>> {
  const { epochs, batchSize } = config;
  const stepsPerEpoch = Math.min(Math.floor(data.train.size / batchSize), Math.floor(data.valid.size / batchSize));
  if (stepsPerEpoch < 1) throw new RangeError(`DARTS search needs at least ${batchSize} examples in each half`);
  const search = new BilevelSearch(supernet, config);
  const shuffle = new Rng(config.seed + 1);
  const start = performance.now();
  const earlier = resume?.seconds ?? 0;
  const alphaHistory = resume ? [...resume.alphaHistory] : [alphaSnapshot(supernet, 0)];
  const losses: StepLosses[] = resume ? [...resume.losses] : [];
  const records: EpochRecord<G>[] = resume ? [...resume.epochs] : [];
  try {
    if (resume) restoreSearch(search, shuffle, resume);
    for (let epoch = resume?.epochsDone ?? 0; epoch < epochs; epoch++) {
      const started = performance.now();
      const epochLosses = await searchEpoch(search, data, { epoch, stepsPerEpoch, shuffle, onProgress: callbacks.onProgress });
      losses.push(...epochLosses);
      const snapshot = alphaSnapshot(supernet, epoch + 1);
      alphaHistory.push(snapshot);
      const record = epochRecord(search, data, derive, { losses: epochLosses, alphas: snapshot, started });
      records.push(record);
      callbacks.onEpoch?.(record, snapshot);
      callbacks.onCheckpoint?.({
        epochsDone: epoch + 1,
        alphaHistory: [...alphaHistory],
        losses: [...losses],
        epochs: [...records],
        seconds: earlier + (performance.now() - start) / 1000,
        shuffle: shuffle.state,
        variables: snapshotVariables(supernet.stateVariables()),
        optimisers: search.saveState(),
      });
    }
  } finally {
    search.dispose();
  }
  return {
    genotype: records.at(-1)?.genotype ?? derive(alphaHistory[0]),
    alphaHistory,
    losses,
    epochs: records,
    wallSeconds: earlier + (performance.now() - start) / 1000,
  };
}

/** The search on the DARTS cell space, deriving DARTS genotypes. */
export function dartsSearch(
  supernet: DartsSupernet,
  data: SearchData,
  config: DartsSearchConfig,
  callbacks: SearchCallbacks<CellType, DartsGenotype> = {},
): Promise<DartsSearchResult> {
  return supernetSearch(supernet, data, config, deriveGenotype, callbacks);
}
