/**
 * The triad every method is written against: a search space (what can be built), a strategy
 * (how to choose) and an evaluator (how good a choice is). One-shot methods run their own loop
 * but still report `TrialRecord`s, so every run directory reads the same.
 */
import type * as tf from "@tensorflow/tfjs";
import type { Rng } from "./random";

/** Plain JSON data: what a genotype must be, so it can be stored, diffed and validated. */
export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** Height, width, channels of one input image. */
export type ImageShape = readonly [number, number, number];

/**
 * One position of a space's token sequence. Controllers (NAS-RL, NASNet, ENAS) emit one token
 * per decision; NAO encodes and decodes the same sequences.
 * `kind: "anchor"` marks a yes/no skip decision from layer `from` into layer `layer` (NAS-RL's
 * attention anchors); everything else is an ordinary softmax over `choices` values.
 */
export interface Decision {
  readonly name: string;
  readonly choices: number;
  readonly kind?: "categorical" | "anchor";
  readonly layer?: number;
  readonly from?: number;
  /** What a categorical decision picks: ENAS's controller squashes op logits harder than input logits. */
  readonly picks?: "op" | "input";
}

export interface BuildOptions {
  /** Multiplies every channel count (a cheaper, lower-fidelity network below 1). */
  readonly widthMultiplier?: number;
}

/** A trainable network built from a genotype: logits out, variables exposed for optimisers. */
export interface Network {
  /** Logits [batch, classes]. `training` switches BatchNorm to batch statistics (and updates its running ones). */
  apply(x: tf.Tensor4D, training: boolean): tf.Tensor2D;
  readonly trainableVariables: tf.Variable[];
  /** Number of trainable scalars. */
  paramCount(): number;
  /** Multiply-accumulates for one image's forward pass. */
  macs(): number;
  dispose(): void;
}

export interface SearchSpace<G extends Json> {
  readonly name: string;
  /** A uniformly random genotype. */
  sample(rng: Rng): G;
  /** A small random change (evolution); may return an equal genotype only if the space has one point. */
  mutate(genotype: G, rng: Rng): G;
  /** Checks untrusted data (JSON from disk, a controller's output); throws GenotypeError naming the field. */
  validate(value: unknown): G;
  /** The token grammar: position i takes an integer in [0, decisions()[i].choices). */
  decisions(): Decision[];
  encode(genotype: G): number[];
  decode(tokens: readonly number[]): G;
  /** One or a few lines of text for logs and tables. */
  describe(genotype: G): string;
  /**
   * A freshly initialised network (weights seeded from `rng`). A space that cannot scale its
   * width throws on a `widthMultiplier` other than 1 rather than ignore it.
   */
  build(genotype: G, input: ImageShape, numClasses: number, rng: Rng, options?: BuildOptions): Network;
}

/**
 * A space small enough to tabulate (NAS-Bench-201's cell): every genotype has a string form,
 * and genotypes that compute the same function share a canonical key, so a benchmark table
 * keeps one entry per class.
 */
export interface TabulatedSpace<G extends Json> extends SearchSpace<G> {
  toArch(genotype: G): string;
  /** Parses and validates a string form; throws GenotypeError naming what is wrong. */
  fromArch(arch: string): G;
  canonicalKey(genotype: G): string;
  /** One representative of every class, in a fixed order: what a benchmark trains. */
  uniqueGenotypes(): G[];
}

/** How much training one evaluation buys: fewer epochs, a data subset or a narrower net are cheaper. */
export interface Fidelity {
  readonly epochs: number;
  readonly batchSize: number;
  /** Train on only this many training examples (all when absent). */
  readonly trainSubset?: number;
  /** Multiplies every channel count in the built network (1 when absent). */
  readonly widthMultiplier?: number;
}

export interface TrialMetrics {
  validAccuracy: number;
  /** Validation accuracy after each epoch (NAS-RL rewards the best of the last few). */
  validAccuracyHistory: number[];
  params: number;
  /** Floating-point operations (2 x multiply-accumulates) of one image's forward pass. */
  flops: number;
  /** Median milliseconds of a forward pass on one image, measured on the active backend. */
  latencyMs: number;
  trainSeconds: number;
}

export type TrialStatus = "ok" | "failed";

/** One line of `trials.jsonl`. */
export interface TrialRecord<G extends Json = Json> {
  id: number;
  genotype: G;
  status: TrialStatus;
  metrics?: TrialMetrics;
  seconds: number;
  error?: string;
}

/** What a multi-trial strategy proposes; `id` is the trial id, in ask order from 0. */
export interface Candidate<G extends Json> {
  readonly id: number;
  readonly genotype: G;
}

/** The result a strategy is told: `metrics` absent means the candidate failed. */
export interface Outcome {
  readonly status: TrialStatus;
  readonly metrics?: TrialMetrics;
}

/**
 * Ask/tell, as in Optuna or Nevergrad. A strategy is deterministic given its seed and the
 * sequence of tells, which is what makes resuming a run exact: replaying the stored trials
 * through ask/tell puts the strategy back where it stopped.
 */
export interface Strategy<G extends Json> {
  readonly name: string;
  ask(): Candidate<G>;
  tell(candidate: Candidate<G>, outcome: Outcome): void;
}

/** Reports progress of long work: `done` of `total` units, with a short status text. */
/** `done` of `total` units of work; a total of 0 means the total is not known. */
export type ProgressCallback = (done: number, total: number, text?: string) => void;

export interface EvaluationContext {
  readonly seed: number;
  /** The trial's id when the evaluation is one of a run's trials (a queue names its job after it). */
  readonly trial?: number;
  readonly onProgress?: ProgressCallback;
}

export interface Evaluator<G extends Json> {
  evaluate(genotype: G, context: EvaluationContext): Promise<TrialMetrics>;
}
