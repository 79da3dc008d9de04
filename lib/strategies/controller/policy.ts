/**
 * The controller's policy (Zoph & Le 2017): a stacked LSTM that walks a space's `decisions()`
 * and emits one token per decision. A categorical decision is a softmax over the LSTM output,
 * and the sampled token's embedding is the next input. Anchor decisions ("does layer j feed
 * layer i") share one LSTM step per layer i and use attention over earlier layers' states:
 *   P(j feeds i) = sigmoid(v^T tanh(W_prev h_j + W_curr h_i)),
 * where h_i is the output of layer i's anchor step and h_j the output of layer j's first step.
 * After an anchor group the next input is the sum of the chosen h_j divided by (1 + their count),
 * as in ENAS' macro controller (the paper does not say); the zero vector when none is chosen.
 * ENAS (its code) shapes every logit before the softmax: l <- c * tanh(l / T), with tanh
 * constant c (1.10 in the micro search) and temperature T (none there), and c / 2.5 for the
 * logits of decisions that pick an op, which keeps the op distributions flatter for longer.
 * Sampling walks one sequence a decision at a time; an update re-scores its m sequences side by
 * side, teacher-forced (`score`).
 */
import * as tf from "@tensorflow/tfjs";
import type { Rng } from "../../core/random";
import type { Decision } from "../../core/types";
import { DecisionRows, type DecisionSums } from "./decision-rows";
import { StackedLstm, uniform, uniformVariable, type LstmState } from "./lstm";
import type { SkipLogProbs } from "./skip-penalty";

export interface PolicyOptions {
  /** LSTM units per layer, also the size of token embeddings (paper: 35). */
  readonly units: number;
  readonly lstmLayers: number;
  /** Every weight starts uniform in [-initRange, initRange] (paper: 0.08). */
  readonly initRange: number;
  /** ENAS's logit shaping; absent: the raw logits (NAS-RL). */
  readonly logits?: LogitShaping;
}

export interface LogitShaping {
  /** T in c * tanh(l / T); null: no division. */
  readonly temperature: number | null;
  /** c in c * tanh(l / T); null: no tanh. */
  readonly tanhConstant: number | null;
  /** Op decisions (`picks: "op"`) use c / opTanhReduce (ENAS: 2.5). */
  readonly opTanhReduce: number;
}

/**
 * c * tanh(l / T) as ENAS's controllers apply it (c / opTanhReduce for op decisions); `picksOp`
 * per column where several decisions' logits lie side by side.
 */
export function shapeLogits(logits: tf.Tensor, shaping: LogitShaping | undefined, picksOp: boolean | readonly boolean[]): tf.Tensor {
  if (!shaping) return logits;
  const { temperature, tanhConstant, opTanhReduce } = shaping;
  const cooled = temperature === null ? logits : tf.div(logits, temperature);
  if (tanhConstant === null) return cooled;
  const c = (op: boolean) => (op ? tanhConstant / opTanhReduce : tanhConstant);
  return tf.mul(tf.tanh(cooled), typeof picksOp === "boolean" ? c(picksOp) : tf.tensor1d(picksOp.map(c)));
}

export const NASRL_POLICY: PolicyOptions = { units: 35, lstmLayers: 2, initRange: 0.08 };

/** One sampled sequence with the distribution each token was drawn from. */
export interface PolicySample {
  readonly tokens: number[];
  /** probabilities[k][c]: probability of choice c at decision k (anchors: [no, yes]). */
  readonly probabilities: number[][];
  readonly logProb: number;
}

/** A batch of sequences re-scored, teacher-forced: [batch] each, rows in the sequences' order. */
export interface PolicyScores extends DecisionSums {
  /** The anchors' log-probabilities, which the skip penalty reads; null in a space without anchors. */
  readonly skip: SkipLogProbs | null;
}

/**
 * Every categorical decision's softmax and embedding, side by side in three variables (Adam's
 * cost is per variable): decision i's logits are columns [offset_i, offset_i + choices_i) of
 * kernel and bias, and its token t embeds as row offset_i + t.
 */
interface CategoricalHeads {
  /** [all choices, units]. */
  readonly embedding: tf.Variable;
  /** [units, all choices]. */
  readonly kernel: tf.Variable;
  /** [all choices]. */
  readonly bias: tf.Variable;
  /** Where the categorical decisions' columns lie; the decisions in order, anchors left out. */
  readonly columns: DecisionRows;
}

interface AnchorAttention {
  readonly wPrev: tf.Variable;
  readonly wCurr: tf.Variable;
  readonly v: tf.Variable;
}

/** What decision k reads: its step's LSTM output [batch, units] and, at an anchor, the state [batch, units] of the layer it may connect from. */
interface Reading {
  readonly output: tf.Tensor2D;
  readonly source: tf.Tensor2D | null;
}

/** Picks decision k's token for every sequence of the batch from what the decision reads. */
type Chooser = (k: number, reading: Reading) => number[];

export class ControllerPolicy {
  readonly lstm: StackedLstm;
  /** Learned first input. */
  readonly start: tf.Variable;
  readonly heads: CategoricalHeads;
  readonly attention: AnchorAttention | null;
  /** Per decision, its index among the categorical decisions (their heads' order); -1 at anchors. */
  private readonly headOf: readonly number[];

  constructor(
    readonly decisions: readonly Decision[],
    readonly options: PolicyOptions,
    rng: Rng,
  ) {
    if (decisions.length === 0) throw new RangeError("ControllerPolicy needs at least one decision");
    checkAnchors(decisions);
    const { units, initRange } = options;
    this.lstm = new StackedLstm(units, units, options.lstmLayers, initRange, rng);
    this.start = uniformVariable([1, units], initRange, rng);
    const categorical = decisions.filter((d) => d.kind !== "anchor");
    let head = 0;
    this.headOf = decisions.map((d) => (d.kind === "anchor" ? -1 : head++));
    const [embedding, kernel, bias] = tf.tidy(() => {
      // Drawn head by head, as separate variables were: the same initial values for a seed.
      const draws = categorical.map((d) => [uniform([d.choices, units], initRange, rng), uniform([units, d.choices], initRange, rng), uniform([d.choices], initRange, rng)]);
      return [0, 1, 0].map((axis, part) => tf.variable(tf.concat(draws.map((parts) => parts[part]), axis)));
    });
    this.heads = { embedding, kernel, bias, columns: DecisionRows.sideBySide(categorical.map((d) => d.choices)) };
    this.attention = decisions.some((d) => d.kind === "anchor")
      ? {
          wPrev: uniformVariable([units, units], initRange, rng),
          wCurr: uniformVariable([units, units], initRange, rng),
          v: uniformVariable([units, 1], initRange, rng),
        }
      : null;
  }

  /** Draws a token sequence with `rng` (reads each distribution back to sample the next token). */
  sample(rng: Rng): PolicySample {
    const tokens: number[] = [];
    const probabilities: number[][] = [];
    tf.tidy(() => {
      this.walk(1, (k, { output, source }) => {
        const logProbs = source ? this.anchorLogProbs(source, output) : this.headLogProbs(k, output);
        const p = Array.from(tf.exp(logProbs).dataSync());
        probabilities.push(p);
        tokens.push(rng.categorical(p));
        return [tokens[k]];
      });
    });
    return { tokens, probabilities, logProb: tokens.reduce((sum, t, k) => sum + Math.log(probabilities[k][t]), 0) };
  }

  /**
   * log p(tokens), the summed entropy and the anchors' log-probabilities of each sequence,
   * teacher-forced: differentiable w.r.t. `variables()`. The sequences walk the same decisions
   * in the same order, so they step side by side as one batch; and with every token known up
   * front no step waits for a distribution, so the heads are evaluated after the walk, all
   * categorical decisions as one matrix of rows and all anchors as another (decision-rows.ts).
   */
  score(sequences: readonly (readonly number[])[]): PolicyScores {
    if (sequences.length === 0) throw new RangeError("ControllerPolicy.score needs at least one sequence");
    for (const tokens of sequences) this.checkTokens(tokens);
    const readings = this.walk(sequences.length, (k) => sequences.map((tokens) => tokens[k]));
    const tokensAt = (ks: readonly number[]) => ks.map((k) => sequences.map((tokens) => tokens[k]));
    const ofKind = (anchor: boolean) => this.decisions.flatMap((d, k) => ((d.kind === "anchor") === anchor ? [k] : []));
    const categorical = ofKind(false);
    const heads = this.scoreHeads(readings.filter((_, k) => categorical.includes(k)), tokensAt(categorical));
    const anchors = ofKind(true);
    if (anchors.length === 0) return { ...heads, skip: null };
    const { sums, skip } = this.scoreAnchors(anchors, readings.filter((_, k) => anchors.includes(k)), tokensAt(anchors));
    return { logProb: tf.add(heads.logProb, sums.logProb), entropy: tf.add(heads.entropy, sums.entropy), skip };
  }

  private checkTokens(tokens: readonly number[]): void {
    if (tokens.length !== this.decisions.length) {
      throw new RangeError(`ControllerPolicy.score needs ${this.decisions.length} tokens, got ${tokens.length}`);
    }
    tokens.forEach((t, k) => {
      if (!Number.isInteger(t) || t < 0 || t >= this.decisions[k].choices) {
        throw new RangeError(`ControllerPolicy.score: token ${k} (${this.decisions[k].name}) must be an integer in [0, ${this.decisions[k].choices}), got ${t}`);
      }
    });
  }

  /**
   * Steps the LSTM through the decisions for `batch` sequences side by side, `choose` giving each
   * decision's tokens; returns what every decision read. After a categorical decision the next
   * input is the tokens' embeddings; the consecutive anchors into one layer share one step, and
   * after them the input is the mean of the chosen sources (meanOfChosen).
   */
  private walk(batch: number, choose: Chooser): Reading[] {
    const readings: Reading[] = [];
    // A layer's anchor state: the controller output at the first step that carries that layer.
    const layerStates = new Map<number, tf.Tensor2D>();
    let state: LstmState = this.lstm.zeroState(batch);
    let input = tf.tile(this.start, [batch, 1]) as tf.Tensor2D;
    let k = 0;
    while (k < this.decisions.length) {
      const step = this.lstm.step(input, state);
      const { output } = step;
      state = step.state;
      const { layer } = this.decisions[k];
      if (layer !== undefined && !layerStates.has(layer)) layerStates.set(layer, output);
      if (this.decisions[k].kind !== "anchor") {
        readings.push({ output, source: null });
        const offset = this.heads.columns.offsets[this.headOf[k]];
        input = tf.gather(this.heads.embedding as tf.Tensor2D, choose(k, readings[k]).map((t) => offset + t));
        k++;
        continue;
      }
      const sources: tf.Tensor2D[] = [];
      const picks: number[][] = [];
      for (; k < this.decisions.length && this.decisions[k].kind === "anchor" && this.decisions[k].layer === layer; k++) {
        const source = layerStates.get(this.decisions[k].from!)!;
        readings.push({ output, source });
        sources.push(source);
        picks.push(choose(k, readings[k]));
      }
      input = meanOfChosen(sources, picks);
    }
    return readings;
  }

  /** Decision k's log-softmax over its head's logits, [batch, choices]. */
  private headLogProbs(k: number, output: tf.Tensor2D): tf.Tensor2D {
    const { kernel, bias, columns } = this.heads;
    const [offset, choices] = [columns.offsets[this.headOf[k]], columns.choices[this.headOf[k]]];
    const raw = tf.add(tf.matMul(output, tf.slice(kernel, [0, offset], [-1, choices]) as tf.Tensor2D), tf.slice(bias, [offset], [choices]));
    return tf.logSoftmax(shapeLogits(raw, this.options.logits, this.decisions[k].picks === "op")) as tf.Tensor2D;
  }

  /** Rows [log(1 - p), log p] of P(source feeds output's layer) = sigmoid(v^T tanh(W_prev h_j + W_curr h_i)). */
  private anchorLogProbs(source: tf.Tensor2D, output: tf.Tensor2D): tf.Tensor2D {
    const { wPrev, wCurr, v } = this.attention!;
    const hidden = tf.tanh(tf.add(tf.matMul(source, wPrev as tf.Tensor2D), tf.matMul(output, wCurr as tf.Tensor2D)));
    const logit = shapeLogits(tf.matMul(hidden, v as tf.Tensor2D), this.options.logits, false);
    // [log(1 - sigmoid(x)), log sigmoid(x)] = [-softplus(x), -softplus(-x)]: stable for any logit.
    return tf.neg(tf.concat([tf.softplus(logit), tf.softplus(tf.neg(logit))], 1)) as tf.Tensor2D;
  }

  /**
   * The categorical decisions in one product: their outputs as rows [decisions * batch, units]
   * times all heads side by side [units, all choices]; each row's softmax is kept to its own
   * head's columns (DecisionRows.offDecision).
   */
  private scoreHeads(readings: readonly Reading[], tokens: number[][]): DecisionSums {
    const { kernel, bias, columns } = this.heads;
    const raw = tf.add(tf.matMul(tf.concat(readings.map((r) => r.output), 0), kernel as tf.Tensor2D), bias);
    const categorical = this.decisions.filter((d) => d.kind !== "anchor");
    const logits = shapeLogits(raw, this.options.logits, columns.perColumn((i) => categorical[i].picks === "op"));
    const logProbs = tf.logSoftmax(tf.add(logits, columns.offDecision(tokens[0].length))) as tf.Tensor2D;
    return columns.sums(logProbs, columns.oneHot(tokens));
  }

  /** The anchor decisions `ks` as rows [anchors * batch, 2] through the attention in one pass, and their sums. */
  private scoreAnchors(ks: readonly number[], readings: readonly Reading[], tokens: number[][]): { sums: DecisionSums; skip: SkipLogProbs } {
    const batch = tokens[0].length;
    const rows = DecisionRows.shared(ks.length, 2);
    const logProbs = this.anchorLogProbs(tf.concat(readings.map((r) => r.source!), 0), tf.concat(readings.map((r) => r.output), 0));
    const groups = new Set(ks.map((k) => this.decisions[k].layer)).size;
    return { sums: rows.sums(logProbs, rows.oneHot(tokens)), skip: { logProbs: tf.reshape(logProbs, [ks.length, batch, 2]), groups } };
  }

  variables(): tf.Variable[] {
    const { embedding, kernel, bias } = this.heads;
    const attention = this.attention ? [this.attention.wPrev, this.attention.wCurr, this.attention.v] : [];
    return [...this.lstm.variables(), this.start, embedding, kernel, bias, ...attention];
  }

  dispose(): void {
    for (const v of this.variables()) v.dispose();
  }
}

/**
 * Each sequence's next input after an anchor group: the sources it chose (picks[j][r] = 1)
 * summed and divided by one more than their number, the zero vector when it chose none.
 */
function meanOfChosen(sources: readonly tf.Tensor2D[], picks: readonly number[][]): tf.Tensor2D {
  const batch = picks[0].length;
  const mask = tf.tensor3d(picks.flat(), [picks.length, batch, 1]);
  const counts = tf.tensor2d(Array.from({ length: batch }, (_, r) => 1 + picks.reduce((n, column) => n + column[r], 0)), [batch, 1]);
  return tf.div(tf.sum(tf.mul(tf.stack([...sources]), mask), 0), counts) as tf.Tensor2D;
}

/**
 * Anchors need a yes/no choice, a target layer and an earlier source layer whose state exists
 * by then (some earlier decision carried `layer: from`).
 */
function checkAnchors(decisions: readonly Decision[]): void {
  const seen = new Set<number>();
  decisions.forEach((d, k) => {
    if (d.layer !== undefined) seen.add(d.layer);
    if (d.kind !== "anchor") return;
    const where = `decision ${k} (${d.name})`;
    if (d.choices !== 2) throw new RangeError(`${where}: an anchor decision has 2 choices (no, yes), not ${d.choices}`);
    if (d.layer === undefined || d.from === undefined) throw new RangeError(`${where}: an anchor decision needs layer and from`);
    if (d.from === d.layer || !seen.has(d.from)) {
      throw new RangeError(`${where}: layer ${d.from} has no controller state yet (no earlier decision carries layer ${d.from})`);
    }
  });
}
