/**
 * The gradient DARTS follows for alpha (the "architect" of quark0/darts). Ideally it would be
 * d L_val(w*(alpha), alpha) / d alpha with w* the trained weights; DARTS approximates w* by one
 * SGD step from the current w and, for the second-order variant, differentiates through that step:
 *
 *   w'  = w - xi grad_w L_train(w, alpha)
 *   g   = grad_alpha L_val(w', alpha) - xi grad^2_{alpha,w} L_train(w, alpha) grad_w' L_val(w', alpha)
 *
 * with the Hessian-vector product by central differences at w+- = w +- eps grad_w' L_val(w', alpha),
 * eps = 0.01 / ||grad_w' L_val||. The first-order variant (xi = 0) is g = grad_alpha L_val(w, alpha).
 * The official code also adds momentum and weight decay to the virtual step; this follows the paper.
 */
import * as tf from "@tensorflow/tfjs";
import type { Mixing, Supernet } from "../../spaces/supernet";
import { softmaxCrossEntropy } from "../../nn/losses";

/** A minibatch with one-hot labels. */
export interface LabelledBatch {
  readonly x: tf.Tensor4D;
  readonly labels: tf.Tensor2D;
}

/** Builds the mixing of one forward pass; called inside the gradient tape so alpha's gradient flows. */
export type MixingSource<K extends string> = () => Mixing<K>;

export function supernetLoss<K extends string>(supernet: Supernet<K>, batch: LabelledBatch, mixing: MixingSource<K>): tf.Scalar {
  return softmaxCrossEntropy(batch.labels, supernet.apply(batch.x, true, mixing()));
}

export interface AlphaGradient {
  /** Keyed by alpha variable name; the caller disposes. */
  readonly grads: tf.NamedTensorMap;
  /** L_val at the point the gradient was taken (w for first order, w' for second). */
  readonly validLoss: number;
}

/**
 * The loss and its gradient for every variable. tfjs leaves out variables the loss does not
 * reach (a GDAS sample of `none` on every edge of a cell cuts what lies before it off); their
 * gradient is zero.
 */
function lossAndGrads(loss: () => tf.Scalar, variables: tf.Variable[]): { value: number; grads: tf.NamedTensorMap } {
  const { value, grads } = tf.variableGrads(loss, variables);
  for (const v of variables) grads[v.name] ??= tf.zerosLike(v);
  const number = value.dataSync()[0];
  value.dispose();
  return { value: number, grads };
}

export function firstOrderAlphaGradient<K extends string>(supernet: Supernet<K>, valid: LabelledBatch, mixing: MixingSource<K>): AlphaGradient {
  const { value, grads } = lossAndGrads(() => supernetLoss(supernet, valid, mixing), supernet.alphaVariables());
  return { grads, validLoss: value };
}

/** Sets every weight to `base + scale * direction` (direction keyed by variable name). */
function moveWeights(weights: tf.Variable[], base: tf.Tensor[], direction: tf.NamedTensorMap, scale: number): void {
  tf.tidy(() => weights.forEach((v, i) => v.assign(tf.add(base[i], tf.mul(direction[v.name], scale)))));
}

/**
 * Second-order gradient, computed in place: the weights are moved to w', w+ and w- and put
 * back to w before returning. BatchNorm's running statistics do move, once per training-mode
 * pass (quark0/darts moves them too; they only matter for evaluation-mode passes). `r` sets the finite
 * difference's step, eps = r / ||grad_w' L_val|| (quark0/darts: r = 0.01).
 */
export function secondOrderAlphaGradient<K extends string>(
  supernet: Supernet<K>,
  train: LabelledBatch,
  valid: LabelledBatch,
  mixing: MixingSource<K>,
  xi: number,
  r = 0.01,
): AlphaGradient {
  const weights = supernet.weights();
  const alphas = supernet.alphaVariables();
  const w = weights.map((v) => tf.clone(v));
  try {
    const trainStep = lossAndGrads(() => supernetLoss(supernet, train, mixing), weights);
    moveWeights(weights, w, trainStep.grads, -xi);
    tf.dispose(trainStep.grads);

    const atUnrolled = lossAndGrads(() => supernetLoss(supernet, valid, mixing), [...weights, ...alphas]);
    const direction: tf.NamedTensorMap = Object.fromEntries(weights.map((v) => [v.name, atUnrolled.grads[v.name]]));
    const norm = tf.tidy(() => tf.sqrt(tf.addN(Object.values(direction).map((g) => tf.sum(tf.square(g))))).dataSync()[0]);
    const alphaPart = Object.fromEntries(alphas.map((a) => [a.name, atUnrolled.grads[a.name]]));
    // A zero gradient at w' leaves no direction for the finite difference; the correction term is then 0.
    if (!(norm > 0)) {
      tf.dispose(Object.values(direction));
      return { grads: alphaPart, validLoss: atUnrolled.value };
    }
    const eps = r / norm;

    moveWeights(weights, w, direction, eps);
    const plus = lossAndGrads(() => supernetLoss(supernet, train, mixing), alphas).grads;
    moveWeights(weights, w, direction, -eps);
    const minus = lossAndGrads(() => supernetLoss(supernet, train, mixing), alphas).grads;

    const grads = tf.tidy(() =>
      Object.fromEntries(
        alphas.map((a) => [a.name, tf.sub(alphaPart[a.name], tf.mul(tf.sub(plus[a.name], minus[a.name]), xi / (2 * eps)))]),
      ),
    );
    tf.dispose([atUnrolled.grads, plus, minus]);
    return { grads, validLoss: atUnrolled.value };
  } finally {
    tf.tidy(() => weights.forEach((v, i) => v.assign(w[i])));
    tf.dispose(w);
  }
}
