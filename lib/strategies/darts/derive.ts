/**
 * From continuous alphas to a discrete cell (DARTS, Sec. 2.4): every intermediate node keeps
 * the two incoming edges whose strongest non-`none` op weighs most, and each kept edge takes
 * that op. `none` is excluded, as in the paper: every node must keep exactly two edges, and
 * `none`'s weight is underdetermined, since raising it only rescales a node's output, which
 * the following BatchNorm undoes.
 */
import { CELL_TYPES, CONCAT, DARTS_OPS, EDGE_COUNT, STEPS, edgeIndex, type CellType, type DartsEdge, type DartsGenotype } from "../../spaces/darts/genotypes";

/** Op weights of one cell type: [14 edges][8 ops], each row a softmax over DARTS_OPS. */
export type EdgeWeights = number[][];
export type CellWeights = Record<CellType, EdgeWeights>;

const NONE = DARTS_OPS.indexOf("none");

/** The strongest op other than `none` on one edge. */
function bestOp(row: readonly number[]): { op: number; weight: number } {
  let best = { op: -1, weight: -Infinity };
  row.forEach((weight, op) => {
    if (op !== NONE && weight > best.weight) best = { op, weight };
  });
  return best;
}

/** The 8 (op, input) pairs of one cell; a node's two edges are listed by ascending input. */
export function deriveCell(weights: EdgeWeights): DartsEdge[] {
  if (weights.length !== EDGE_COUNT || weights.some((row) => row.length !== DARTS_OPS.length)) {
    throw new RangeError(`deriveCell needs ${EDGE_COUNT} x ${DARTS_OPS.length} op weights`);
  }
  const edges: DartsEdge[] = [];
  for (let node = 0; node < STEPS; node++) {
    const candidates = Array.from({ length: node + 2 }, (_, input) => ({ input, ...bestOp(weights[edgeIndex(node, input)]) }));
    // Stable sort: ties keep the lower input, as Python's sorted() does in quark0/darts.
    const kept = candidates.sort((a, b) => b.weight - a.weight).slice(0, 2);
    kept.sort((a, b) => a.input - b.input);
    for (const { input, op } of kept) edges.push({ op: DARTS_OPS[op], input });
  }
  return edges;
}

export function deriveGenotype(weights: CellWeights): DartsGenotype {
  const [normal, reduce] = CELL_TYPES.map((type) => deriveCell(weights[type]));
  return { normal, normal_concat: [...CONCAT], reduce, reduce_concat: [...CONCAT] };
}
