/**
 * The NASNet cell space as a `SearchSpace`, so the controller (PPO or REINFORCE), regularized
 * evolution and random search all search the same cells. The op set and block count are
 * options: the defaults are NASNet's 13 ops and B = 5; ENAS's micro space is this space with
 * its 5 ops.
 *
 * Tokens follow the paper's controller (Sec. 3, Fig. 3), per cell (normal, then reduce) and
 * block: first input, second input, op for the first, op for the second; the combine is
 * always add, so there is no fifth softmax. 2 x 4B = 40 decisions at B = 5.
 *
 * Mutations are AmoebaNet's (Real et al. 2019, Fig. 3): pick a cell and a block, then either
 * move one of its inputs to another state of the cell (hidden-state mutation) or replace one of
 * its ops by another (op mutation), with equal chance. The paper's third, identity mutation (a
 * copy of the parent, retrained) belongs to the strategy: `mutate` always changes something,
 * as every space's does.
 */
import { GenotypeError } from "../../core/errors";
import type { Rng } from "../../core/random";
import { checkTokens } from "../../core/validate";
import type { BuildOptions, Decision, ImageShape, Network, SearchSpace } from "../../core/types";
import type { OperationName } from "../operations";
import {
  NASNET_BLOCKS,
  NASNET_CELL_TYPES,
  NASNET_OPS,
  unusedBlocks,
  validateNasnetGenotype,
  validateOpSet,
  type CellGrammar,
  type NasnetBlock,
  type NasnetGenotype,
} from "./genotypes";
import { NasnetNetwork, type NasnetNetworkOptions } from "./network";

export interface NasnetSpaceOptions extends NasnetNetworkOptions {
  /** The ops a block may apply (NASNET_OPS when absent). */
  readonly ops?: readonly OperationName[];
  /** B: blocks per cell (5 when absent). */
  readonly blocks?: number;
}

/** Tokens per block: two inputs, two ops. */
const TOKENS_PER_BLOCK = 4;

export class NasnetSpace implements SearchSpace<NasnetGenotype> {
  readonly name = "nasnet";
  readonly grammar: CellGrammar;

  constructor(readonly options: NasnetSpaceOptions) {
    const blocks = options.blocks ?? NASNET_BLOCKS;
    if (!Number.isInteger(blocks) || blocks < 1) throw new GenotypeError("blocks", `must be an integer >= 1, got ${JSON.stringify(blocks)}`);
    this.grammar = { ops: validateOpSet(options.ops ?? NASNET_OPS), blocks };
  }

  /** The network options `build` uses (N, C, stem), without the cell grammar. */
  get network(): NasnetNetworkOptions {
    const { repeats, channels, stemMultiplier, stemStride } = this.options;
    return { repeats, channels, stemMultiplier, stemStride };
  }

  /** How many token sequences (genotypes) there are, exactly: per block (j + 2)^2 K^2, over both cells. */
  size(): bigint {
    const k = BigInt(this.grammar.ops.length);
    let perCell = 1n;
    for (let j = 0; j < this.grammar.blocks; j++) perCell *= BigInt(j + 2) ** 2n * k ** 2n;
    return perCell ** 2n;
  }

  sample(rng: Rng): NasnetGenotype {
    const cell = (): NasnetBlock[] =>
      Array.from({ length: this.grammar.blocks }, (_, j) => ({
        inputs: [rng.int(j + 2), rng.int(j + 2)],
        ops: [rng.choice(this.grammar.ops), rng.choice(this.grammar.ops)],
      }));
    return { normal: cell(), reduce: cell() };
  }

  mutate(value: NasnetGenotype, rng: Rng): NasnetGenotype {
    const child = structuredClone(this.validate(value));
    const j = rng.int(this.grammar.blocks);
    const block = child[rng.choice(NASNET_CELL_TYPES)][j];
    const k = rng.int(2);
    const states = Array.from({ length: j + 2 }, (_, s) => s);
    // Block 0 has two states to choose from, so a hidden-state mutation is always possible.
    if (rng.next() < 0.5 || this.grammar.ops.length < 2) block.inputs[k] = rng.choiceExcept(states, block.inputs[k]);
    else block.ops[k] = rng.choiceExcept(this.grammar.ops, block.ops[k]);
    return child;
  }

  validate(value: unknown): NasnetGenotype {
    return validateNasnetGenotype(value, this.grammar);
  }

  decisions(): Decision[] {
    const ops = this.grammar.ops.length;
    return NASNET_CELL_TYPES.flatMap((type) =>
      Array.from({ length: this.grammar.blocks }, (_, j) => [
        { name: `${type}.block${j}.input0`, choices: j + 2 },
        { name: `${type}.block${j}.input1`, choices: j + 2 },
        { name: `${type}.block${j}.op0`, choices: ops },
        { name: `${type}.block${j}.op1`, choices: ops },
      ]).flat(),
    );
  }

  encode(value: NasnetGenotype): number[] {
    const genotype = this.validate(value);
    return NASNET_CELL_TYPES.flatMap((type) => genotype[type].flatMap((b) => [...b.inputs, ...b.ops.map((op) => this.grammar.ops.indexOf(op))]));
  }

  decode(tokens: readonly number[]): NasnetGenotype {
    checkTokens(tokens, this.decisions());
    const perCell = TOKENS_PER_BLOCK * this.grammar.blocks;
    const [normal, reduce] = NASNET_CELL_TYPES.map((_, c) =>
      Array.from({ length: this.grammar.blocks }, (_, j) => {
        const [a, b, opA, opB] = tokens.slice(c * perCell + TOKENS_PER_BLOCK * j, c * perCell + TOKENS_PER_BLOCK * (j + 1));
        return { inputs: [a, b], ops: [this.grammar.ops[opA], this.grammar.ops[opB]] };
      }),
    );
    return { normal, reduce };
  }

  /** One line per cell: `2=sep_conv_3x3(0)+skip_connect(1) ... concat 4 6`. */
  describe(value: NasnetGenotype): string {
    const genotype = this.validate(value);
    const cell = (blocks: readonly NasnetBlock[]) =>
      blocks.map((b, j) => `${j + 2}=${b.ops[0]}(${b.inputs[0]})+${b.ops[1]}(${b.inputs[1]})`).join(" ") + ` concat ${unusedBlocks(blocks).join(" ")}`;
    return `normal: ${cell(genotype.normal)}\nreduce: ${cell(genotype.reduce)}`;
  }

  build(value: NasnetGenotype, input: ImageShape, numClasses: number, rng: Rng, options: BuildOptions = {}): Network {
    const genotype = this.validate(value);
    const multiplier = options.widthMultiplier ?? 1;
    // The factorized reduce needs an even channel count.
    const channels = Math.max(2, 2 * Math.round((this.options.channels * multiplier) / 2));
    return new NasnetNetwork(genotype, { ...this.network, channels }, input, numClasses, rng);
  }
}
