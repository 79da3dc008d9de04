/**
 * A NAS-RL genotype: one entry per conv layer, its filter shape, filter count, stride and the
 * earlier layers it reads (its anchor's "yes" decisions). The space (`space.ts`) validates and
 * encodes it; the network (`network.ts`) builds it.
 */

// Type aliases, not interfaces: only aliases are assignable to the `Json` constraint.
export type NasRlLayer = {
  filterHeight: number;
  filterWidth: number;
  filters: number;
  stride: number;
  /** Earlier layers whose outputs are concatenated into this one, ascending; [] means the image. */
  inputs: number[];
};

export type NasRlGenotype = {
  layers: NasRlLayer[];
};
