/**
 * The encoding SMASH's HyperNet reads (Brock et al. 2018, section 3.1), for NAS-Bench-201's cell:
 * a [6 edges x 5 ops] one-hot tensor, row k the op on edge k. Rows and columns are named (edge
 * `node2.from1`, op `nor_conv_3x3`) so a notebook can print it as a table.
 *
 * The HyperNet generates one weight slice per (cell, edge): its input for that slot is the whole
 * cell's encoding, flattened, with a one-hot of the edge and one of the cell's position, so the
 * weights an edge gets depend on its place and on the rest of the cell (SMASH's HyperNet is
 * convolutional over its encoding for the same reason: a slice sees its neighbourhood).
 */
import * as tf from "@tensorflow/tfjs";
import { NB201_EDGES, NB201_OPS, validateNb201Genotype, type Nb201Genotype } from "../../spaces/nb201/genotypes";

/** One architecture's encoding as plain numbers, with the names of its rows and columns. */
export interface ArchitectureEncoding {
  /** Edge names, NB201_EDGES's order. */
  readonly rows: readonly string[];
  /** Op names, NB201_OPS's order. */
  readonly columns: readonly string[];
  /** values[k][j] = 1 when edge k carries op j. */
  readonly values: number[][];
}

export function encodeNb201(value: Nb201Genotype): ArchitectureEncoding {
  const { edges } = validateNb201Genotype(value);
  return {
    rows: NB201_EDGES.map((e) => e.name),
    columns: [...NB201_OPS],
    values: edges.map((op) => NB201_OPS.map((o) => (o === op ? 1 : 0))),
  };
}

/** Length of one slot's input: the flattened encoding, the edge's one-hot and the cell's. */
export function slotInputSize(cells: number): number {
  return NB201_EDGES.length * NB201_OPS.length + NB201_EDGES.length + cells;
}

/**
 * [cells x 6, slotInputSize(cells)]: row (c * 6 + k) is the input of cell c's edge k. Every
 * cell reads the same encoding (NAS-Bench-201 repeats one cell), told apart by its position.
 */
export function slotInputs(encoding: ArchitectureEncoding, cells: number): tf.Tensor2D {
  const flat = encoding.values.flat();
  const rows: number[][] = [];
  for (let c = 0; c < cells; c++) {
    for (let k = 0; k < NB201_EDGES.length; k++) {
      rows.push([...flat, ...NB201_EDGES.map((_, e) => (e === k ? 1 : 0)), ...Array.from({ length: cells }, (_, i) => (i === c ? 1 : 0))]);
    }
  }
  return tf.tensor2d(rows);
}
