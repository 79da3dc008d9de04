/**
 * Principal component analysis of a few hundred points, for drawing embeddings in 2-D: the
 * rows are centred, the covariance's leading eigenvectors found by power iteration (with
 * deflation; the start vector is fixed, so the result is too), and each component's sign chosen
 * so that its largest entry is positive. Later points can be projected on the same axes.
 */

export interface Pca {
  /** The mean row, subtracted before projecting. */
  readonly mean: number[];
  /** Unit eigenvectors of the covariance, largest variance first. */
  readonly components: number[][];
  /** The fraction of the total variance along each component. */
  readonly explained: number[];
}

const ITERATIONS = 500;
const TOLERANCE = 1e-12;

const dot = (a: readonly number[], b: readonly number[]) => a.reduce((s, v, i) => s + v * b[i], 0);

/** The `count` leading principal components of `rows` (all of one length, at least two). */
export function pca(rows: readonly (readonly number[])[], count = 2): Pca {
  if (rows.length < 2) throw new RangeError(`pca needs at least two rows, got ${rows.length}`);
  const width = rows[0].length;
  if (rows.some((r) => r.length !== width)) throw new RangeError("pca: every row must have the same length");
  if (!Number.isInteger(count) || count < 1 || count > width) throw new RangeError(`pca: count must be an integer in [1, ${width}], got ${count}`);
  const mean = Array.from({ length: width }, (_, j) => rows.reduce((s, r) => s + r[j], 0) / rows.length);
  const centred = rows.map((r) => r.map((v, j) => v - mean[j]));
  const covariance = mean.map((_, i) => mean.map((_, j) => centred.reduce((s, r) => s + r[i] * r[j], 0) / (rows.length - 1)));
  const total = covariance.reduce((s, row, i) => s + row[i], 0);
  const components: number[][] = [];
  const explained: number[] = [];
  for (let c = 0; c < count; c++) {
    let v = mean.map((_, j) => 1 / Math.sqrt(width) + j * 1e-3);
    let eigenvalue = 0;
    for (let it = 0; it < ITERATIONS; it++) {
      const w = covariance.map((row) => dot(row, v));
      const norm = Math.sqrt(dot(w, w));
      if (norm < TOLERANCE) break;
      const next = w.map((x) => x / norm);
      const change = Math.sqrt(next.reduce((s, x, j) => s + (x - v[j]) ** 2, 0));
      v = next;
      eigenvalue = norm;
      if (change < 1e-10) break;
    }
    const largest = v.reduce((best, x) => (Math.abs(x) > Math.abs(best) ? x : best), 0);
    if (largest < 0) v = v.map((x) => -x);
    components.push(v);
    explained.push(total > 0 ? eigenvalue / total : 0);
    // Deflate: remove this direction so the next iteration finds the next one.
    for (let i = 0; i < width; i++) for (let j = 0; j < width; j++) covariance[i][j] -= eigenvalue * v[i] * v[j];
  }
  return { mean, components, explained };
}

/** `rows` in the components' coordinates. */
export function project(fit: Pca, rows: readonly (readonly number[])[]): number[][] {
  return rows.map((r) => fit.components.map((c) => dot(c, r.map((v, j) => v - fit.mean[j]))));
}
