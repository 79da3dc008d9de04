/**
 * Spearman's rank correlation: Pearson's correlation of the ranks. It asks whether two
 * measurements order the same things the same way (a benchmark's two seeds, a cheap and a dear
 * fidelity), whatever their scales. Tied values share the mean of their ranks. Kendall's tau
 * counts ordered pairs instead (SMASH reports both).
 */
import { NasbookError } from "./errors";

/** 1-based ranks of `values` in ascending order; ties get the mean of the ranks they span. */
export function ranks(values: readonly number[]): number[] {
  const order = values.map((v, i) => [v, i] as const).sort((a, b) => a[0] - b[0]);
  const out = new Array<number>(values.length);
  for (let start = 0; start < order.length; ) {
    let end = start + 1;
    while (end < order.length && order[end][0] === order[start][0]) end++;
    const shared = (start + 1 + end) / 2;
    for (let k = start; k < end; k++) out[order[k][1]] = shared;
    start = end;
  }
  return out;
}

export function pearson(a: readonly number[], b: readonly number[]): number {
  if (a.length !== b.length || a.length < 2) throw new NasbookError(`correlation needs two lists of the same length, at least 2; got ${a.length} and ${b.length}`);
  const mean = (xs: readonly number[]) => xs.reduce((s, x) => s + x, 0) / xs.length;
  const [ma, mb] = [mean(a), mean(b)];
  let [sab, saa, sbb] = [0, 0, 0];
  for (let i = 0; i < a.length; i++) {
    sab += (a[i] - ma) * (b[i] - mb);
    saa += (a[i] - ma) ** 2;
    sbb += (b[i] - mb) ** 2;
  }
  // A constant list orders nothing: no correlation to speak of.
  return saa === 0 || sbb === 0 ? NaN : sab / Math.sqrt(saa * sbb);
}

export function spearman(a: readonly number[], b: readonly number[]): number {
  return pearson(ranks(a), ranks(b));
}

/**
 * Kendall's tau-b: (concordant - discordant) pairs over the pairs not tied, corrected for ties
 * on each side, sqrt((n0 - n1)(n0 - n2)). It reads as a probability: a random pair is ordered
 * alike with probability (1 + tau) / 2. O(n^2), fine for the few hundred cells it is asked about.
 */
export function kendallTau(a: readonly number[], b: readonly number[]): number {
  if (a.length !== b.length || a.length < 2) throw new NasbookError(`correlation needs two lists of the same length, at least 2; got ${a.length} and ${b.length}`);
  let [score, tiedA, tiedB, pairs] = [0, 0, 0, 0];
  for (let i = 0; i < a.length; i++) {
    for (let j = i + 1; j < a.length; j++) {
      const [da, db] = [Math.sign(a[i] - a[j]), Math.sign(b[i] - b[j])];
      pairs++;
      if (da === 0) tiedA++;
      if (db === 0) tiedB++;
      score += da * db;
    }
  }
  const denominator = Math.sqrt((pairs - tiedA) * (pairs - tiedB));
  return denominator === 0 ? NaN : score / denominator;
}

/**
 * The fraction of pairs (i, j) with b_i != b_j that `a` orders the same way as `b` (a tie in `a`
 * counts half): NAO's pairwise accuracy of a predictor, 0.5 by chance, 1 when it ranks perfectly.
 */
export function pairwiseAccuracy(a: readonly number[], b: readonly number[]): number {
  if (a.length !== b.length) throw new NasbookError(`pairwise accuracy needs two lists of the same length; got ${a.length} and ${b.length}`);
  let [agree, pairs] = [0, 0];
  for (let i = 0; i < a.length; i++) {
    for (let j = i + 1; j < a.length; j++) {
      if (b[i] === b[j]) continue;
      pairs++;
      const product = (a[i] - a[j]) * (b[i] - b[j]);
      agree += product > 0 ? 1 : product === 0 ? 0.5 : 0;
    }
  }
  if (pairs === 0) throw new NasbookError("pairwise accuracy needs two values of b that differ");
  return agree / pairs;
}

/** Two rank correlations compared: the gap of their Fisher z = atanh(rho), and whether it is beyond 2 standard errors. */
export interface CorrelationGap {
  /** atanh(a) - atanh(b). */
  readonly zGap: number;
  readonly standardError: number;
  readonly verdict: "too-few" | "within" | "beyond";
}

/**
 * Whether Spearman's rho over `na` items and over `nb` items differ by more than sampling moves
 * them: atanh(rho) is about normal with variance 1.06 / (n - 3) (Fieller, Hartley & Pearson 1957).
 * The two are treated as independent; rhos over the same items move together, so for them this
 * test is conservative (a `beyond` holds, a `within` may hide a real gap).
 */
export function correlationGap(a: number, na: number, b: number, nb: number): CorrelationGap {
  const standardError = Math.sqrt(1.06 / (na - 3) + 1.06 / (nb - 3));
  const zGap = Math.atanh(a) - Math.atanh(b);
  const comparable = na > 3 && nb > 3 && Number.isFinite(zGap);
  return { zGap, standardError, verdict: !comparable ? "too-few" : Math.abs(zGap) <= 2 * standardError ? "within" : "beyond" };
}

/** How well a cheap proxy (inherited accuracy, a SMASH score) orders items as their true values do. */
export interface RankingAgreement {
  readonly items: number;
  readonly spearman: number;
  readonly kendall: number;
  /** Spearman's rho against no correlation at all. */
  readonly vsZero: CorrelationGap;
}

export function rankingAgreement(proxy: readonly number[], truth: readonly number[]): RankingAgreement {
  const rho = spearman(proxy, truth);
  return { items: proxy.length, spearman: rho, kendall: kendallTau(proxy, truth), vsZero: correlationGap(rho, proxy.length, 0, Infinity) };
}
