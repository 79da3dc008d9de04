/** Summary statistics of plain number lists (rewards, losses, accuracies over seeds). */
import { NasbookError } from "./errors";

export function mean(values: readonly number[]): number {
  if (values.length === 0) throw new NasbookError("mean of an empty list");
  return values.reduce((sum, v) => sum + v, 0) / values.length;
}

/** The middle value (the upper of the two middle ones for an even count), as the timings report it. */
export function median(values: readonly number[]): number {
  if (values.length === 0) throw new NasbookError("median of an empty list");
  return [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
}

/** Sample standard deviation (n - 1); 0 for a single value. */
export function std(values: readonly number[]): number {
  const m = mean(values);
  return Math.sqrt(values.reduce((sum, v) => sum + (v - m) ** 2, 0) / Math.max(1, values.length - 1));
}

/**
 * How far one measurement falls from its item's mean, from pairs of repeats (a[i], b[i]): the RMS
 * of |a - b| / sqrt(2), a benchmark's seed noise.
 */
export function pairNoise(a: readonly number[], b: readonly number[]): number {
  if (a.length !== b.length || a.length === 0) throw new NasbookError(`pairNoise needs two lists of the same, non-zero length; got ${a.length} and ${b.length}`);
  return Math.sqrt(a.reduce((sum, v, i) => sum + (v - b[i]) ** 2 / 2, 0) / a.length);
}

/** Largest minus smallest value: how far runs that differ only in their seed fall apart. */
export function spread(values: readonly number[]): number {
  if (values.length === 0) throw new NasbookError("spread of an empty list");
  return Math.max(...values) - Math.min(...values);
}

/** How two groups of runs (one value per seed) compare, and whether the gap counts. */
interface Gap {
  /** mean(a) - mean(b). */
  readonly gap: number;
  /** `too-few`: not enough runs (or a value that is not a number) to judge; `within`: not distinguishable; `beyond`: it counts. */
  readonly verdict: "too-few" | "within" | "beyond";
}

/** `within` when |gap| <= spread; two runs per group at least. */
export interface GapVsSpread extends Gap {
  /** The larger of the two groups' spreads. */
  readonly spread: number;
}

/** Judged by its noise: `within` when |gap| <= `noise`, too few below `minRuns` a group. */
function judge(a: readonly number[], b: readonly number[], noise: number, minRuns: number): Gap {
  const gap = mean(a) - mean(b);
  const comparable = a.length >= minRuns && b.length >= minRuns && Number.isFinite(gap) && Number.isFinite(noise);
  return { gap, verdict: !comparable ? "too-few" : Math.abs(gap) <= noise ? "within" : "beyond" };
}

/**
 * Whether two groups of runs (one value per seed) differ by more than seeds alone move them:
 * the notebooks' test of "method A beat method B" at budgets too small for a significance test.
 */
export function gapVsSpread(a: readonly number[], b: readonly number[]): GapVsSpread {
  const noise = Math.max(spread(a), spread(b));
  return { ...judge(a, b, noise, 2), spread: noise };
}

/** `within` when |gap| <= 2 standard errors (about 95%); three runs per group at least. */
export interface GapVsStandardError extends Gap {
  /** sqrt(var(a) / n_a + var(b) / n_b): how far the gap moves between repetitions of the whole experiment. */
  readonly standardError: number;
}

/**
 * Whether two groups of many runs (one value per seed) differ by more than chance, Welch-style:
 * with a benchmark table's hundreds of seeds a small gap can be real although single runs of the
 * two methods overlap, so the seeds' spread (gapVsSpread) would miss it.
 */
export function gapVsStandardError(a: readonly number[], b: readonly number[]): GapVsStandardError {
  const standardError = Math.sqrt(std(a) ** 2 / a.length + std(b) ** 2 / b.length);
  return { ...judge(a, b, 2 * standardError, 3), standardError };
}
