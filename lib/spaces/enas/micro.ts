/**
 * ENAS's micro search space (Pham et al. 2018, Sec. 2.3): a normal and a reduction cell of
 * B = 5 nodes, each reading two earlier states and applying one op to each, from ENAS's five
 * {sep 3x3, sep 5x5, avg pool 3x3, max pool 3x3, identity}; the nodes no later node reads are
 * concatenated. That is NASNet's cell with ENAS's op set, so a micro genotype is a
 * `NasnetGenotype` and the space is `NasnetSpace` with these ops (kind "nasnet" in the
 * registry: a worker thread rebuilds it from its options). What is ENAS's own is the op set
 * and the code's way of writing a cell down, its `fixed_arc`: per node "input, op, input, op"
 * with ENAS's op ids (0 sep 3x3, 1 sep 5x5, 2 avg pool, 3 max pool, 4 identity), the normal
 * cell's 20 integers then the reduction cell's.
 */
import { GenotypeError } from "../../core/errors";
import { NASNET_CELL_TYPES, validateNasnetGenotype, type CellGrammar, type NasnetBlock, type NasnetGenotype } from "../nasnet/genotypes";
import type { NasnetNetworkOptions } from "../nasnet/network";
import { NasnetSpace } from "../nasnet/space";
import type { OperationName } from "../operations";

/** In ENAS's op-id order; ENAS's identity is nasbook's `skip_connect`. */
export const ENAS_MICRO_OPS: readonly OperationName[] = ["sep_conv_3x3", "sep_conv_5x5", "avg_pool_3x3", "max_pool_3x3", "skip_connect"];

export const ENAS_MICRO_BLOCKS = 5;

export const ENAS_MICRO_GRAMMAR: CellGrammar = { ops: ENAS_MICRO_OPS, blocks: ENAS_MICRO_BLOCKS };

/** The cells ENAS found on CIFAR-10 and trained to 2.89% error (scripts/cifar10_micro_final.sh, the paper's Fig. 7). */
export const ENAS_MICRO_FINAL_ARC =
  "0 2 0 0 0 4 0 1 0 4 1 1 1 0 0 1 0 2 1 1 " + // normal
  "1 0 1 0 0 3 0 2 1 1 3 1 1 0 0 4 0 3 1 1"; // reduction

/** ENAS's micro space over networks of N normal cells per stage and C channels. */
export function enasMicroSpace(network: NasnetNetworkOptions): NasnetSpace {
  return new NasnetSpace({ ...network, ops: ENAS_MICRO_OPS, blocks: ENAS_MICRO_BLOCKS });
}

/** Checks untrusted JSON against ENAS's ops and B; throws GenotypeError naming the first bad field. */
export function validateEnasMicroGenotype(value: unknown): NasnetGenotype {
  return validateNasnetGenotype(value, ENAS_MICRO_GRAMMAR);
}

const PER_NODE = 4;
const PER_CELL = PER_NODE * ENAS_MICRO_BLOCKS;

/** A `fixed_arc` (a string of 40 integers, or the integers) as a genotype; errors name the bad position, `arc[k]`. */
export function fromEnasArc(arc: string | readonly number[], field = "arc"): NasnetGenotype {
  const given: ReadonlyArray<string | number> = typeof arc === "string" ? arc.trim().split(/\s+/) : arc;
  const numbers = given.map(Number);
  if (numbers.length !== 2 * PER_CELL) {
    throw new GenotypeError(field, `must hold ${2 * PER_CELL} integers, the normal cell's ${PER_CELL} then the reduction cell's (per node: input, op, input, op); got ${numbers.length}`);
  }
  numbers.forEach((value, k) => {
    const node = Math.floor((k % PER_CELL) / PER_NODE);
    const isOp = k % 2 === 1;
    const limit = isOp ? ENAS_MICRO_OPS.length : node + 2;
    if (!Number.isInteger(value) || value < 0 || value >= limit) {
      const what = isOp ? `an ENAS op id in [0, ${limit})` : `a state index in [0, ${limit}) for node ${node}`;
      throw new GenotypeError(`${field}[${k}]`, `must be ${what}; got ${JSON.stringify(given[k])}`);
    }
  });
  const [normal, reduce] = NASNET_CELL_TYPES.map((_, c) =>
    Array.from({ length: ENAS_MICRO_BLOCKS }, (_, j): NasnetBlock => {
      const [a, opA, b, opB] = numbers.slice(c * PER_CELL + PER_NODE * j, c * PER_CELL + PER_NODE * (j + 1));
      return { inputs: [a, b], ops: [ENAS_MICRO_OPS[opA], ENAS_MICRO_OPS[opB]] };
    }),
  );
  return validateEnasMicroGenotype({ normal, reduce });
}

/** The genotype as ENAS's code writes it: 40 integers, normal cell first. */
export function toEnasArc(value: NasnetGenotype): number[] {
  const genotype = validateEnasMicroGenotype(value);
  return NASNET_CELL_TYPES.flatMap((type) => genotype[type].flatMap((b) => [b.inputs[0], ENAS_MICRO_OPS.indexOf(b.ops[0]), b.inputs[1], ENAS_MICRO_OPS.indexOf(b.ops[1])]));
}
