/**
 * A NASNet cell pair written down as plain JSON (Zoph et al. 2018, Sec. 3). Each cell has B
 * blocks; block j reads two hidden states, applies one op to each and adds the results:
 *
 *   h_{2+j} = op0(h[inputs[0]]) + op1(h[inputs[1]]),   inputs[k] in [0, 2 + j)
 *
 * States are numbered as in DARTS: 0 is h_{i-2} (the cell before the previous one), 1 is
 * h_{i-1}, and 2 + j is block j of this cell. The two inputs may be the same state, as the
 * paper's controller allows. Block outputs that no later block reads are concatenated into
 * the cell's output. The combine is always add (NASNet-A's; the paper's concat variant changes
 * channel counts and is left out), so a genotype records no combine field.
 *
 *   {"normal": [{"inputs": [0, 1], "ops": ["sep_conv_3x3", "skip_connect"]}, ...B blocks],
 *    "reduce": [...B blocks]}
 *
 * Op names are those of `lib/spaces/operations.ts` (NASNet's identity is `skip_connect`). The
 * op set is a parameter: NASNet's 13 ops by default, ENAS's 5 for its micro space.
 */
import { GenotypeError } from "../../core/errors";
import { isRecord, oneOf } from "../../core/validate";
import { OPERATION_NAMES, type OperationName } from "../operations";

/**
 * The 13 ops of NASNet's Sec. 3 in its listing order: identity, 1x3-then-3x1 conv, 1x7-then-7x1
 * conv, 3x3 dilated conv (here DARTS's dilated separable conv), 3x3 avg pool, 3x3/5x5/7x7 max
 * pool, 1x1 and 3x3 conv, 3x3/5x5/7x7 depthwise-separable conv (applied twice).
 */
export const NASNET_OPS: readonly OperationName[] = [
  "skip_connect",
  "conv_1x3_3x1",
  "conv_1x7_7x1",
  "dil_conv_3x3",
  "avg_pool_3x3",
  "max_pool_3x3",
  "max_pool_5x5",
  "max_pool_7x7",
  "conv_1x1",
  "conv_3x3",
  "sep_conv_3x3",
  "sep_conv_5x5",
  "sep_conv_7x7",
];

/** B in the paper. */
export const NASNET_BLOCKS = 5;

export type NasnetCellType = "normal" | "reduce";
export const NASNET_CELL_TYPES: readonly NasnetCellType[] = ["normal", "reduce"];

// Type aliases, not interfaces: only aliases are assignable to the `Json` constraint.
export type NasnetBlock = { inputs: number[]; ops: OperationName[] };
export type NasnetGenotype = { normal: NasnetBlock[]; reduce: NasnetBlock[] };

/** What a genotype is checked against: the space's op set and block count. */
export interface CellGrammar {
  readonly ops: readonly OperationName[];
  readonly blocks: number;
}

export const NASNET_GRAMMAR: CellGrammar = { ops: NASNET_OPS, blocks: NASNET_BLOCKS };

/** Checks an op list given as a space option; `none` is refused, since a zero op only deletes an input. */
export function validateOpSet(value: unknown, field = "ops"): OperationName[] {
  const allowed = OPERATION_NAMES.filter((op) => op !== "none");
  if (!Array.isArray(value) || value.length === 0) throw new GenotypeError(field, "must be a non-empty array of op names");
  const ops = value.map((op, k) => oneOf(op, allowed, `${field}[${k}]`));
  const repeated = ops.findIndex((op, k) => ops.indexOf(op) !== k);
  if (repeated >= 0) throw new GenotypeError(`${field}[${repeated}]`, `repeats ${JSON.stringify(ops[repeated])}`);
  return ops;
}

function validateBlock(value: unknown, block: number, grammar: CellGrammar, field: string): NasnetBlock {
  if (!isRecord(value)) throw new GenotypeError(field, 'must be an object like {"inputs": [0, 1], "ops": ["sep_conv_3x3", "skip_connect"]}');
  const { inputs, ops } = value;
  if (!Array.isArray(inputs) || inputs.length !== 2) throw new GenotypeError(`${field}.inputs`, "must be an array of two state indices");
  inputs.forEach((input, k) => {
    if (!Number.isInteger(input) || input < 0 || input >= block + 2) {
      throw new GenotypeError(`${field}.inputs[${k}]`, `must be an integer in [0, ${block + 2}) for block ${block}; got ${JSON.stringify(input)}`);
    }
  });
  if (!Array.isArray(ops) || ops.length !== 2) throw new GenotypeError(`${field}.ops`, "must be an array of two op names");
  return { inputs: [...inputs] as number[], ops: ops.map((op, k) => oneOf(op, grammar.ops, `${field}.ops[${k}]`)) };
}

function validateCell(value: unknown, grammar: CellGrammar, field: NasnetCellType): NasnetBlock[] {
  if (!Array.isArray(value) || value.length !== grammar.blocks) throw new GenotypeError(field, `must be an array of ${grammar.blocks} blocks`);
  return value.map((block, j) => validateBlock(block, j, grammar, `${field}[${j}]`));
}

/** Checks untrusted JSON; throws GenotypeError naming the first bad field (e.g. `reduce[3].ops[1]`). */
export function validateNasnetGenotype(value: unknown, grammar: CellGrammar = NASNET_GRAMMAR): NasnetGenotype {
  if (!isRecord(value)) throw new GenotypeError("genotype", "must be an object with normal and reduce cells");
  return { normal: validateCell(value.normal, grammar, "normal"), reduce: validateCell(value.reduce, grammar, "reduce") };
}

/** The states a cell concatenates: the blocks no later block reads (the last block always among them). */
export function unusedBlocks(blocks: readonly NasnetBlock[]): number[] {
  const read = new Set(blocks.flatMap((b) => b.inputs));
  return blocks.map((_, j) => 2 + j).filter((state) => !read.has(state));
}
