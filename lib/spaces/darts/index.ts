/** The DARTS cell space: genotypes, the networks they build, the supernet, drawings. */
export {
  CELL_OPS,
  CELL_TYPES,
  CONCAT,
  DARTS_OPS,
  EDGE_COUNT,
  EDGE_NAMES,
  STEPS,
  edgeIndex,
  validateDartsGenotype,
  type CellType,
  type DartsEdge,
  type DartsGenotype,
  type DartsOp,
} from "./genotypes";
export { cellSvg } from "./draw";
export { DartsNetwork } from "./network";
export { DartsSpace } from "./space";
export { isReductionLayer, planCells, type CellPlan, type SkeletonOptions } from "./skeleton";
export { DartsSupernet } from "./supernet";
