/**
 * NAS-RL's search strategy: an LSTM controller (`policy.ts`) trained with REINFORCE.
 * For a batch of m sampled architectures with rewards R_k and baseline b,
 *   loss = -(1/m) sum_k [ (R_k - b) log p(a^k) + beta * H(p(.|a^k)) ],
 * where log p(a^k) sums over the architecture's tokens and beta weights an optional entropy
 * bonus. b is an exponential moving average of past rewards (initialised to the first batch's
 * mean). ENAS's macro controller adds w times each architecture's skip penalty (skip-penalty.ts)
 * to the loss. Works with any space whose `decisions()` describe its tokens.
 */
import * as tf from "@tensorflow/tfjs";
import { Rng } from "../../core/random";
import { mean } from "../../core/stats";
import type { Candidate, Json, Outcome, SearchSpace, Strategy, TrialMetrics } from "../../core/types";
import { Adam, type AdamState } from "../../nn/adam";
import { restoreVariables, snapshotVariables, type TensorSnapshot } from "../../nn/snapshot";
import { ControllerPolicy, NASRL_POLICY, type PolicyOptions } from "./policy";
import { skipPenalty, type SkipPenaltyOptions } from "./skip-penalty";

export interface ReinforceOptions extends PolicyOptions {
  /** Adam step size (paper: 6e-4). */
  readonly learningRate: number;
  /** Architectures per controller update, m. */
  readonly batchSize: number;
  /** b <- decay * b + (1 - decay) * mean batch reward. */
  readonly baselineDecay: number;
  /** Weight beta of the entropy bonus (0: none, as in NAS-RL). */
  readonly entropyWeight: number;
  /** Maps a trained candidate's metrics to its reward; failed candidates get 0. */
  readonly reward: (metrics: TrialMetrics) => number;
  /** ENAS's macro skip penalty added to the loss (skip-penalty.ts); absent: none. */
  readonly skipPenalty?: SkipPenaltyOptions;
}

/**
 * NAS-RL's reward: the best validation accuracy over the last 5 epochs, cubed (cubing spreads
 * out the accuracies near the top, where the search spends its time).
 */
export function nasRlReward(metrics: TrialMetrics): number {
  const history = metrics.validAccuracyHistory.length > 0 ? metrics.validAccuracyHistory : [metrics.validAccuracy];
  return Math.max(...history.slice(-5)) ** 3;
}

/**
 * The paper's controller settings. The paper names no baseline decay or batch size for the CNN
 * search; 0.95 is NASNet's decay and m = 5 a small batch that one machine evaluates in turn.
 */
export const NASRL_CONTROLLER: ReinforceOptions = {
  ...NASRL_POLICY,
  learningRate: 6e-4,
  batchSize: 5,
  baselineDecay: 0.95,
  entropyWeight: 0,
  reward: nasRlReward,
};

/** One controller update, kept for plots (reward curve, per-decision probabilities over time). */
export interface ControllerUpdate {
  /** Architectures told so far, this batch included. */
  readonly told: number;
  readonly rewards: number[];
  /** The baseline the advantages R_k - b were taken against. */
  readonly baseline: number;
  readonly loss: number;
  /** Mean over the batch of the distribution each decision was sampled from (anchors: [no, yes]). */
  readonly probabilities: number[][];
}

/** Everything a controller between updates is, for a checkpoint (no candidate may be pending). */
export interface ReinforceCheckpoint {
  readonly policy: TensorSnapshot[];
  /** Adam's moments and step count (lib/nn/adam.ts: the bias corrections come from the count, so a resume is exact). */
  readonly adam: AdamState;
  readonly rng: number;
  readonly baseline: number | null;
  readonly told: number;
  readonly nextId: number;
  readonly updates: ControllerUpdate[];
}

/** A sampled architecture awaiting its reward: its tokens and what the sampling policy gave them. */
export interface Sampled {
  readonly tokens: number[];
  readonly probabilities: number[][];
  /** log p(tokens) under the policy that sampled them (PPO's old policy). */
  readonly logProb: number;
}

export type Rewarded = Sampled & { readonly reward: number };

export class ReinforceController<G extends Json> implements Strategy<G> {
  readonly name: string = "reinforce";
  readonly options: ReinforceOptions;
  readonly policy: ControllerPolicy;
  /** Every update so far, oldest first. */
  readonly updates: ControllerUpdate[] = [];
  private rng: Rng;
  private readonly adam: Adam;
  private readonly pending = new Map<number, Sampled>();
  private batch: Rewarded[] = [];
  private baseline: number | null = null;
  private told = 0;
  private nextId = 0;

  constructor(
    private readonly space: SearchSpace<G>,
    seed: number,
    options: Partial<ReinforceOptions> = {},
  ) {
    this.options = { ...NASRL_CONTROLLER, ...options };
    if (!Number.isInteger(this.options.batchSize) || this.options.batchSize < 1) {
      throw new RangeError(`ReinforceController batchSize must be a positive integer, got ${this.options.batchSize}`);
    }
    this.rng = new Rng(seed);
    this.policy = new ControllerPolicy(space.decisions(), this.options, this.rng.fork());
    // epsilon 1e-7: tfjs's Adam default, which this controller used before it had its own Adam.
    this.adam = new Adam(this.policy.variables(), { learningRate: this.options.learningRate, betas: [0.9, 0.999], epsilon: 1e-7 });
  }

  /** Samples from the current policy; may be called up to m times (or more) before the tells. */
  ask(): Candidate<G> {
    const { tokens, probabilities, logProb } = this.policy.sample(this.rng);
    const id = this.nextId++;
    this.pending.set(id, { tokens, probabilities, logProb });
    return { id, genotype: this.space.decode(tokens) };
  }

  /** Tokens from the current policy that will not be told (ENAS trains the shared weights on such samples). */
  draw(): number[] {
    return this.policy.sample(this.rng).tokens;
  }

  /**
   * Records the candidate's reward (0 when it failed: the controller learns to avoid what
   * breaks) and updates the policy once m rewards are in. Candidates asked before an update and
   * told after it are scored under the updated policy, as in the paper's asynchronous training.
   */
  tell(candidate: Candidate<G>, outcome: Outcome): void {
    this.reward(candidate, outcome.status === "ok" && outcome.metrics ? this.options.reward(outcome.metrics) : 0);
  }

  /** Tells a reward directly: ENAS's is the shared weights' accuracy on a validation minibatch, no trial trained. */
  reward(candidate: Candidate<G>, reward: number): void {
    const sampled = this.pending.get(candidate.id);
    if (!sampled) throw new RangeError(`ReinforceController.tell: candidate ${candidate.id} was not asked or was already told`);
    this.pending.delete(candidate.id);
    this.told++;
    if (!Number.isFinite(reward)) throw new RangeError(`ReinforceController: reward of candidate ${candidate.id} is ${reward}`);
    this.batch.push({ ...sampled, reward });
    if (this.batch.length === this.options.batchSize) this.update();
  }

  private update(): void {
    const batch = this.batch;
    this.batch = [];
    const rewards = batch.map((s) => s.reward);
    const meanReward = mean(rewards);
    const baseline = this.baseline ?? meanReward;
    const loss = this.optimise(batch, baseline);
    const decay = this.options.baselineDecay;
    this.baseline = decay * baseline + (1 - decay) * meanReward;
    const probabilities = batch[0].probabilities.map((row, k) => row.map((_, c) => mean(batch.map((s) => s.probabilities[k][c]))));
    this.updates.push({ told: this.told, rewards, baseline, loss, probabilities });
  }

  /** One Adam step on the batch's loss; returns the loss. PPO overrides this. */
  protected optimise(batch: readonly Rewarded[], baseline: number): number {
    return this.minimiseOnce(() => this.loss(batch, baseline));
  }

  /** One Adam step on `loss` over the policy's variables; returns the loss before the step. */
  protected minimiseOnce(loss: () => tf.Scalar): number {
    const { value: cost, grads } = tf.variableGrads(loss, this.policy.variables());
    try {
      this.adam.applyGradients(grads);
      return cost.dataSync()[0];
    } finally {
      tf.dispose([cost, ...Object.values(grads)]);
    }
  }

  /** -(1/m) sum_k [(R_k - b) log p(a^k) + beta H_k - w KL_k], taped for the gradient (KL_k: the skip penalty, if any). */
  private loss(batch: readonly Rewarded[], baseline: number): tf.Scalar {
    const { entropyWeight, skipPenalty: penalty } = this.options;
    const { logProb, entropy, skip } = this.policy.score(batch.map((s) => s.tokens));
    const advantages = tf.tensor1d(batch.map((s) => s.reward - baseline));
    const objective = tf.add(tf.mul(logProb, advantages), tf.mul(entropy, entropyWeight));
    const terms = penalty ? tf.sub(objective, tf.mul(skipPenalty(skip, penalty.target), penalty.weight)) : objective;
    return tf.neg(tf.mean(terms)) as tf.Scalar;
  }

  async checkpoint(): Promise<ReinforceCheckpoint> {
    if (this.pending.size > 0 || this.batch.length > 0) throw new RangeError("ReinforceController.checkpoint: candidates are still pending; checkpoint between updates");
    return {
      policy: snapshotVariables(this.policy.variables()),
      adam: this.adam.saveState(),
      rng: this.rng.state,
      baseline: this.baseline,
      told: this.told,
      nextId: this.nextId,
      updates: [...this.updates],
    };
  }

  /** Puts the controller where `checkpoint` found it: policy, Adam's moments, random state, baseline, history. */
  async restore(state: ReinforceCheckpoint): Promise<void> {
    restoreVariables(this.policy.variables(), state.policy, "controller checkpoint policy");
    const adam: unknown = state.adam;
    if (typeof adam !== "object" || adam === null || !Number.isInteger((adam as AdamState).step) || !Array.isArray((adam as AdamState).moments)) {
      throw new RangeError("controller checkpoint adam must be { step, moments } (a checkpoint of an older nasbook: start the run again)");
    }
    this.adam.restoreState(adam as AdamState);
    this.rng = new Rng(state.rng);
    this.baseline = state.baseline;
    this.told = state.told;
    this.nextId = state.nextId;
    this.updates.splice(0, this.updates.length, ...state.updates);
  }

  dispose(): void {
    this.policy.dispose();
    this.adam.dispose();
  }
}

