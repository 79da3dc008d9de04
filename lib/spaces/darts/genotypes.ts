/**
 * A DARTS cell written down as plain JSON, in the shape of quark0/darts's `Genotype`:
 * each of the 4 intermediate nodes keeps two incoming edges, listed node by node, so
 * `normal[2 * i]` and `normal[2 * i + 1]` feed node i. Inputs are numbered as in the paper:
 * 0 is c_{k-2}, 1 is c_{k-1}, and 2 + j is intermediate node j.
 */
import { GenotypeError } from "../../core/errors";
import { isRecord, oneOf } from "../../core/validate";

/** quark0/darts's PRIMITIVES, in its order: the columns of every alpha matrix. */
export const DARTS_OPS = [
  "none",
  "max_pool_3x3",
  "avg_pool_3x3",
  "skip_connect",
  "sep_conv_3x3",
  "sep_conv_5x5",
  "dil_conv_3x3",
  "dil_conv_5x5",
] as const;
export type DartsOp = (typeof DARTS_OPS)[number];

/** The ops a derived cell may keep: `none` only ever means "drop this edge". */
export const CELL_OPS: readonly DartsOp[] = DARTS_OPS.filter((op) => op !== "none");

/** Intermediate nodes per cell. */
export const STEPS = 4;
/** Edges of the supernet cell: node j has 2 + j predecessors, 2 + 3 + 4 + 5 = 14. */
export const EDGE_COUNT = (STEPS * (STEPS + 3)) / 2;
/** A DARTS cell outputs all its intermediate nodes, concatenated. */
export const CONCAT = [2, 3, 4, 5];

export type CellType = "normal" | "reduce";
export const CELL_TYPES: readonly CellType[] = ["normal", "reduce"];

// Type aliases, not interfaces: only aliases are assignable to the `Json` constraint.
export type DartsEdge = { op: DartsOp; input: number };

export type DartsGenotype = {
  normal: DartsEdge[];
  normal_concat: number[];
  reduce: DartsEdge[];
  reduce_concat: number[];
};

/** Supernet edge index of (node j, input i), in the order quark0 builds them: node by node, inputs ascending. */
export function edgeIndex(node: number, input: number): number {
  return (node * (node + 3)) / 2 + input;
}

/** Each supernet edge's name ("node 0 ← c_{k-2}"), in `edgeIndex` order: the rows of an alpha. */
export const EDGE_NAMES: readonly string[] = Array.from({ length: STEPS }, (_, node) =>
  Array.from({ length: node + 2 }, (_, input) => `node ${node} ← ${input === 0 ? "c_{k-2}" : input === 1 ? "c_{k-1}" : `node ${input - 2}`}`),
).flat();

function validateEdge(value: unknown, node: number, field: string): DartsEdge {
  if (!isRecord(value)) throw new GenotypeError(field, 'must be an object like {"op": "sep_conv_3x3", "input": 0}');
  const { op, input } = value;
  const checkedOp = oneOf(op, CELL_OPS, `${field}.op`);
  if (!Number.isInteger(input) || (input as number) < 0 || (input as number) >= node + 2) {
    throw new GenotypeError(`${field}.input`, `must be an integer in [0, ${node + 2}) for node ${node}; got ${JSON.stringify(input)}`);
  }
  return { op: checkedOp, input: input as number };
}

function validateCell(value: unknown, field: CellType): DartsEdge[] {
  if (!Array.isArray(value) || value.length !== 2 * STEPS) {
    throw new GenotypeError(field, `must be an array of ${2 * STEPS} edges (two per intermediate node)`);
  }
  const edges = value.map((edge, k) => validateEdge(edge, Math.floor(k / 2), `${field}[${k}]`));
  for (let node = 0; node < STEPS; node++) {
    if (edges[2 * node].input === edges[2 * node + 1].input) {
      throw new GenotypeError(`${field}[${2 * node + 1}].input`, `repeats the input of ${field}[${2 * node}]: a node keeps two distinct edges`);
    }
  }
  return edges;
}

function validateConcat(value: unknown, field: string): number[] {
  if (!Array.isArray(value) || value.length !== CONCAT.length || value.some((v, i) => v !== CONCAT[i])) {
    throw new GenotypeError(field, `must be [${CONCAT.join(", ")}]: a DARTS cell concatenates every intermediate node`);
  }
  return [...CONCAT];
}

/** Checks untrusted JSON; throws GenotypeError naming the first bad field (e.g. `normal[3].op`). */
export function validateDartsGenotype(value: unknown): DartsGenotype {
  if (!isRecord(value)) throw new GenotypeError("genotype", "must be an object with normal, normal_concat, reduce, reduce_concat");
  return {
    normal: validateCell(value.normal, "normal"),
    normal_concat: validateConcat(value.normal_concat, "normal_concat"),
    reduce: validateCell(value.reduce, "reduce"),
    reduce_concat: validateConcat(value.reduce_concat, "reduce_concat"),
  };
}
