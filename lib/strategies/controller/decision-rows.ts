/**
 * Several decisions of a batch of sequences as one matrix, for a teacher-forced controller:
 * row i * batch + r is sequence r at decision i (decision-major), decision i's choices in the
 * columns [offset_i, offset_i + choices_i) (side by side, or all in the same columns). One matrix of
 * log-probabilities for all decisions makes the picked log-probabilities and the entropies a
 * few tf ops in all, not a few per decision.
 */
import * as tf from "@tensorflow/tfjs";

/** Added to the logits outside a row's own decision: exp(OFF_DECISION - max) is exactly 0 in float32, and OFF_DECISION * 0 is 0, not NaN. */
const OFF_DECISION = -1e9;

/** Each sequence's sums over decisions, [batch] each. */
export interface DecisionSums {
  /** Sum of log p(token). */
  readonly logProb: tf.Tensor1D;
  /** Sum of each decision's entropy. */
  readonly entropy: tf.Tensor1D;
}

export class DecisionRows {
  readonly width: number;

  /** Decision i has `choices[i]` choices in the columns from `offsets[i]`. */
  private constructor(
    readonly choices: readonly number[],
    readonly offsets: readonly number[],
  ) {
    this.width = Math.max(...choices.map((c, i) => offsets[i] + c));
  }

  /** Every decision in its own columns (heads side by side). */
  static sideBySide(choices: readonly number[]): DecisionRows {
    return new DecisionRows(choices, choices.map((_, i) => choices.slice(0, i).reduce((a, b) => a + b, 0)));
  }

  /** `decisions` decisions in the same `choices` columns (anchors: [no, yes]). */
  static shared(decisions: number, choices: number): DecisionRows {
    return new DecisionRows(new Array<number>(decisions).fill(choices), new Array<number>(decisions).fill(0));
  }

  /** One value per column: decision i's `value(i)` in its columns. */
  perColumn<T>(value: (i: number) => T): T[] {
    return this.choices.flatMap((c, i) => new Array<T>(c).fill(value(i)));
  }

  /** 0 in each row's own decision's columns, OFF_DECISION elsewhere: added to logits, it keeps each row's softmax to its decision. */
  offDecision(batch: number): tf.Tensor2D {
    return this.rows(batch, OFF_DECISION, (i, row) => row.fill(0, this.offsets[i], this.offsets[i] + this.choices[i]));
  }

  /** 1 at each row's token, tokens[i][r] for decision i of sequence r; 0 elsewhere. */
  oneHot(tokens: readonly (readonly number[])[]): tf.Tensor2D {
    return this.rows(tokens[0].length, 0, (i, row, r) => (row[this.offsets[i] + tokens[i][r]] = 1));
  }

  /** Each sequence's sums over the decisions, from these rows' log-probabilities and one-hot tokens. */
  sums(logProbs: tf.Tensor2D, oneHot: tf.Tensor2D): DecisionSums {
    // Each row's sum first (its contiguous columns), then over decisions: one strided reduction of [decisions, batch, width] is slower on wasm.
    const perSequence = (t: tf.Tensor) => tf.sum(tf.reshape(tf.sum(t, 1), [this.choices.length, -1]), 0) as tf.Tensor1D;
    return { logProb: perSequence(tf.mul(logProbs, oneHot)), entropy: tf.neg(perSequence(tf.mul(tf.exp(logProbs), logProbs))) };
  }

  private rows(batch: number, fill: number, set: (i: number, row: Float32Array, r: number) => void): tf.Tensor2D {
    const { width } = this;
    const data = new Float32Array(this.choices.length * batch * width).fill(fill);
    this.choices.forEach((_, i) => {
      for (let r = 0; r < batch; r++) set(i, data.subarray((i * batch + r) * width, (i * batch + r + 1) * width), r);
    });
    return tf.tensor2d(data, [this.choices.length * batch, width]);
  }
}
