/** The NASNet cell space: genotypes, the N@F networks they build, drawings. */
export {
  NASNET_BLOCKS,
  NASNET_CELL_TYPES,
  NASNET_GRAMMAR,
  NASNET_OPS,
  unusedBlocks,
  validateNasnetGenotype,
  validateOpSet,
  type CellGrammar,
  type NasnetBlock,
  type NasnetCellType,
  type NasnetGenotype,
} from "./genotypes";
export { NasnetCell } from "./cell";
export { nasnetCellSvg, nasnetSvg } from "./draw";
export { NasnetNetwork, cellSequence, nasnetFilters, planNasnetCells, type NasnetNetworkOptions } from "./network";
export { NasnetSpace, type NasnetSpaceOptions } from "./space";
