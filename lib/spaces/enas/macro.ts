/**
 * ENAS's macro search space (Pham et al. 2018, Sec. 2.4; the code's `search_for="macro"`,
 * src/cifar10/general_child.py): a chain of L = 12 layers after a 3x3 stem, each layer one of
 * six ops {conv 3x3, sep 3x3, conv 5x5, sep 5x5, avg pool 3x3, max pool 3x3} on the layer before
 * it, plus a skip-connection bit to every earlier node (the genotype: macro-genotypes.ts; the
 * network: macro-network.ts). 6^L * 2^(L(L-1)/2) architectures, 1.6 * 10^29 at L = 12.
 * Reductions are not searched: after layers L/3 - 1 and 2L/3 - 1 (3 and 7 at L = 12, the code's
 * `pool_layers`) every node is halved in resolution by a factorized reduction.
 */
import type { Rng } from "../../core/random";
import type { BuildOptions, Decision, ImageShape, Network, SearchSpace } from "../../core/types";
import { checkTokens } from "../../core/validate";
import { mutateOneToken, sampleTokens } from "../tokens";
import {
  ENAS_MACRO_OPS,
  ENAS_MACRO_PAPER_SPACE,
  enasMacroDecisions,
  enasPoolLayers,
  validateEnasMacroGenotype,
  type EnasMacroGenotype,
  type EnasMacroLayer,
  type EnasMacroOp,
  type EnasMacroSpaceOptions,
} from "./macro-genotypes";
import { EnasMacroChild, EnasMacroNetwork } from "./macro-network";

const SHORT: Record<EnasMacroOp, string> = {
  conv_3x3: "conv3",
  sep_conv_3x3: "sep3",
  conv_5x5: "conv5",
  sep_conv_5x5: "sep5",
  avg_pool_3x3: "avg3",
  max_pool_3x3: "max3",
};

export class EnasMacroSpace implements SearchSpace<EnasMacroGenotype> {
  readonly name = "enas-macro";
  readonly poolLayers: readonly number[];

  constructor(readonly options: EnasMacroSpaceOptions = ENAS_MACRO_PAPER_SPACE) {
    if (!Number.isInteger(options.layers) || options.layers < 3) throw new RangeError(`EnasMacroSpace needs layers >= 3 (two reductions), got ${options.layers}`);
    if (!Number.isInteger(options.channels) || options.channels < 2 || options.channels % 2 !== 0) {
      throw new RangeError(`EnasMacroSpace needs an even channel count >= 2 (factorized reductions), got ${options.channels}`);
    }
    this.poolLayers = enasPoolLayers(options.layers);
  }

  decisions(): Decision[] {
    return enasMacroDecisions(this.options.layers);
  }

  encode(value: EnasMacroGenotype): number[] {
    return this.validate(value).layers.flatMap((l) => [ENAS_MACRO_OPS.indexOf(l.op), ...l.skips]);
  }

  decode(tokens: readonly number[]): EnasMacroGenotype {
    checkTokens(tokens, this.decisions());
    let k = 0;
    const layers = Array.from({ length: this.options.layers }, (_, i): EnasMacroLayer => {
      const op = ENAS_MACRO_OPS[tokens[k++]];
      return { op, skips: tokens.slice(k, (k += i)) };
    });
    return { layers };
  }

  /** Uniform over tokens: each op equally likely, each skip present with probability 1/2. */
  sample(rng: Rng): EnasMacroGenotype {
    return this.decode(sampleTokens(this.decisions(), rng));
  }

  /** Changes one decision (a layer's op or one skip bit) to another value. */
  mutate(value: EnasMacroGenotype, rng: Rng): EnasMacroGenotype {
    return this.decode(mutateOneToken(this.encode(value), this.decisions(), rng));
  }

  validate(value: unknown): EnasMacroGenotype {
    return validateEnasMacroGenotype(value, this.options.layers);
  }

  /** One line, `0:conv3 | 1:sep5 | 2:max3+0,1 /2`; `+` lists the nodes a layer adds (0 the stem), `/2` a reduction after it. */
  describe(value: EnasMacroGenotype): string {
    return this.validate(value)
      .layers.map((l, i) => {
        const added = l.skips.flatMap((b, j) => (b === 1 ? [j] : []));
        const pool = this.poolLayers.includes(i) ? " /2" : "";
        return `${i}:${SHORT[l.op]}${added.length > 0 ? `+${added.join(",")}` : ""}${pool}`;
      })
      .join(" | ");
  }

  /** The searched network restricted to the genotype's ops (one op per layer, its skips fixed). */
  build(value: EnasMacroGenotype, input: ImageShape, numClasses: number, rng: Rng, options: BuildOptions = {}): Network {
    const genotype = this.validate(value);
    const channels = 2 * Math.max(1, Math.round((this.options.channels * (options.widthMultiplier ?? 1)) / 2));
    const net = new EnasMacroNetwork({ ...this.options, channels }, input, numClasses, rng, genotype.layers.map((l) => [l.op]));
    return new EnasMacroChild(net, this.encode(genotype), input);
  }
}
