/** Random search: the baseline every method is compared with (Li & Talwalkar 2019). */
import { Rng } from "../core/random";
import type { Candidate, Json, Outcome, SearchSpace, Strategy } from "../core/types";

export class RandomSearch<G extends Json> implements Strategy<G> {
  readonly name = "random";
  private readonly rng: Rng;
  private nextId = 0;

  constructor(
    private readonly space: SearchSpace<G>,
    seed: number,
  ) {
    this.rng = new Rng(seed);
  }

  ask(): Candidate<G> {
    return { id: this.nextId++, genotype: this.space.sample(this.rng) };
  }

  /** Random search learns nothing from results. */
  tell(_candidate: Candidate<G>, _outcome: Outcome): void {}
}
