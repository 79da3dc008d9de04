/**
 * The toy bilevel problem of DARTS's Fig. 2, with scalars in place of alpha and w:
 *   L_val(w, a) = a w - 2a + 1,   L_train(w, a) = w^2 - 2aw + a^2.
 * The inner optimum is w*(a) = a, so the outer objective is (a - 1)^2 and the bilevel optimum
 * is (a, w) = (1, 1). DARTS's alternating updates use the unrolled hypergradient below, whose
 * fixed point is a = w = 2 / (1 + 2 xi): xi = 0 (first order) stops at (2, 2), xi = 0.5 hits (1, 1).
 */

/** A point (alpha, w) of the toy problem. */
export interface ToyPoint {
  readonly alpha: number;
  readonly w: number;
}

export const TOY_START: ToyPoint = { alpha: 2, w: -2 };
export const TOY_OPTIMUM: ToyPoint = { alpha: 1, w: 1 };

export function toyValidLoss({ alpha, w }: ToyPoint): number {
  return alpha * w - 2 * alpha + 1;
}

export function toyTrainLoss({ alpha, w }: ToyPoint): number {
  return w * w - 2 * alpha * w + alpha * alpha;
}

/** Partial derivatives, written out: the toy needs no autodiff. */
const dTrainDw = ({ alpha, w }: ToyPoint) => 2 * w - 2 * alpha;
const dTrainDalpha = ({ alpha, w }: ToyPoint) => 2 * alpha - 2 * w;
const dValidDw = ({ alpha }: ToyPoint) => alpha;
const dValidDalpha = ({ w }: ToyPoint) => w - 2;

/**
 * DARTS's approximate architecture gradient (its eq. 7 and 8), computed exactly as the
 * supernet does it: one virtual SGD step w' = w - xi dL_train/dw, then the gradient at w'
 * minus xi times a central finite difference for the second-order term.
 */
export function toyHypergradient(point: ToyPoint, xi: number): number {
  const unrolled = { alpha: point.alpha, w: point.w - xi * dTrainDw(point) };
  const direction = dValidDw(unrolled);
  if (xi === 0 || direction === 0) return dValidDalpha(unrolled);
  const eps = 0.01 / Math.abs(direction);
  const plus = { alpha: point.alpha, w: point.w + eps * direction };
  const minus = { alpha: point.alpha, w: point.w - eps * direction };
  return dValidDalpha(unrolled) - (xi * (dTrainDalpha(plus) - dTrainDalpha(minus))) / (2 * eps);
}

/** Where the alternating updates stop: the hypergradient and dL_train/dw both vanish. */
export function toyFixedPoint(xi: number): ToyPoint {
  const a = 2 / (1 + 2 * xi);
  return { alpha: a, w: a };
}

export interface ToyOptions {
  readonly xi: number;
  readonly steps: number;
  /** Step size of the alpha update (DARTS's eta_alpha). */
  readonly alphaLr?: number;
  /** Step size of the w update (DARTS's eta_w). */
  readonly weightLr?: number;
  readonly start?: ToyPoint;
}

/**
 * DARTS's Algorithm 1 on the toy: update alpha with the hypergradient, then w by a gradient step
 * on L_train. Returns every point, start included. With both step sizes 0.1 the iteration is a
 * contraction for every xi in [0, 1], so it settles on the fixed point.
 */
export function toyTrajectory(options: ToyOptions): ToyPoint[] {
  const { xi, steps, alphaLr = 0.1, weightLr = 0.1, start = TOY_START } = options;
  const points: ToyPoint[] = [start];
  let point = start;
  for (let t = 0; t < steps; t++) {
    const alpha = point.alpha - alphaLr * toyHypergradient(point, xi);
    const w = point.w - weightLr * dTrainDw({ alpha, w: point.w });
    point = { alpha, w };
    points.push(point);
  }
  return points;
}
