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
 */
import * as tf from "@tensorflow/tfjs";
import type { Rng } from "../../core/random";
import type { Decision } from "../../core/types";
import { StackedLstm, uniformVariable, type LstmState } from "./lstm";

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

/** c * tanh(l / T) as ENAS's controllers apply it (c / opTanhReduce for op decisions). */
export function shapeLogits(logits: tf.Tensor, shaping: LogitShaping | undefined, picksOp: boolean): tf.Tensor {
  if (!shaping) return logits;
  const { temperature, tanhConstant, opTanhReduce } = shaping;
  const cooled = temperature === null ? logits : tf.div(logits, temperature);
  if (tanhConstant === null) return cooled;
  return tf.mul(tf.tanh(cooled), picksOp ? tanhConstant / opTanhReduce : tanhConstant);
}

export const NASRL_POLICY: PolicyOptions = { units: 35, lstmLayers: 2, initRange: 0.08 };

/** A batch of decision walks stepped side by side, as tensors (differentiable when scored). */
interface Rollout {
  /** tokens[k][r]: decision k's token in sequence r. */
  readonly tokens: number[][];
  /** [batch]: each sequence's sum over decisions of log p(token). */
  readonly logProb: tf.Tensor1D;
  /** [batch]: each sequence's sum over decisions of the entropy of each decision's distribution; null when not asked for. */
  readonly entropy: tf.Tensor1D | null;
  /** Per anchor group (one layer's skip decisions), [batch, count, 2] of [log(1 - p), log p]: what the skip penalty reads. */
  readonly skipLogProbs: tf.Tensor3D[];
}

/** One sampled sequence with the distribution each token was drawn from. */
export interface PolicySample {
  readonly tokens: number[];
  /** probabilities[k][c]: probability of choice c at decision k (anchors: [no, yes]). */
  readonly probabilities: number[][];
  readonly logProb: number;
}

/** Sequences re-scored together, teacher-forced: one entry per sequence, each [batch]. */
export interface PolicyScores {
  readonly logProb: tf.Tensor1D;
  readonly entropy: tf.Tensor1D;
  /** Per anchor group, [batch, count, 2] of [log(1 - p), log p] (skip-penalty.ts). */
  readonly skipLogProbs: tf.Tensor3D[];
}

interface CategoricalHead {
  readonly embedding: tf.Variable;
  readonly kernel: tf.Variable;
  readonly bias: tf.Variable;
}

interface AnchorAttention {
  readonly wPrev: tf.Variable;
  readonly wCurr: tf.Variable;
  readonly v: tf.Variable;
}

/** Picks decision k's token for every sequence of the batch, given their log-probabilities [batch, choices]. */
type Chooser = (k: number, logProbs: tf.Tensor2D) => number[];

/**
 * What a batch of walks over the decisions accumulates: tokens, each decision's log-probabilities,
 * layer states. The picked log-probabilities and the entropies are summed once, at the end, over
 * all decisions side by side: a few ops for the whole walk instead of a few per decision.
 */
class Walk {
  private readonly tokens: number[][] = [];
  private readonly logProbs: tf.Tensor2D[] = [];
  private readonly skipGroups: tf.Tensor3D[] = [];
  /** A layer's anchor state: the controller output at the first step that carries that layer. */
  private readonly layerStates = new Map<number, tf.Tensor2D>();

  /** `withEntropy`: scoring needs the entropies (for the bonus); sampling does not. */
  constructor(
    private readonly choose: Chooser,
    private readonly withEntropy: boolean,
  ) {}

  emit(k: number, logp: tf.Tensor2D): number[] {
    const tokens = this.choose(k, logp);
    this.tokens.push(tokens);
    this.logProbs.push(logp);
    return tokens;
  }

  remember(layer: number | undefined, output: tf.Tensor2D): void {
    if (layer !== undefined && !this.layerStates.has(layer)) this.layerStates.set(layer, output);
  }

  /** One anchor group's [batch, 2] rows of [log(1 - p), log p], one per decision. */
  skipGroup(logProbs: tf.Tensor2D[]): void {
    if (logProbs.length > 0) this.skipGroups.push(tf.stack(logProbs, 1) as tf.Tensor3D);
  }

  layerState(layer: number): tf.Tensor2D {
    return this.layerStates.get(layer)!;
  }

  result(): Rollout {
    // [batch, all choices of all decisions]; the one-hot rows mark each sequence's tokens.
    const all = tf.concat(this.logProbs, 1);
    const picked = tf.tensor2d(oneHot(this.tokens, this.logProbs.map((l) => l.shape[1])), all.shape);
    const logProb = tf.sum(tf.mul(all, picked), 1) as tf.Tensor1D;
    const entropy = this.withEntropy ? (tf.neg(tf.sum(tf.mul(tf.exp(all), all), 1)) as tf.Tensor1D) : null;
    return { tokens: this.tokens, logProb, entropy, skipLogProbs: this.skipGroups };
  }
}

/** Row r: 1 at decision k's token tokens[k][r] in that decision's block of `choices[k]` columns, 0 elsewhere. */
function oneHot(tokens: readonly number[][], choices: readonly number[]): Float32Array {
  const width = choices.reduce((a, b) => a + b, 0);
  const rows = new Float32Array(tokens[0].length * width);
  let offset = 0;
  tokens.forEach((column, k) => {
    column.forEach((token, r) => (rows[r * width + offset + token] = 1));
    offset += choices[k];
  });
  return rows;
}

export class ControllerPolicy {
  readonly lstm: StackedLstm;
  /** Learned first input. */
  readonly start: tf.Variable;
  /** One softmax and one embedding per categorical decision (null at anchors). */
  readonly heads: ReadonlyArray<CategoricalHead | null>;
  readonly attention: AnchorAttention | null;

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
    this.heads = decisions.map((d) =>
      d.kind === "anchor"
        ? null
        : {
            embedding: uniformVariable([d.choices, units], initRange, rng),
            kernel: uniformVariable([units, d.choices], initRange, rng),
            bias: uniformVariable([d.choices], initRange, rng),
          },
    );
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
    const probabilities: number[][] = [];
    let logProb = 0;
    const tokens = tf.tidy(() => {
      const rollout = this.rollout(1, (_, logProbs) => {
        const p = Array.from(tf.exp(logProbs).dataSync());
        probabilities.push(p);
        return [rng.categorical(p)];
      }, false);
      logProb = rollout.logProb.dataSync()[0];
      return rollout.tokens.map(([token]) => token);
    });
    return { tokens, probabilities, logProb };
  }

  /**
   * log p(tokens), the summed entropy and the anchors' log-probabilities of each sequence,
   * teacher-forced: differentiable w.r.t. `variables()`. Every sequence walks the same decisions
   * in the same order, so they are scored side by side as one batch (rows: `sequences`' order).
   */
  score(sequences: readonly (readonly number[])[]): PolicyScores {
    if (sequences.length === 0) throw new RangeError("ControllerPolicy.score needs at least one sequence");
    for (const tokens of sequences) this.checkTokens(tokens);
    const { logProb, entropy, skipLogProbs } = this.rollout(sequences.length, (k) => sequences.map((tokens) => tokens[k]), true);
    return { logProb, entropy: entropy!, skipLogProbs };
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

  private rollout(batch: number, choose: Chooser, withEntropy: boolean): Rollout {
    const walk = new Walk(choose, withEntropy);
    let state: LstmState = this.lstm.zeroState(batch);
    let input = tf.tile(this.start, [batch, 1]) as tf.Tensor2D;
    let k = 0;
    while (k < this.decisions.length) {
      const step = this.lstm.step(input, state);
      state = step.state;
      walk.remember(this.decisions[k].layer, step.output);
      const next = this.decisions[k].kind === "anchor" ? this.anchorGroup(k, step.output, walk) : this.categorical(k, step.output, walk);
      ({ input, k } = next);
    }
    return walk.result();
  }

  /** Decision k from a softmax over the step's output; the tokens' embeddings are the next input. */
  private categorical(k: number, output: tf.Tensor2D, walk: Walk): { input: tf.Tensor2D; k: number } {
    const head = this.heads[k]!;
    const raw = tf.add(tf.matMul(output, head.kernel as tf.Tensor2D), head.bias);
    const logits = shapeLogits(raw, this.options.logits, this.decisions[k].picks === "op");
    const tokens = walk.emit(k, tf.logSoftmax(logits) as tf.Tensor2D);
    return { input: tf.gather(head.embedding as tf.Tensor2D, tokens), k: k + 1 };
  }

  /** The consecutive anchors from decision k into one layer, all attending from this one step's output. */
  private anchorGroup(k: number, output: tf.Tensor2D, walk: Walk): { input: tf.Tensor2D; k: number } {
    const { wPrev, wCurr, v } = this.attention!;
    const layer = this.decisions[k].layer;
    const current = tf.matMul(output, wCurr as tf.Tensor2D);
    const sources: tf.Tensor2D[] = [];
    const picks: number[][] = [];
    const group: tf.Tensor2D[] = [];
    for (; k < this.decisions.length && this.decisions[k].kind === "anchor" && this.decisions[k].layer === layer; k++) {
      const previous = walk.layerState(this.decisions[k].from!);
      const hidden = tf.tanh(tf.add(tf.matMul(previous, wPrev as tf.Tensor2D), current));
      const logit = shapeLogits(tf.matMul(hidden, v as tf.Tensor2D), this.options.logits, false);
      // [log(1 - sigmoid(x)), log sigmoid(x)] = [-softplus(x), -softplus(-x)]: stable for any logit.
      const logp = tf.neg(tf.concat([tf.softplus(logit), tf.softplus(tf.neg(logit))], 1)) as tf.Tensor2D;
      group.push(logp);
      sources.push(previous);
      picks.push(walk.emit(k, logp));
    }
    walk.skipGroup(group);
    return { input: meanOfChosen(sources, picks), k };
  }

  variables(): tf.Variable[] {
    const heads = this.heads.flatMap((h) => (h ? [h.embedding, h.kernel, h.bias] : []));
    const attention = this.attention ? [this.attention.wPrev, this.attention.wCurr, this.attention.v] : [];
    return [...this.lstm.variables(), this.start, ...heads, ...attention];
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
