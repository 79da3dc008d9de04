/**
 * ENAS (Pham et al., ICML 2018) on any space with a single-path network: alternate
 *   (a) one epoch of the shared weights w, a fresh architecture m ~ pi(m; theta) per minibatch,
 *       one SGD step of L_train(m; w) each (shared-weights.ts);
 *   (b) `controllerSteps` REINFORCE updates of the controller theta, each over
 *       `controller.batchSize` architectures m ~ pi, reward R(m) = the accuracy of m with the
 *       shared weights on one validation minibatch (ENAS's code: 30 steps of 10 architectures).
 * Afterwards `deriveSamples` architectures are drawn from pi and each scored on one validation
 * minibatch; the best is the search's answer (the paper's derivation). `sampler: "uniform"`
 * keeps everything but the learning: architectures drawn uniformly in (a), (b) and the
 * derivation, (b) still scored (same cost, a comparable reward curve) but nothing updated. That
 * is the null model the controller has to beat (Li & Talwalkar 2019).
 * The search is resumable between epochs: `checkpoint()` holds every bit of its state.
 */
import * as tf from "@tensorflow/tfjs";
import { RunStoreError } from "../../core/errors";
import { Rng } from "../../core/random";
import { mean } from "../../core/stats";
import type { Json, ProgressCallback, SearchSpace } from "../../core/types";
import type { Batch, Subset } from "../../data/batches";
import { restoreVariables, snapshotVariables, type TensorSnapshot } from "../../nn/snapshot";
import type { SinglePathNet } from "../../spaces/single-path";
import type { PolicyOptions } from "../controller/policy";
import { ReinforceController, type ReinforceCheckpoint, type ReinforceOptions } from "../controller/reinforce";
import { ENAS_SKIP_PENALTY } from "../controller/skip-penalty";
import { accuracyOnBatch, uniformTokens, type BatchNormMode } from "./scoring";
import { SharedWeightsTrainer, type SharedWeightsConfig } from "./shared-weights";

export type EnasSampler = "controller" | "uniform";

/** The controller's settings: ENAS's code (64 units; the paper says 100), minus the reward, which is the minibatch accuracy. */
export type EnasControllerOptions = PolicyOptions & Omit<ReinforceOptions, "reward" | keyof PolicyOptions>;

/**
 * ENAS's micro-search controller (src/cifar10/main.py and scripts/cifar10_micro_search.sh):
 * one LSTM layer of 64 units (the paper: 100; nasbook uses the code's 64), weights uniform in
 * +-0.1, tanh constant 1.10 with op logits under 1.10 / 2.5, no temperature, Adam 3.5e-3,
 * baseline decay 0.99, entropy weight 1e-4, 10 architectures per update (num_aggregate).
 * ENAS adds the entropy to the reward; nasbook's REINFORCE adds it to the objective (the same
 * gradient up to the baseline's share of it).
 */
export const ENAS_CONTROLLER: EnasControllerOptions = {
  units: 64,
  lstmLayers: 1,
  initRange: 0.1,
  logits: { temperature: null, tanhConstant: 1.1, opTanhReduce: 2.5 },
  learningRate: 3.5e-3,
  baselineDecay: 0.99,
  entropyWeight: 1e-4,
  batchSize: 10,
};

/**
 * ENAS's macro-search controller (src/cifar10/general_controller.py, scripts/cifar10_macro_search.sh):
 * the same LSTM of 64 units, tanh constant 1.5 on every logit (the script passes an op reduce of
 * 2.5, which the macro controller never reads: 1 here), Adam 1e-3, baseline decay 0.99, entropy
 * weight 1e-4, 20 architectures per update (num_aggregate), and the skip penalty (KL to a skip
 * rate of 0.4, weight 0.8).
 */
export const ENAS_MACRO_CONTROLLER: EnasControllerOptions = {
  ...ENAS_CONTROLLER,
  logits: { temperature: null, tanhConstant: 1.5, opTanhReduce: 1 },
  learningRate: 1e-3,
  batchSize: 20,
  skipPenalty: ENAS_SKIP_PENALTY,
};

export interface EnasConfig extends SharedWeightsConfig {
  readonly epochs: number;
  readonly sampler: EnasSampler;
  /** Controller updates after every epoch of shared weights (ENAS: 30). */
  readonly controllerSteps: number;
  readonly controller: EnasControllerOptions;
  /** How architectures are scored on validation minibatches (rewards, derivation). */
  readonly batchNorm: BatchNormMode;
  /** Architectures drawn at the end, each scored on one validation minibatch. */
  readonly deriveSamples: number;
  readonly seed: number;
}

export interface EnasEpochRecord {
  readonly epoch: number;
  readonly weightLr: number;
  /** Mean over the epoch's minibatches, each on its own sampled architecture. */
  readonly trainLoss: number;
  readonly trainAccuracy: number;
  /** Mean reward of this epoch's controller steps (uniform: of the architectures scored in their place); null with none. */
  readonly reward: number | null;
  /** The REINFORCE baseline after the epoch (controller only). */
  readonly baseline: number | null;
  /** Sum over decisions of the entropy (nats) of the epoch's last batch-mean distributions (controller only). */
  readonly entropy: number | null;
  /** Those distributions, [decision][choice] (controller only). */
  readonly probabilities: number[][] | null;
  /** The last few architectures trained this epoch. */
  readonly sampled: number[][];
  readonly seconds: number;
}

export interface EnasDerivation {
  /** The candidates drawn, with their one-minibatch accuracy, in the order drawn. */
  readonly candidates: Array<{ readonly tokens: number[]; readonly accuracy: number }>;
  readonly best: number[];
}

/** What a checkpoint between epochs holds; plain JSON. */
export interface EnasCheckpoint {
  readonly epochsDone: number;
  readonly variables: TensorSnapshot[];
  readonly velocities: TensorSnapshot[];
  readonly rng: number;
  readonly controller: ReinforceCheckpoint | null;
  readonly history: EnasEpochRecord[];
}

const KEPT_SAMPLES = 5;

function entropyOf(probabilities: number[][]): number {
  return probabilities.reduce((sum, row) => sum - row.reduce((s, p) => s + (p > 0 ? p * Math.log(p) : 0), 0), 0);
}

/** The controller's likeliest architecture under an epoch's distributions: each decision's most probable choice (ties: the first). */
export function likeliestTokens(probabilities: readonly (readonly number[])[]): number[] {
  return probabilities.map((row) => row.reduce((best, p, i) => (p > row[best] ? i : best), 0));
}

/** Validation minibatches one after another, reshuffled whenever they run out. */
class MinibatchStream {
  private batches: Generator<Batch>;

  constructor(
    private readonly subset: Subset,
    private readonly batchSize: number,
    private readonly rng: Rng,
  ) {
    if (subset.size < batchSize) throw new RangeError(`ENAS needs a validation set of at least ${batchSize} images, has ${subset.size}`);
    this.batches = subset.batches(batchSize, { rng, dropLast: true });
  }

  /** The next minibatch; the caller disposes it. */
  next(): Batch {
    let item = this.batches.next();
    if (item.done) {
      this.batches = this.subset.batches(this.batchSize, { rng: this.rng, dropLast: true });
      item = this.batches.next();
    }
    return item.value as Batch;
  }

  close(): void {
    this.batches.return(undefined);
  }
}

export class EnasSearch<G extends Json> {
  readonly trainer: SharedWeightsTrainer;
  readonly controller: ReinforceController<G> | null;
  readonly history: EnasEpochRecord[] = [];
  private rng: Rng;

  constructor(
    readonly space: SearchSpace<G>,
    readonly net: SinglePathNet,
    readonly data: { readonly train: Subset; readonly valid: Subset },
    readonly config: EnasConfig,
  ) {
    const rng = new Rng(config.seed);
    this.controller = config.sampler === "controller" ? new ReinforceController(space, rng.seed(), { ...config.controller, reward: () => 0 }) : null;
    this.rng = rng.fork();
    this.trainer = new SharedWeightsTrainer(net, config);
  }

  get epochsDone(): number {
    return this.history.length;
  }

  /** One architecture from the sampler, not to be told. */
  private draw(): number[] {
    return this.controller ? this.controller.draw() : uniformTokens(this.net, (n) => this.rng.int(n));
  }

  /** (a) then (b) for the next epoch; its record. */
  async runEpoch(onProgress?: ProgressCallback): Promise<EnasEpochRecord> {
    const epoch = this.epochsDone;
    const started = performance.now();
    const train = await this.trainEpoch(epoch, onProgress);
    const controller = this.controllerSteps();
    const last = this.controller?.updates.at(-1);
    const record: EnasEpochRecord = {
      epoch: epoch + 1,
      weightLr: this.trainer.learningRate(epoch),
      ...train,
      reward: controller.length > 0 ? mean(controller) : null,
      baseline: last?.baseline ?? null,
      entropy: last ? entropyOf(last.probabilities) : null,
      probabilities: last?.probabilities ?? null,
      seconds: (performance.now() - started) / 1000,
    };
    this.history.push(record);
    return record;
  }

  private async trainEpoch(epoch: number, onProgress?: ProgressCallback): Promise<Pick<EnasEpochRecord, "trainLoss" | "trainAccuracy" | "sampled">> {
    const { batchSize, epochs } = this.config;
    const steps = Math.floor(this.data.train.size / batchSize);
    if (steps < 1) throw new RangeError(`ENAS needs at least ${batchSize} training images, has ${this.data.train.size}`);
    const losses: number[] = [];
    const accuracies: number[] = [];
    const sampled: number[][] = [];
    let step = 0;
    for (const batch of this.data.train.batches(batchSize, { rng: this.rng, dropLast: true })) {
      const tokens = this.draw();
      try {
        const { loss, accuracy } = this.trainer.step(batch, tokens, epoch);
        losses.push(loss);
        accuracies.push(accuracy);
      } finally {
        tf.dispose([batch.x, batch.y]);
      }
      sampled.push(tokens);
      step++;
      onProgress?.(epoch * steps + step, epochs * steps, `epoch ${epoch + 1}/${epochs} shared-weights loss ${losses.at(-1)!.toFixed(3)}`);
      // Lets a notebook's progress display repaint between steps.
      await new Promise((resolve) => setImmediate(resolve));
    }
    return { trainLoss: mean(losses), trainAccuracy: mean(accuracies), sampled: sampled.slice(-KEPT_SAMPLES) };
  }

  /** (b): the epoch's controller updates (uniform: the same scoring, no update); every reward. */
  private controllerSteps(): number[] {
    const { controllerSteps, controller: options, batchSize, batchNorm } = this.config;
    const stream = new MinibatchStream(this.data.valid, batchSize, this.rng);
    const rewards: number[] = [];
    try {
      for (let k = 0; k < controllerSteps * options.batchSize; k++) {
        const candidate = this.controller?.ask();
        const tokens = candidate ? this.space.encode(candidate.genotype) : this.draw();
        const batch = stream.next();
        const reward = accuracyOnBatch(this.net, tokens, batch, batchNorm);
        tf.dispose([batch.x, batch.y]);
        if (candidate) this.controller!.reward(candidate, reward);
        rewards.push(reward);
      }
    } finally {
      stream.close();
    }
    return rewards;
  }

  /** The paper's derivation: `deriveSamples` draws, each scored on one validation minibatch; the best. */
  derive(): EnasDerivation {
    const { deriveSamples, batchSize, batchNorm } = this.config;
    if (!(deriveSamples >= 1)) throw new RangeError(`ENAS deriveSamples must be >= 1, got ${deriveSamples}`);
    const stream = new MinibatchStream(this.data.valid, batchSize, this.rng);
    try {
      const candidates = Array.from({ length: deriveSamples }, () => {
        const tokens = this.draw();
        const batch = stream.next();
        const accuracy = accuracyOnBatch(this.net, tokens, batch, batchNorm);
        tf.dispose([batch.x, batch.y]);
        return { tokens, accuracy };
      });
      const best = candidates.reduce((a, b) => (b.accuracy > a.accuracy ? b : a));
      return { candidates, best: best.tokens };
    } finally {
      stream.close();
    }
  }

  async checkpoint(): Promise<EnasCheckpoint> {
    return {
      epochsDone: this.epochsDone,
      variables: snapshotVariables(this.net.variables()),
      velocities: snapshotVariables(this.trainer.sgd.velocities()),
      rng: this.rng.state,
      controller: this.controller ? await this.controller.checkpoint() : null,
      history: [...this.history],
    };
  }

  /** Puts the search where `checkpoint` left it (a checkpoint of this config's search). */
  async restore(state: EnasCheckpoint): Promise<void> {
    if (!Array.isArray(state.history) || state.history.length !== state.epochsDone) {
      throw new RunStoreError(`ENAS checkpoint: epochsDone ${state.epochsDone} but ${state.history?.length} epoch records.`);
    }
    if ((state.controller === null) !== (this.controller === null)) throw new RunStoreError("ENAS checkpoint: from a search with another sampler.");
    restoreVariables(this.net.variables(), state.variables, "ENAS checkpoint variables");
    restoreVariables(this.trainer.sgd.velocities(), state.velocities, "ENAS checkpoint velocities");
    this.rng = new Rng(state.rng);
    if (this.controller && state.controller) await this.controller.restore(state.controller);
    this.history.splice(0, this.history.length, ...state.history);
  }

  dispose(): void {
    this.trainer.dispose();
    this.controller?.dispose();
  }
}
