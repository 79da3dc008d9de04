/**
 * From NAS-Bench-201 alphas to a cell: every edge takes its strongest op of all 5, `none`
 * included, as NAS-Bench-201's own DARTS and GDAS searches do (D-X-Y/AutoDL-Projects,
 * xautodl/models/cell_searchs/search_model_darts.py and search_model_gdas.py, `genotype()`:
 * `op_names[weights.argmax()]` per edge). Unlike DARTS's rule (derive.ts) no edge is pruned by
 * count, so `none` is how an edge drops out, and a cell can lose every path to its output.
 */
import { NB201_EDGES, NB201_OPS, type Nb201Genotype } from "../../spaces/nb201/genotypes";
import type { Nb201AlphaName } from "../../spaces/nb201/supernet";
import type { EdgeWeights } from "./derive";

export function deriveNb201Genotype(weights: Record<Nb201AlphaName, EdgeWeights>): Nb201Genotype {
  const rows = weights.cell;
  if (rows.length !== NB201_EDGES.length || rows.some((row) => row.length !== NB201_OPS.length)) {
    throw new RangeError(`deriveNb201Genotype needs ${NB201_EDGES.length} x ${NB201_OPS.length} op weights`);
  }
  // The first of equal weights, as torch's argmax.
  return { edges: rows.map((row) => NB201_OPS[row.indexOf(Math.max(...row))]) };
}
