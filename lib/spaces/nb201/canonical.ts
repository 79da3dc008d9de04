/**
 * Which of the 5^6 = 15,625 NAS-Bench-201 cells are the same cell. The benchmark trains one
 * entry per class and counts 6,466 classes; its rule is nas_201_api's
 * `Structure.to_unique_str(consider_zero=True)`, rewritten here:
 *
 * Each node is written as an expression of the cell input. Node 0 is `0`. An edge j -> i gives
 * node i one term:
 *   - `#` (zero) when its op is `none`, or when node j is itself the zero term `#`;
 *   - node j's expression unchanged when its op is `skip_connect` (the identity adds nothing);
 *   - `(expr_j)@op` for the parametric and pooling ops.
 * A node is its terms sorted and joined by `+` (a sum does not care about order), and the key
 * of the cell is node 3's expression. So:
 *   - `none` and `skip_connect` make cells equal: `skip` turns node j into a copy of its source,
 *     so an op reading node j equals the same op reading that source; `none` removes a term;
 *   - an edge that cannot reach the output, because its target feeds node 3 only through
 *     `none` edges, never appears in node 3's expression, so any op on it gives the same key;
 *   - isomorphic cells (the same ops on the same paths, listed on other edges) share a key.
 *
 * The rule is NAS-Bench-201's, quirks included, because that is what gives 6,466 and lets
 * nasbook's table be held against the paper's: zero terms stay in a sum (`#+#` is not `#`), so
 * only node 1 (one input) can propagate as zero; a rule that also dropped zero terms would merge
 * more cells. And an op applied to a zero node counts as zero, which for the convolutions holds
 * up to BatchNorm's shift (the built network computes them; see network.ts).
 */
import { NB201_EDGES, NB201_NODES, NB201_OPS, type Nb201Genotype } from "./genotypes";

/** The zero term. */
const ZERO = "#";

/** NAS-Bench-201's unique string of a cell: equal for cells the benchmark counts as one. */
export function nb201CanonicalKey(genotype: Nb201Genotype): string {
  const nodes = ["0"];
  for (let to = 1; to <= NB201_NODES; to++) {
    const terms = NB201_EDGES.flatMap((edge, k) => (edge.to === to ? [term(genotype.edges[k], nodes[edge.from])] : []));
    nodes.push(terms.sort().join("+"));
  }
  return nodes[NB201_NODES];
}

function term(op: Nb201Genotype["edges"][number], source: string): string {
  if (op === "none" || source === ZERO) return ZERO;
  if (op === "skip_connect") return source;
  return `(${source})@${op}`;
}

/** Number of cells (architecture strings): 5^6. */
export const NB201_CELL_COUNT = NB201_OPS.length ** NB201_EDGES.length;

/** The cell at `index` of the enumeration: base-5 digits are op tokens, edge 0 most significant. */
export function nb201GenotypeAt(index: number): Nb201Genotype {
  if (!Number.isInteger(index) || index < 0 || index >= NB201_CELL_COUNT) {
    throw new RangeError(`NAS-Bench-201 cell index must be an integer in [0, ${NB201_CELL_COUNT}), got ${index}`);
  }
  const edges = NB201_EDGES.map((_, k) => NB201_OPS[Math.floor(index / NB201_OPS.length ** (NB201_EDGES.length - 1 - k)) % NB201_OPS.length]);
  return { edges };
}

/** The inverse of nb201GenotypeAt. */
export function nb201Index(genotype: Nb201Genotype): number {
  return genotype.edges.reduce((index, op) => index * NB201_OPS.length + NB201_OPS.indexOf(op), 0);
}

/** All 15,625 cells in enumeration order (the first is all `none`). */
export function allNb201Genotypes(): Nb201Genotype[] {
  return Array.from({ length: NB201_CELL_COUNT }, (_, i) => nb201GenotypeAt(i));
}

/** Canonical key -> enumeration index of its class's first member; built on first use. */
let representatives: Map<string, number> | null = null;

function representativeIndex(): Map<string, number> {
  if (!representatives) {
    representatives = new Map();
    for (let i = 0; i < NB201_CELL_COUNT; i++) {
      const key = nb201CanonicalKey(nb201GenotypeAt(i));
      if (!representatives.has(key)) representatives.set(key, i);
    }
  }
  return representatives;
}

/**
 * The class's first member in enumeration order. `none` is token 0, so the representative puts
 * `none` wherever the class allows: of its class, it computes the fewest edges.
 */
export function nb201Representative(genotype: Nb201Genotype): Nb201Genotype {
  return nb201GenotypeAt(representativeIndex().get(nb201CanonicalKey(genotype))!);
}

/** One cell per class (6,466), in enumeration order: the cells a benchmark table trains. */
export function uniqueNb201Genotypes(): Nb201Genotype[] {
  return [...representativeIndex().values()].map(nb201GenotypeAt);
}
