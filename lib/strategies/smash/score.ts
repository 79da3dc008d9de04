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
import type { Json, ProgressCallback } from "../../core/types";
import type { Subset } from "../../data/batches";
import { accuracyOf } from "../../evaluators/training";
import type { Nb201Genotype } from "../../spaces/nb201/genotypes";
import { Nb201Space } from "../../spaces/nb201/space";
import type { HyperNetModel } from "./training";

export type ScoredArchitecture<G extends Json = Nb201Genotype> = {
  genotype: G;
  /** The space's description (NAS-Bench-201's architecture string). */
  arch: string;
  /** Validation error with generated weights. */
  score: number;
};

/** 1 - accuracy on `valid` with the HyperNet's weights for `genotype`. */
export function smashScore<G extends Json>(network: HyperNetModel<G>, genotype: G, valid: Subset, batchSize: number): number {
  return 1 - accuracyOf((x) => network.apply(x, genotype), valid, batchSize);
}

/** `count` draws of `sample` no two with the same `key`, in draw order. */
export function distinctDraws<G>(count: number, sample: () => G, key: (genotype: G) => string): G[] {
  const seen = new Set<string>();
  const drawn: G[] = [];
  for (let draws = 0; drawn.length < count; draws++) {
    if (draws > count * 100) throw new RangeError(`could not draw ${count} distinct architectures`);
    const genotype = sample();
    if (seen.has(key(genotype))) continue;
    seen.add(key(genotype));
    drawn.push(genotype);
  }
  return drawn;
}

/** `count` random cells, no two computing the same function (canonical keys differ), in draw order. */
export function distinctRandomCells(count: number, seed: number): Nb201Genotype[] {
  const space = new Nb201Space();
  const rng = new Rng(seed);
  return distinctDraws(count, () => space.sample(rng), (g) => space.canonicalKey(g));
}

/** Scores each of `genotypes`, in order. */
export async function scoreArchitectures<G extends Json>(
  network: HyperNetModel<G>,
  genotypes: readonly G[],
  valid: Subset,
  batchSize: number,
  onProgress?: ProgressCallback,
): Promise<Array<ScoredArchitecture<G>>> {
  const scored: Array<ScoredArchitecture<G>> = [];
  for (const genotype of genotypes) {
    scored.push({ genotype, arch: network.space.describe(genotype), score: smashScore(network, genotype, valid, batchSize) });
    onProgress?.(scored.length, genotypes.length, `scored ${scored.length}/${genotypes.length}`);
    await new Promise((resolve) => setImmediate(resolve));
  }
  return scored;
}

/** The `k` lowest scores (ties: the earlier drawn), best first. */
export function bestScored<S extends { score: number }>(scored: readonly S[], k: number): S[] {
  return scored
    .map((s, i) => [s, i] as const)
    .sort((a, b) => a[0].score - b[0].score || a[1] - b[1])
    .slice(0, k)
    .map(([s]) => s);
}
