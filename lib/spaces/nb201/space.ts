/**
 * The NAS-Bench-201 space as a `SearchSpace`: six categorical decisions, one op per edge, each
 * of the five ops allowed anywhere. Sampling is uniform over the 15,625 architecture strings
 * (not over the 6,466 classes), and mutation changes one edge's op, as the benchmark's REA does.
 */
import type { Rng } from "../../core/random";
import type { BuildOptions, Decision, ImageShape, Network, TabulatedSpace } from "../../core/types";
import { checkTokens } from "../../core/validate";
import { nb201CanonicalKey, uniqueNb201Genotypes } from "./canonical";
import { NB201_EDGES, NB201_OPS, formatNb201, parseNb201, validateNb201Genotype, type Nb201Genotype } from "./genotypes";
import { Nb201Network } from "./network";
import { NB201_PAPER_NETWORK, checkNb201NetworkOptions, type Nb201NetworkOptions } from "./skeleton";

export class Nb201Space implements TabulatedSpace<Nb201Genotype> {
  readonly name = "nb201";
  /** What `build` makes; options left out take the paper's values. */
  readonly network: Nb201NetworkOptions;

  constructor(network: Partial<Nb201NetworkOptions> = {}) {
    this.network = { ...NB201_PAPER_NETWORK, ...network };
    checkNb201NetworkOptions(this.network);
  }

  sample(rng: Rng): Nb201Genotype {
    return { edges: NB201_EDGES.map(() => rng.choice(NB201_OPS)) };
  }

  mutate(value: Nb201Genotype, rng: Rng): Nb201Genotype {
    const genotype = this.validate(value);
    const edges = [...genotype.edges];
    const k = rng.int(edges.length);
    edges[k] = rng.choiceExcept(NB201_OPS, edges[k]);
    return { edges };
  }

  validate(value: unknown): Nb201Genotype {
    return validateNb201Genotype(value);
  }

  decisions(): Decision[] {
    return NB201_EDGES.map((e) => ({ name: e.name, choices: NB201_OPS.length, picks: "op" as const }));
  }

  encode(genotype: Nb201Genotype): number[] {
    return validateNb201Genotype(genotype).edges.map((op) => NB201_OPS.indexOf(op));
  }

  decode(tokens: readonly number[]): Nb201Genotype {
    checkTokens(tokens, this.decisions());
    return { edges: tokens.map((t) => NB201_OPS[t]) };
  }

  describe(value: Nb201Genotype): string {
    const genotype = this.validate(value);
    return formatNb201(genotype);
  }

  /** NAS-Bench-201's architecture string. */
  toArch(genotype: Nb201Genotype): string {
    return formatNb201(this.validate(genotype));
  }

  fromArch(arch: string): Nb201Genotype {
    return parseNb201(arch);
  }

  canonicalKey(genotype: Nb201Genotype): string {
    return nb201CanonicalKey(this.validate(genotype));
  }

  uniqueGenotypes(): Nb201Genotype[] {
    return uniqueNb201Genotypes();
  }

  build(value: Nb201Genotype, input: ImageShape, numClasses: number, rng: Rng, options: BuildOptions = {}): Network {
    const genotype = this.validate(value);
    const channels = Math.max(1, Math.round(this.network.channels * (options.widthMultiplier ?? 1)));
    return new Nb201Network(genotype, { ...this.network, channels }, input, numClasses, rng);
  }
}
