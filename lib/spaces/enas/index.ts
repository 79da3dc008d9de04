/** ENAS's micro space: NASNet's cells with ENAS's five ops, and ENAS's `fixed_arc` notation. */
export { ENAS_MICRO_BLOCKS, ENAS_MICRO_FINAL_ARC, ENAS_MICRO_GRAMMAR, ENAS_MICRO_OPS, enasMicroSpace, fromEnasArc, toEnasArc, validateEnasMicroGenotype } from "./micro";
