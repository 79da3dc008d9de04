/**
 * NAO's encoder (Luo et al. 2018, section 3.1): token ids x_1..x_T are embedded (size 48) and run
 * through an LSTM (96 units); its outputs s_1..s_T are kept for the decoder's attention, and
 * their mean is the architecture's embedding
 *   h = (1/T) sum_t s_t,
 * the continuous point the predictor scores and the gradient step moves.
 */
import * as tf from "@tensorflow/tfjs";
import type { Rng } from "../../core/random";
import { StackedLstm, uniformVariable, type LstmState } from "../controller/lstm";

/** A batch of B encoded sequences of length T (a type, not an interface, so tf.tidy can return it). */
export type Encoding = {
  /** s_t for every sequence: [B, T, hidden]. */
  readonly states: tf.Tensor3D;
  /** h = mean_t s_t: [B, hidden]. */
  readonly embedding: tf.Tensor2D;
};

export class Encoder {
  /** [vocabulary, embeddingSize]. */
  readonly tokenEmbedding: tf.Variable;
  readonly lstm: StackedLstm;

  constructor(vocabulary: number, embeddingSize: number, hiddenSize: number, initRange: number, rng: Rng) {
    this.tokenEmbedding = uniformVariable([vocabulary, embeddingSize], initRange, rng);
    this.lstm = new StackedLstm(embeddingSize, hiddenSize, 1, initRange, rng);
  }

  /** `ids`: [B, T] vocabulary ids. */
  encode(ids: tf.Tensor2D): Encoding {
    const [batch, length] = ids.shape;
    let state: LstmState = this.lstm.zeroState(batch);
    const states: tf.Tensor2D[] = [];
    for (let t = 0; t < length; t++) {
      const x = tf.gather(this.tokenEmbedding, tf.reshape(tf.slice(ids, [0, t], [-1, 1]), [-1])) as tf.Tensor2D;
      const step = this.lstm.step(x, state);
      state = step.state;
      states.push(step.output);
    }
    const stacked = tf.stack(states, 1) as tf.Tensor3D;
    return { states: stacked, embedding: tf.mean(stacked, 1) as tf.Tensor2D };
  }

  variables(): tf.Variable[] {
    return [this.tokenEmbedding, ...this.lstm.variables()];
  }
}
