/**
 * SMASH's score (Brock et al. 2018, section 3): an architecture's validation error with the
 * weights the HyperNet generates for it, no training of its own. Many random architectures are
 * scored this way and the lowest-scoring few are trained from scratch; the score is only useful
 * insofar as it ranks architectures as their true error after training does, which the
 * notebook measures with Spearman's rho and Kendall's tau.
 *
 * Every architecture sees the same validation images in the same batches, so scores differ by
 * the architecture alone.
 */
import { Rng } from "../../core/random";
import type { ProgressCallback } from "../../core/types";
import type { Subset } from "../../data/batches";
import { accuracyOf } from "../../evaluators/training";
import { formatNb201, type Nb201Genotype } from "../../spaces/nb201/genotypes";
import { Nb201Space } from "../../spaces/nb201/space";
import type { GeneratedNetwork } from "./generated-network";

export type ScoredArchitecture = {
  genotype: Nb201Genotype;
  /** NAS-Bench-201's architecture string. */
  arch: string;
  /** Validation error with generated weights. */
  score: number;
};

/** 1 - accuracy on `valid` with the HyperNet's weights for `genotype`. */
export function smashScore(network: GeneratedNetwork, genotype: Nb201Genotype, valid: Subset, batchSize: number): number {
  return 1 - accuracyOf((x) => network.apply(x, genotype), valid, batchSize);
}

/** `count` random cells, no two computing the same function (canonical keys differ), in draw order. */
export function distinctRandomCells(count: number, seed: number): Nb201Genotype[] {
  const space = new Nb201Space();
  const rng = new Rng(seed);
  const seen = new Set<string>();
  const cells: Nb201Genotype[] = [];
  for (let draws = 0; cells.length < count; draws++) {
    if (draws > count * 100) throw new RangeError(`could not draw ${count} distinct NAS-Bench-201 cells`);
    const genotype = space.sample(rng);
    const key = space.canonicalKey(genotype);
    if (seen.has(key)) continue;
    seen.add(key);
    cells.push(genotype);
  }
  return cells;
}

/** Scores each of `genotypes`, in order. */
export async function scoreArchitectures(
  network: GeneratedNetwork,
  genotypes: readonly Nb201Genotype[],
  valid: Subset,
  batchSize: number,
  onProgress?: ProgressCallback,
): Promise<ScoredArchitecture[]> {
  const scored: ScoredArchitecture[] = [];
  for (const genotype of genotypes) {
    scored.push({ genotype, arch: formatNb201(genotype), score: smashScore(network, genotype, valid, batchSize) });
    onProgress?.(scored.length, genotypes.length, `scored ${scored.length}/${genotypes.length}`);
    await new Promise((resolve) => setImmediate(resolve));
  }
  return scored;
}

/** The `k` lowest scores (ties: the earlier drawn), best first. */
export function bestScored(scored: readonly ScoredArchitecture[], k: number): ScoredArchitecture[] {
  return scored
    .map((s, i) => [s, i] as const)
    .sort((a, b) => a[0].score - b[0].score || a[1] - b[1])
    .slice(0, k)
    .map(([s]) => s);
}
