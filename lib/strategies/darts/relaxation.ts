/**
 * How a search mixes each edge's ops: DARTS's softmax over all of them, or GDAS's sampled one
 * op per edge (Gumbel-softmax, annealed). The bilevel search asks its relaxation for every
 * forward pass's mixing and never branches on which it has, as NASLib gives DARTS and GDAS
 * their own optimiser classes.
 */
import type { Rng } from "../../core/random";
import type { Mixing, Supernet } from "../../spaces/supernet";
import { GumbelSample, argmaxMixing, gdasTemperature } from "./gumbel";
import type { MixingSource } from "./hypergradient";

export interface Relaxation<K extends string> {
  /** GDAS updates the weights before alpha, as its code does; DARTS alpha first (Algorithm 1). */
  readonly weightsFirst: boolean;
  /** The temperature at `epoch` (0-based); null when there is none (softmax). */
  temperature(epoch: number): number | null;
  /** Runs one step's passes with the mixing for `epoch`; what was drawn for them is freed after. */
  during<T>(epoch: number, step: (mixing: MixingSource<K>) => T): T;
  /** The mixing used to score the supernet; the caller disposes its weights. */
  evaluationMixing(): Mixing<K>;
}

/** DARTS: every op runs, weighted by softmax(alpha). */
export class SoftmaxRelaxation<K extends string> implements Relaxation<K> {
  readonly weightsFirst = false;

  constructor(private readonly supernet: Supernet<K>) {}

  temperature(): null {
    return null;
  }

  during<T>(_epoch: number, step: (mixing: MixingSource<K>) => T): T {
    return step(() => this.supernet.softmaxMixing());
  }

  evaluationMixing(): Mixing<K> {
    return this.supernet.softmaxMixing();
  }
}

/** GDAS: one hard, straight-through Gumbel sample per step; scored with each edge's likeliest op. */
export class GumbelRelaxation<K extends string> implements Relaxation<K> {
  readonly weightsFirst = true;

  constructor(
    private readonly supernet: Supernet<K>,
    /** [tauMax, tauMin], linear over the search's epochs. */
    private readonly tau: readonly [number, number],
    private readonly epochs: number,
    private readonly rng: Rng,
  ) {}

  temperature(epoch: number): number {
    return gdasTemperature(epoch, this.epochs, ...this.tau);
  }

  during<T>(epoch: number, step: (mixing: MixingSource<K>) => T): T {
    const sample = new GumbelSample(this.supernet.alphas, this.temperature(epoch), this.rng);
    try {
      return step(() => sample.mixing());
    } finally {
      sample.dispose();
    }
  }

  evaluationMixing(): Mixing<K> {
    return argmaxMixing(this.supernet.alphas);
  }
}
