/**
 * Regularized (aging) evolution, Real et al. 2019: tournament selection on a sample of the
 * population, mutate the winner, add the child and remove the OLDEST member, not the worst.
 * Aging keeps the population young, so a lucky early score cannot dominate forever.
 * `aging: false` is the paper's non-regularized control: the WORST member dies, so a member
 * lives as long as it scores well, however noisy that score was.
 * The paper's identity mutation (the child is a copy of the parent, trained again) is taken
 * with `identityProbability`; otherwise the space's own mutation changes something.
 */
import { Rng } from "../core/random";
import type { Candidate, Json, Outcome, SearchSpace, Strategy } from "../core/types";

export interface EvolutionOptions {
  /** P in the paper (100); the first P candidates are random samples. */
  readonly populationSize: number;
  /** S in the paper (25): how many members compete for each mutation. */
  readonly sampleSize: number;
  /** Remove the oldest member (true, the default) or the worst (false). */
  readonly aging?: boolean;
  /** Chance that a child is an unchanged copy of its parent (0 when absent). */
  readonly identityProbability?: number;
}

export interface Member<G> {
  readonly genotype: G;
  readonly fitness: number;
}

export class RegularizedEvolution<G extends Json> implements Strategy<G> {
  readonly name = "evolution";
  private readonly rng: Rng;
  /** Oldest first. */
  private readonly population: Member<G>[] = [];
  private nextId = 0;

  constructor(
    private readonly space: SearchSpace<G>,
    readonly options: EvolutionOptions,
    seed: number,
  ) {
    if (options.sampleSize < 1 || options.sampleSize > options.populationSize) {
      throw new RangeError(`Evolution needs 1 <= sampleSize <= populationSize, got S=${options.sampleSize}, P=${options.populationSize}`);
    }
    const identity = options.identityProbability ?? 0;
    if (!(identity >= 0 && identity <= 1)) throw new RangeError(`Evolution needs 0 <= identityProbability <= 1, got ${identity}`);
    this.rng = new Rng(seed);
  }

  /** The current population, oldest first. */
  get members(): readonly Member<G>[] {
    return this.population;
  }

  ask(): Candidate<G> {
    const id = this.nextId++;
    if (this.population.length < this.options.populationSize) return { id, genotype: this.space.sample(this.rng) };
    const parent = this.tournamentWinner();
    // Drawn only when asked for, so runs without identity mutations keep their random sequence.
    const identity = (this.options.identityProbability ?? 0) > 0 && this.rng.next() < this.options.identityProbability!;
    return { id, genotype: identity ? parent : this.space.mutate(parent, this.rng) };
  }

  /** A failed child never joins the population (it has no fitness), so it cannot age anyone out. */
  tell(candidate: Candidate<G>, outcome: Outcome): void {
    if (outcome.status !== "ok" || !outcome.metrics) return;
    this.population.push({ genotype: candidate.genotype, fitness: outcome.metrics.validAccuracy });
    if (this.population.length > this.options.populationSize) this.population.splice(this.victim(), 1);
  }

  /** Who dies: the oldest, or without aging the worst (the oldest of the worst on a tie). */
  private victim(): number {
    if (this.options.aging ?? true) return 0;
    return this.population.reduce((worst, m, i) => (m.fitness < this.population[worst].fitness ? i : worst), 0);
  }

  private tournamentWinner(): G {
    let best: Member<G> | null = null;
    for (let i = 0; i < this.options.sampleSize; i++) {
      const member = this.population[this.rng.int(this.population.length)];
      if (!best || member.fitness > best.fitness) best = member;
    }
    return (best as Member<G>).genotype;
  }
}
