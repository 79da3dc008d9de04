/** SMASH's memory-bank networks: genotype, encoding tensor, network and space. */
export * from "./genotypes";
export * from "./encoding";
export * from "./network";
export * from "./space";
