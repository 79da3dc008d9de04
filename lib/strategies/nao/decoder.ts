/**
 * NAO's decoder (section 3.3): an LSTM that starts from the embedding (h_0 = c_0 = h, as NAO's
 * code does) and emits the sequence one position at a time. At step t its output o_t attends
 * over the encoder states s_1..s_T (Luong's dot attention, NAO's choice):
 *   a_t = softmax_s(o_t . s_s),   m_t = sum_s a_t,s s_s,   z_t = tanh(W [m_t; o_t]),
 * and position t's log-probabilities are a log-softmax of V z_t over that position's ids only.
 * Training feeds the true previous token (teacher forcing); decoding feeds its own argmax.
 */
import * as tf from "@tensorflow/tfjs";
import type { Rng } from "../../core/random";
import { Dense } from "../../nn/layers";
import { StackedLstm, uniformVariable, type LstmState } from "../controller/lstm";
import type { Encoding } from "./encoder";
import type { Vocabulary } from "./vocabulary";

export class Decoder {
  /** [vocabulary, embeddingSize]: the previous token's embedding is the next input. */
  readonly tokenEmbedding: tf.Variable;
  /** The first step's input, learned. */
  readonly start: tf.Variable;
  readonly lstm: StackedLstm;
  /** W: [m_t; o_t] -> z_t. */
  readonly combine: Dense;
  /** V: z_t -> a score per vocabulary id. */
  readonly output: Dense;

  constructor(
    readonly vocabulary: Vocabulary,
    embeddingSize: number,
    hiddenSize: number,
    initRange: number,
    rng: Rng,
  ) {
    this.tokenEmbedding = uniformVariable([vocabulary.size, embeddingSize], initRange, rng);
    this.start = uniformVariable([1, embeddingSize], initRange, rng);
    this.lstm = new StackedLstm(embeddingSize, hiddenSize, 1, initRange, rng);
    this.combine = new Dense(2 * hiddenSize, hiddenSize, rng);
    this.output = new Dense(hiddenSize, vocabulary.size, rng);
  }

  /** Teacher-forced log-probabilities of each position, [B, choices_t] per t, for the NLL. */
  logProbs(encoding: Encoding, ids: tf.Tensor2D): tf.Tensor2D[] {
    const out: tf.Tensor2D[] = [];
    let state = this.initialState(encoding);
    let input = this.startInput(encoding);
    for (let t = 0; t < this.vocabulary.length; t++) {
      const step = this.step(input, state, encoding, t);
      out.push(step.logProbs);
      state = step.state;
      input = tf.gather(this.tokenEmbedding, tf.reshape(tf.slice(ids, [0, t], [-1, 1]), [-1])) as tf.Tensor2D;
    }
    return out;
  }

  /** Greedy decoding: each position's most likely local token, fed back as the next input. */
  decode(encoding: Encoding): number[][] {
    const columns = tf.tidy(() => {
      const picked: tf.Tensor1D[] = [];
      let state = this.initialState(encoding);
      let input = this.startInput(encoding);
      for (let t = 0; t < this.vocabulary.length; t++) {
        const step = this.step(input, state, encoding, t);
        const local = tf.argMax(step.logProbs, 1) as tf.Tensor1D;
        picked.push(local);
        state = step.state;
        input = tf.gather(this.tokenEmbedding, tf.add(local, tf.scalar(this.vocabulary.offsets[t], "int32"))) as tf.Tensor2D;
      }
      return tf.stack(picked, 1);
    });
    const tokens = columns.arraySync() as number[][];
    columns.dispose();
    return tokens;
  }

  private initialState(encoding: Encoding): LstmState {
    return { h: [encoding.embedding], c: [encoding.embedding] };
  }

  private startInput(encoding: Encoding): tf.Tensor2D {
    return tf.tile(this.start, [encoding.embedding.shape[0], 1]) as tf.Tensor2D;
  }

  private step(input: tf.Tensor2D, state: LstmState, encoding: Encoding, t: number): { logProbs: tf.Tensor2D; state: LstmState } {
    const step = this.lstm.step(input, state);
    const o = step.output;
    // [B, T, H] x [B, H, 1] -> [B, T, 1]: one score per encoder state.
    const scores = tf.matMul(encoding.states, tf.expandDims(o, 2));
    const weights = tf.softmax(tf.squeeze(scores, [2]));
    const mixed = tf.squeeze(tf.matMul(tf.expandDims(weights, 1), encoding.states), [1]) as tf.Tensor2D;
    const z = tf.tanh(this.combine.apply(tf.concat([mixed, o], 1)));
    const logits = tf.slice(this.output.apply(z), [0, this.vocabulary.offsets[t]], [-1, this.vocabulary.choices[t]]);
    return { logProbs: tf.logSoftmax(logits) as tf.Tensor2D, state: step.state };
  }

  variables(): tf.Variable[] {
    return [this.tokenEmbedding, this.start, ...this.lstm.variables(), ...this.combine.variables(), ...this.output.variables()];
  }
}
