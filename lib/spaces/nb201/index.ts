/** The NAS-Bench-201 cell space: genotypes and architecture strings, canonical classes, networks, drawings. */
export {
  NB201_EDGES,
  NB201_NODES,
  NB201_OPS,
  formatNb201,
  parseNb201,
  validateNb201Genotype,
  type Nb201Edge,
  type Nb201Genotype,
  type Nb201Op,
} from "./genotypes";
export {
  NB201_CELL_COUNT,
  allNb201Genotypes,
  nb201CanonicalKey,
  nb201GenotypeAt,
  nb201Index,
  nb201Representative,
  uniqueNb201Genotypes,
} from "./canonical";
export { Nb201Cell, computedEdges } from "./cell";
export { nb201Svg } from "./draw";
export { Nb201Network } from "./network";
export { NB201_PAPER_NETWORK, type Nb201NetworkOptions } from "./skeleton";
export { Nb201Space } from "./space";
export { Nb201Supernet, type Nb201AlphaName } from "./supernet";
