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

/** The sequence of one decision walk, as tensors (differentiable when scored). */
interface Rollout {
  readonly tokens: number[];
  /** Sum over decisions of log p(token). */
  readonly logProb: tf.Scalar;
  /** Sum over decisions of the entropy of each decision's distribution; null when not asked for. */
  readonly entropy: tf.Scalar | null;
  /** Per anchor group (one layer's skip decisions), [count, 2] of [log(1 - p), log p]: what the skip penalty reads. */
  readonly skipLogProbs: tf.Tensor2D[];
}

/** One sampled sequence with the distribution each token was drawn from. */
export interface PolicySample {
  readonly tokens: number[];
  /** probabilities[k][c]: probability of choice c at decision k (anchors: [no, yes]). */
  readonly probabilities: number[][];
  readonly logProb: number;
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

/** Picks decision k's token given its log-probabilities. */
type Chooser = (k: number, logProbs: tf.Tensor1D) => number;

/** What one walk over the decisions accumulates: tokens, their log-probabilities, entropies, layer states. */
class Walk {
  private readonly tokens: number[] = [];
  private readonly logProbs: tf.Scalar[] = [];
  private readonly entropies: tf.Scalar[] = [];
  private readonly skipGroups: tf.Tensor2D[] = [];
  /** A layer's anchor state: the controller output at the first step that carries that layer. */
  private readonly layerStates = new Map<number, tf.Tensor2D>();

  /** `withEntropy`: scoring needs the entropies (for the bonus); sampling does not. */
  constructor(
    private readonly choose: Chooser,
    private readonly withEntropy: boolean,
  ) {}

  emit(k: number, logp: tf.Tensor1D): number {
    const token = this.choose(k, logp);
    this.tokens.push(token);
    this.logProbs.push(tf.sum(tf.slice(logp, [token], [1])) as tf.Scalar);
    if (this.withEntropy) this.entropies.push(tf.neg(tf.sum(tf.mul(tf.exp(logp), logp))) as tf.Scalar);
    return token;
  }

  remember(layer: number | undefined, output: tf.Tensor2D): void {
    if (layer !== undefined && !this.layerStates.has(layer)) this.layerStates.set(layer, output);
  }

  /** One anchor group's [log(1 - p), log p] rows. */
  skipGroup(logProbs: tf.Tensor1D[]): void {
    if (logProbs.length > 0) this.skipGroups.push(tf.stack(logProbs) as tf.Tensor2D);
  }

  layerState(layer: number): tf.Tensor2D {
    return this.layerStates.get(layer)!;
  }

  result(): Rollout {
    const total = (xs: tf.Scalar[]) => (xs.length === 0 ? tf.scalar(0) : (tf.addN(xs) as tf.Scalar));
    return { tokens: this.tokens, logProb: total(this.logProbs), entropy: this.withEntropy ? total(this.entropies) : null, skipLogProbs: this.skipGroups };
  }
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
      const rollout = this.rollout((_, logProbs) => {
        const p = Array.from(tf.exp(logProbs).dataSync());
        probabilities.push(p);
        return rng.categorical(p);
      }, false);
      logProb = rollout.logProb.dataSync()[0];
      return rollout.tokens;
    });
    return { tokens, probabilities, logProb };
  }

  /** log p(tokens), the summed entropy and the anchors' log-probabilities, teacher-forced: differentiable w.r.t. `variables()`. */
  score(tokens: readonly number[]): { logProb: tf.Scalar; entropy: tf.Scalar; skipLogProbs: tf.Tensor2D[] } {
    if (tokens.length !== this.decisions.length) {
      throw new RangeError(`ControllerPolicy.score needs ${this.decisions.length} tokens, got ${tokens.length}`);
    }
    const { logProb, entropy, skipLogProbs } = this.rollout((k) => tokens[k], true);
    return { logProb, entropy: entropy as tf.Scalar, skipLogProbs };
  }

  private rollout(choose: Chooser, withEntropy: boolean): Rollout {
    const walk = new Walk(choose, withEntropy);
    let state: LstmState = this.lstm.zeroState();
    let input = this.start as tf.Tensor2D;
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

  /** Decision k from a softmax over the step's output; the token's embedding is the next input. */
  private categorical(k: number, output: tf.Tensor2D, walk: Walk): { input: tf.Tensor2D; k: number } {
    const head = this.heads[k]!;
    const raw = tf.add(tf.matMul(output, head.kernel as tf.Tensor2D), head.bias);
    const logits = shapeLogits(raw, this.options.logits, this.decisions[k].picks === "op");
    const token = walk.emit(k, tf.reshape(tf.logSoftmax(logits), [-1]));
    return { input: tf.slice(head.embedding as tf.Tensor2D, [token, 0], [1, -1]), k: k + 1 };
  }

  /** The consecutive anchors from decision k into one layer, all attending from this one step's output. */
  private anchorGroup(k: number, output: tf.Tensor2D, walk: Walk): { input: tf.Tensor2D; k: number } {
    const { wPrev, wCurr, v } = this.attention!;
    const layer = this.decisions[k].layer;
    const current = tf.matMul(output, wCurr as tf.Tensor2D);
    const chosen: tf.Tensor2D[] = [];
    const group: tf.Tensor1D[] = [];
    for (; k < this.decisions.length && this.decisions[k].kind === "anchor" && this.decisions[k].layer === layer; k++) {
      const previous = walk.layerState(this.decisions[k].from!);
      const hidden = tf.tanh(tf.add(tf.matMul(previous, wPrev as tf.Tensor2D), current));
      const logit = shapeLogits(tf.reshape(tf.matMul(hidden, v as tf.Tensor2D), [1]), this.options.logits, false);
      // [log(1 - sigmoid(x)), log sigmoid(x)] = [-softplus(x), -softplus(-x)]: stable for any logit.
      const logp = tf.neg(tf.concat([tf.softplus(logit), tf.softplus(tf.neg(logit))])) as tf.Tensor1D;
      group.push(logp);
      if (walk.emit(k, logp) === 1) chosen.push(previous);
    }
    walk.skipGroup(group);
    const input = chosen.length === 0 ? tf.zerosLike(output) : tf.div(tf.addN(chosen), 1 + chosen.length);
    return { input: input as tf.Tensor2D, k };
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
