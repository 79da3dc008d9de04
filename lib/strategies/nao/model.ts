/**
 * The three parts of NAO trained together (Luo et al. 2018, section 3.4). For architectures x
 * with accuracies y (min-max normalised to [0, 1] over the training set, as NAO's code does),
 *   L = alpha * (1/B) sum_i (f(E(x_i)) - y_i)^2  +  (1 - alpha) * (1/(B T)) sum_i sum_t -log P_D(x_i,t | E(x_i), x_i,<t),
 * with alpha = 0.8, minimised by Adam (lr 1e-3) over shuffled minibatches. The reconstruction
 * term keeps the embedding decodable; the prediction term shapes it so that f can be climbed.
 */
import * as tf from "@tensorflow/tfjs";
import { Rng } from "../../core/random";
import type { Decision } from "../../core/types";
import { Decoder } from "./decoder";
import { Encoder, type Encoding } from "./encoder";
import { Predictor } from "./predictor";
import { Vocabulary } from "./vocabulary";

export interface NaoModelOptions {
  /** Token embedding size (paper: 48). */
  readonly embeddingSize: number;
  /** Encoder and decoder LSTM units, also the architecture embedding's size (paper: 96). */
  readonly hiddenSize: number;
  /** Predictor hidden layers and their units (paper: 3 of 200). */
  readonly predictorLayers: number;
  readonly predictorUnits: number;
  /** alpha, the prediction term's weight (paper: 0.8; reconstruction gets 1 - alpha). */
  readonly tradeoff: number;
  /** Adam step size (paper: 1e-3). */
  readonly learningRate: number;
  /** LSTM and embedding weights start uniform in [-initRange, initRange]. */
  readonly initRange: number;
}

export const NAO_PAPER_MODEL: NaoModelOptions = {
  embeddingSize: 48,
  hiddenSize: 96,
  predictorLayers: 3,
  predictorUnits: 200,
  tradeoff: 0.8,
  learningRate: 1e-3,
  initRange: 0.1,
};

/** One pass over the training pairs: the mean of each term over its minibatches. */
export interface EpochLoss {
  readonly total: number;
  readonly mse: number;
  readonly nll: number;
}

/** y -> (y - min) / (max - min); all 0.5 when every y is the same (nothing to rank). */
export function minMaxNormalise(values: readonly number[]): number[] {
  const low = Math.min(...values);
  const high = Math.max(...values);
  return values.map((v) => (high > low ? (v - low) / (high - low) : 0.5));
}

export class NaoModel {
  readonly vocabulary: Vocabulary;
  readonly options: NaoModelOptions;
  readonly encoder: Encoder;
  readonly predictor: Predictor;
  readonly decoder: Decoder;
  private readonly optimizer: tf.Optimizer;

  constructor(decisions: readonly Decision[], options: Partial<NaoModelOptions>, rng: Rng) {
    this.options = { ...NAO_PAPER_MODEL, ...options };
    const { embeddingSize, hiddenSize, initRange } = this.options;
    this.vocabulary = new Vocabulary(decisions);
    this.encoder = new Encoder(this.vocabulary.size, embeddingSize, hiddenSize, initRange, rng);
    this.predictor = new Predictor(hiddenSize, this.options.predictorLayers, this.options.predictorUnits, rng);
    this.decoder = new Decoder(this.vocabulary, embeddingSize, hiddenSize, initRange, rng);
    this.optimizer = tf.train.adam(this.options.learningRate);
  }

  /** `tokens` (a space's local tokens, one row per architecture) as a [B, T] id tensor. */
  ids(tokens: readonly (readonly number[])[]): tf.Tensor2D {
    return tf.tensor2d(tokens.map((row) => this.vocabulary.ids(row)), [tokens.length, this.vocabulary.length], "int32");
  }

  encode(tokens: readonly (readonly number[])[]): Encoding {
    return this.encoder.encode(this.ids(tokens));
  }

  /**
   * `epochs` passes over (tokens, accuracies) in minibatches of `batchSize`, shuffled by `rng`;
   * accuracies are min-max normalised first. Returns each epoch's loss.
   */
  train(tokens: readonly (readonly number[])[], accuracies: readonly number[], epochs: number, batchSize: number, rng: Rng): EpochLoss[] {
    if (tokens.length !== accuracies.length || tokens.length === 0) {
      throw new RangeError(`NaoModel.train needs as many accuracies as architectures (at least one), got ${tokens.length} and ${accuracies.length}`);
    }
    const targets = minMaxNormalise(accuracies);
    const order = tokens.map((_, i) => i);
    const history: EpochLoss[] = [];
    for (let epoch = 0; epoch < epochs; epoch++) {
      rng.shuffle(order);
      const sums = { total: 0, mse: 0, nll: 0 };
      let batches = 0;
      for (let from = 0; from < order.length; from += batchSize) {
        const batch = order.slice(from, from + batchSize);
        const [mse, nll] = this.step(batch.map((i) => tokens[i]), batch.map((i) => targets[i]));
        sums.mse += mse;
        sums.nll += nll;
        sums.total += this.options.tradeoff * mse + (1 - this.options.tradeoff) * nll;
        batches++;
      }
      history.push({ total: sums.total / batches, mse: sums.mse / batches, nll: sums.nll / batches });
    }
    return history;
  }

  /** One Adam step on one minibatch; returns its [MSE, NLL]. */
  private step(tokens: readonly (readonly number[])[], targets: readonly number[]): number[] {
    let parts: tf.Scalar[] = [];
    tf.tidy(() => {
      const ids = this.ids(tokens);
      const y = tf.tensor1d([...targets]);
      this.optimizer.minimize(() => {
        // Kept past the tape's own tidy, to be read once the step is taken.
        parts = this.loss(ids, y).map((p) => tf.keep(p));
        return tf.add(tf.mul(parts[0], this.options.tradeoff), tf.mul(parts[1], 1 - this.options.tradeoff)) as tf.Scalar;
      }, false, this.variables());
    });
    const values = parts.map((p) => p.dataSync()[0]);
    tf.dispose(parts);
    return values;
  }

  /** [MSE of f, NLL of the reconstruction] on one batch, taped. */
  private loss(ids: tf.Tensor2D, targets: tf.Tensor1D): tf.Scalar[] {
    const encoding = this.encoder.encode(ids);
    const mse = tf.mean(tf.square(tf.sub(this.predictor.predict(encoding.embedding), targets))) as tf.Scalar;
    const logProbs = this.decoder.logProbs(encoding, ids);
    const perPosition = logProbs.map((logp, t) => {
      const local = tf.sub(tf.reshape(tf.slice(ids, [0, t], [-1, 1]), [-1]), tf.scalar(this.vocabulary.offsets[t], "int32")) as tf.Tensor1D;
      return tf.neg(tf.mean(tf.sum(tf.mul(logp, tf.oneHot(local, this.vocabulary.choices[t])), 1))) as tf.Scalar;
    });
    return [mse, tf.div(tf.addN(perPosition), perPosition.length) as tf.Scalar];
  }

  /** f(E(x)) for each architecture: the predicted normalised accuracy. */
  predict(tokens: readonly (readonly number[])[]): number[] {
    return tf.tidy(() => Array.from(this.predictor.predict(this.encode(tokens).embedding).dataSync()));
  }

  /** D(E(x)): each architecture encoded and decoded again, greedily. */
  reconstruct(tokens: readonly (readonly number[])[]): number[][] {
    const encoding = tf.tidy(() => this.encode(tokens));
    try {
      return this.decoder.decode(encoding);
    } finally {
      tf.dispose([encoding.states, encoding.embedding]);
    }
  }

  /** h = E(x) for each architecture, as rows of numbers (for plots). */
  embed(tokens: readonly (readonly number[])[]): number[][] {
    return tf.tidy(() => this.encode(tokens).embedding.arraySync());
  }

  variables(): tf.Variable[] {
    return [...this.encoder.variables(), ...this.predictor.variables(), ...this.decoder.variables()];
  }

  dispose(): void {
    for (const v of this.variables()) v.dispose();
    this.optimizer.dispose();
  }
}
