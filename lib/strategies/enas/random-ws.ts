/**
 * Random search with weight sharing (Li & Talwalkar, UAI 2019), its selection step: once the
 * shared weights are trained with a uniformly sampled architecture per minibatch, draw many
 * architectures uniformly, score each with its inherited weights on a few validation minibatches
 * (the same few for all, so that they are compared on equal terms), and re-rank the best `topK`
 * of them (paper: 10) on the whole validation set; the best of those is the search's answer.
 */
import * as tf from "@tensorflow/tfjs";
import type { Rng } from "../../core/random";
import type { Batch, Subset } from "../../data/batches";
import type { SinglePathNet } from "../../spaces/single-path";
import { accuracyOnBatch, accuracyOnSubset, uniformTokens, type BatchNormMode } from "./scoring";

export interface RandomWsOptions {
  /** Architectures drawn and scored on a few minibatches (paper: 1,000 on CIFAR-10). */
  readonly candidates: number;
  readonly scoreBatches: number;
  /** Re-ranked on the whole validation set (paper: 10). */
  readonly topK: number;
  readonly batchSize: number;
  readonly batchNorm: BatchNormMode;
}

export interface ScoredArchitecture {
  readonly tokens: number[];
  /** Mean accuracy over the few scoring minibatches. */
  readonly quickAccuracy: number;
  /** Accuracy on the whole validation set; null outside the top k. */
  readonly fullAccuracy: number | null;
}

export interface RandomWsSelection {
  /** Every candidate, in the order drawn. */
  readonly scored: ScoredArchitecture[];
  /** The top k by quick accuracy, best full accuracy first. */
  readonly reranked: ScoredArchitecture[];
  readonly best: ScoredArchitecture;
}

/** Scores each architecture on `batches` with its inherited weights: mean accuracy per architecture. */
export function quickScores(net: SinglePathNet, architectures: readonly number[][], batches: readonly Batch[], mode: BatchNormMode): number[] {
  return architectures.map((tokens) => batches.reduce((sum, b) => sum + accuracyOnBatch(net, tokens, b, mode), 0) / batches.length);
}

/** The first `count` minibatches of a seeded shuffle of `valid`; the caller disposes them. */
export function validationBatches(valid: Subset, batchSize: number, count: number, rng: Rng): Batch[] {
  const batches: Batch[] = [];
  const all = valid.batches(batchSize, { rng, dropLast: true });
  for (const batch of all) {
    batches.push(batch);
    if (batches.length === count) break;
  }
  all.return(undefined);
  if (batches.length < count) {
    tf.dispose(batches.flatMap((b) => [b.x, b.y]));
    throw new RangeError(`random-WS needs ${count} validation minibatches of ${batchSize}; the validation set has ${valid.size} images`);
  }
  return batches;
}

/** Keeps the `topK` best by quick accuracy and orders them by `full` (ties: the quicker score first, then drawn order). */
export function rerank(scored: readonly ScoredArchitecture[], topK: number, full: (tokens: readonly number[]) => number): ScoredArchitecture[] {
  const top = [...scored].sort((a, b) => b.quickAccuracy - a.quickAccuracy).slice(0, topK);
  const withFull = top.map((s) => ({ ...s, fullAccuracy: full(s.tokens) }));
  return withFull.sort((a, b) => b.fullAccuracy - a.fullAccuracy || b.quickAccuracy - a.quickAccuracy);
}

export function randomWsSelect(net: SinglePathNet, valid: Subset, options: RandomWsOptions, rng: Rng): RandomWsSelection {
  const { candidates, scoreBatches, topK, batchSize, batchNorm } = options;
  if (!(candidates >= 1 && topK >= 1)) throw new RangeError(`random-WS needs candidates >= 1 and topK >= 1, got ${candidates} and ${topK}`);
  const architectures = Array.from({ length: candidates }, () => uniformTokens(net, (n) => rng.int(n)));
  const batches = validationBatches(valid, batchSize, scoreBatches, rng);
  let quick: number[];
  try {
    quick = quickScores(net, architectures, batches, batchNorm);
  } finally {
    tf.dispose(batches.flatMap((b) => [b.x, b.y]));
  }
  const scored = architectures.map((tokens, i) => ({ tokens, quickAccuracy: quick[i], fullAccuracy: null }));
  const reranked = rerank(scored, topK, (tokens) => accuracyOnSubset(net, tokens, valid, batchSize, batchNorm));
  return { scored, reranked, best: reranked[0] };
}
