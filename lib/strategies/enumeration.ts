/**
 * Asks a fixed list of genotypes in order, whatever it is told: the "strategy" of a benchmark
 * build, which trains every cell of a small space. Running it through the multi-trial loop gives
 * the build everything a search has: worker threads, a run directory, resuming after a kill.
 */
import { NasbookError } from "../core/errors";
import type { Candidate, Json, Strategy } from "../core/types";

export class Enumeration<G extends Json> implements Strategy<G> {
  readonly name = "enumeration";
  private nextId = 0;

  constructor(private readonly genotypes: readonly G[]) {}

  ask(): Candidate<G> {
    const id = this.nextId++;
    if (id >= this.genotypes.length) throw new NasbookError(`The enumeration has ${this.genotypes.length} genotypes; trial ${id} was asked.`);
    return { id, genotype: this.genotypes[id] };
  }

  tell(): void {}
}
