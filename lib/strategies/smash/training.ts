/**
 * Training SMASH's HyperNet (Brock et al. 2018, section 3): every minibatch draws a new random
 * architecture, the HyperNet generates its weights inside the tape, and one SGD step moves the
 * HyperNet and the directly learned weights to lower that architecture's training loss. Over
 * many steps H learns weights that are good for every architecture at once. The same for any
 * space: NAS-Bench-201's cells (generated-network.ts) or SMASH's memory-bank networks
 * (generated-bank-network.ts).
 *
 * Optimiser: nasbook's momentum SGD with a cosine learning rate over all steps (the paper uses
 * Adam). Every epoch draws its batch order and its architectures from a generator seeded by the
 * run's seed and the epoch alone, so a run resumed from a checkpoint at an epoch's end repeats
 * exactly what the uninterrupted run does.
 */
import * as tf from "@tensorflow/tfjs";
import { DivergedError } from "../../core/errors";
import { Rng } from "../../core/random";
import type { ProgressCallback } from "../../core/types";
import type { Subset } from "../../data/batches";
import { cosineSchedule } from "../../nn/schedule";
import { MomentumSGD } from "../../nn/sgd";
import { restoreVariables, snapshotVariables } from "../../nn/snapshot";
import type { Json, SearchSpace } from "../../core/types";
import { CHECKPOINT_FORMAT, CheckpointError, validateHistory, type HyperNetCheckpoint, type HyperNetEpoch } from "./checkpoint";
import { softmaxCrossEntropy } from "../../nn/losses";

/** A main network whose weights (some of them) a HyperNet generates per architecture of its space. */
export interface HyperNetModel<G extends Json> {
  /** Draws the architectures trained and scored, and names them. */
  readonly space: Pick<SearchSpace<G>, "sample" | "describe">;
  /** Logits of `genotype` with generated weights, generated inside this call (a tape around it reaches the HyperNet). */
  apply(x: tf.Tensor4D, genotype: G): tf.Tensor2D;
  readonly trainableVariables: tf.Variable[];
  /** Every variable, in a fixed order. */
  variables(): tf.Variable[];
}

export interface HyperNetTrainingConfig {
  readonly epochs: number;
  readonly batchSize: number;
  /** Peak learning rate, cosine-annealed to 0 over every step. */
  readonly learningRate: number;
  readonly momentum: number;
  /** L2 on every weight matrix and kernel, the HyperNet's included. */
  readonly weightDecay: number;
  /** Global gradient-norm clip. */
  readonly gradClip: number;
  readonly seed: number;
}

/** The seed of one epoch's generator: fixed by the run's seed and the epoch, whatever ran before. */
function epochSeed(seed: number, epoch: number): number {
  return (Math.imul(seed + 1, 2654435761) + Math.imul(epoch + 1, 40503)) >>> 1;
}

export class HyperNetTraining<G extends Json> {
  private readonly sgd: MomentumSGD;
  readonly history: HyperNetEpoch[] = [];

  constructor(
    readonly network: HyperNetModel<G>,
    readonly config: HyperNetTrainingConfig,
  ) {
    const { momentum, weightDecay, gradClip } = config;
    this.sgd = new MomentumSGD(network.trainableVariables, { momentum, weightDecay, clipNorm: gradClip });
  }

  get done(): boolean {
    return this.history.length >= this.config.epochs;
  }

  private stepsPerEpoch(train: Subset): number {
    const steps = Math.floor(train.size / this.config.batchSize);
    if (steps < 1) throw new RangeError(`HyperNet training needs at least ${this.config.batchSize} training images, has ${train.size}`);
    return steps;
  }

  /** One epoch: a new random architecture per minibatch. */
  async trainEpoch(train: Subset, onProgress?: ProgressCallback): Promise<HyperNetEpoch> {
    const { epochs, batchSize, learningRate, seed } = this.config;
    const epoch = this.history.length;
    const steps = this.stepsPerEpoch(train);
    const rng = new Rng(epochSeed(seed, epoch));
    const architectures = rng.fork();
    const started = performance.now();
    let lossSum = 0;
    let step = 0;
    for (const batch of train.batches(batchSize, { rng: rng.fork(), dropLast: true })) {
      const genotype = this.network.space.sample(architectures);
      const lr = cosineSchedule(learningRate, 0, epoch * steps + step, epochs * steps);
      const labels = tf.tidy(() => tf.oneHot(batch.y, train.info.numClasses));
      let value: number;
      try {
        const loss = this.sgd.minimize(() => softmaxCrossEntropy(labels, this.network.apply(batch.x, genotype)), lr);
        value = loss.dataSync()[0];
        loss.dispose();
      } finally {
        tf.dispose([labels, batch.x, batch.y]);
      }
      if (!Number.isFinite(value)) throw new DivergedError(`HyperNet training diverged at epoch ${epoch + 1}, step ${step + 1}: loss ${value}. Lower the learning rate (${learningRate}).`);
      lossSum += value;
      step++;
      onProgress?.(epoch * steps + step, epochs * steps, `HyperNet epoch ${epoch + 1}/${epochs} loss ${value.toFixed(3)}`);
      // Lets a notebook's progress display repaint between steps.
      await new Promise((resolve) => setImmediate(resolve));
    }
    const record = { epoch: epoch + 1, loss: lossSum / steps, seconds: (performance.now() - started) / 1000 };
    this.history.push(record);
    return record;
  }

  checkpoint(): HyperNetCheckpoint {
    return {
      format: CHECKPOINT_FORMAT,
      history: [...this.history],
      variables: snapshotVariables(this.network.variables()),
      velocities: snapshotVariables(this.sgd.velocities()),
    };
  }

  /** Reads a checkpoint of the same network and config back in (a fresh training only). */
  restore(checkpoint: unknown): void {
    if (this.history.length > 0) throw new CheckpointError("a checkpoint restores into a fresh HyperNet training only");
    if (typeof checkpoint !== "object" || checkpoint === null || (checkpoint as { format?: unknown }).format !== CHECKPOINT_FORMAT) {
      throw new CheckpointError(`checkpoint format must be ${CHECKPOINT_FORMAT}`);
    }
    const { history, variables, velocities } = checkpoint as Record<string, unknown>;
    const epochs = validateHistory(history);
    if (epochs.length > this.config.epochs) throw new CheckpointError(`checkpoint has ${epochs.length} epochs, the training only ${this.config.epochs}`);
    restoreVariables(this.network.variables(), variables, "checkpoint variables");
    restoreVariables(this.sgd.velocities(), velocities, "checkpoint velocities");
    this.history.push(...epochs);
  }

  dispose(): void {
    this.sgd.dispose();
  }
}
