/**
 * NAO's step in the continuous space (section 3.4): from an architecture's embedding h, go up
 * the predictor,
 *   h' = h + lambda * df/dh,
 * and decode h'. The decoder attends over the encoder states, so they move too: every s_t moves
 * by the same lambda * df/dh, which keeps h' = mean_t s'_t (NAO's code moves the states by their
 * own gradient, which is df/dh / T each: the same direction). The gradient is taken once; each
 * lambda is a point further along it, which is how the search raises lambda until the decoded
 * architectures are new.
 */
import * as tf from "@tensorflow/tfjs";
import type { NaoModel } from "./model";

/** One architecture moved by one lambda. */
export interface MovedArchitecture {
  readonly lambda: number;
  /** The decoded local tokens (in the grammar; the space still has to accept them). */
  readonly tokens: number[];
  /** f(h'): the predictor's score of the moved embedding. */
  readonly predicted: number;
  /** h' itself (for plots of the path). */
  readonly embedding: number[];
}

export interface MoveResult {
  /** f(h) before the move, per architecture. */
  readonly predicted: number[];
  /** h before the move, per architecture. */
  readonly embeddings: number[][];
  /** moves[i][j]: architecture i moved by lambdas[j]. */
  readonly moves: MovedArchitecture[][];
}

/** Moves every architecture of `tokens` by each of `lambdas` along df/dh and decodes. */
export function moveAlongPredictor(model: NaoModel, tokens: readonly (readonly number[])[], lambdas: readonly number[]): MoveResult {
  const encoding = tf.tidy(() => model.encode(tokens));
  const gradient = tf.tidy(() => tf.grad((h) => tf.sum(model.predictor.predict(h as tf.Tensor2D)))(encoding.embedding) as tf.Tensor2D);
  try {
    const moves: MovedArchitecture[][] = tokens.map(() => []);
    for (const lambda of lambdas) {
      const step = tf.tidy(() => tf.mul(gradient, lambda) as tf.Tensor2D);
      const moved = tf.tidy(() => ({ states: tf.add(encoding.states, tf.expandDims(step, 1)) as tf.Tensor3D, embedding: tf.add(encoding.embedding, step) as tf.Tensor2D }));
      const decoded = model.decoder.decode(moved);
      const predicted = tf.tidy(() => Array.from(model.predictor.predict(moved.embedding).dataSync()));
      const embeddings = moved.embedding.arraySync();
      tf.dispose([step, moved.states, moved.embedding]);
      decoded.forEach((row, i) => moves[i].push({ lambda, tokens: row, predicted: predicted[i], embedding: embeddings[i] }));
    }
    const predicted = tf.tidy(() => Array.from(model.predictor.predict(encoding.embedding).dataSync()));
    return { predicted, embeddings: encoding.embedding.arraySync(), moves };
  } finally {
    tf.dispose([encoding.states, encoding.embedding, gradient]);
  }
}
