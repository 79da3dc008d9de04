/** ENAS's spaces: the micro space (NASNet's cells with ENAS's five ops, ENAS's `fixed_arc` notation) and the macro space. */
export { ENAS_MICRO_BLOCKS, ENAS_MICRO_FINAL_ARC, ENAS_MICRO_GRAMMAR, ENAS_MICRO_OPS, enasMicroSpace, fromEnasArc, toEnasArc, validateEnasMicroGenotype } from "./micro";
export { ENAS_MACRO_OPS, ENAS_MACRO_PAPER_SPACE, enasPoolLayers, skipRate, validateEnasMacroGenotype, type EnasMacroGenotype, type EnasMacroLayer, type EnasMacroOp, type EnasMacroSpaceOptions } from "./macro-genotypes";
export { EnasMacroSpace } from "./macro";
export { enasMacroSvg } from "./macro-draw";
export { EnasMacroNetwork, EnasMacroSinglePath } from "./macro-network";
