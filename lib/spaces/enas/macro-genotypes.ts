/**
 * The genotype of ENAS's macro space (space in macro.ts): per layer one of six ops, in ENAS's
 * op-id order (src/cifar10/general_child.py's branch_0 ... branch_5)
 *   0 conv 3x3, 1 sep 3x3, 2 conv 5x5, 3 sep 5x5, 4 avg pool 3x3, 5 max pool 3x3,
 * and one skip bit per earlier node, plain JSON `{layers: [{op, skips}]}`. The nodes are the stem
 * (node 0) and the layers' outputs (node k + 1 is layer k's): layer i reads node i, and
 * `skips[j] = 1` adds node j < i to its output. The token order, which is also ENAS's `fixed_arc`
 * notation, is per layer the op id then that layer's skip bits.
 */
import { GenotypeError } from "../../core/errors";
import type { Decision } from "../../core/types";
import { isRecord, oneOf } from "../../core/validate";

/** In ENAS's op-id order (general_child.py's branch_0 ... branch_5). */
export const ENAS_MACRO_OPS = ["conv_3x3", "sep_conv_3x3", "conv_5x5", "sep_conv_5x5", "avg_pool_3x3", "max_pool_3x3"] as const;
export type EnasMacroOp = (typeof ENAS_MACRO_OPS)[number];

// Type aliases, not interfaces: only aliases are assignable to the `Json` constraint.
export type EnasMacroLayer = {
  op: EnasMacroOp;
  /** One bit per earlier node j < i (node 0 the stem, node k + 1 layer k): 1 adds it to this layer's output. */
  skips: number[];
};

export type EnasMacroGenotype = {
  layers: EnasMacroLayer[];
};

export interface EnasMacroSpaceOptions {
  /** L (ENAS: 12). */
  readonly layers: number;
  /** Channels of every layer during search (ENAS: 36, kept constant through the reductions in search). */
  readonly channels: number;
}

export const ENAS_MACRO_PAPER_SPACE: EnasMacroSpaceOptions = { layers: 12, channels: 36 };

/** The layers after which ENAS halves the resolution: pool_distance = L // 3, at pool_distance - 1 and 2 pool_distance - 1. */
export function enasPoolLayers(layers: number): number[] {
  const distance = Math.floor(layers / 3);
  return [distance - 1, 2 * distance - 1];
}

/** Fraction of the L(L-1)/2 skip bits that are set: ENAS's `skip_rate`, which its penalty pulls towards 0.4. */
export function skipRate(genotype: EnasMacroGenotype): number {
  const bits = genotype.layers.flatMap((l) => l.skips);
  return bits.length === 0 ? 0 : bits.filter((b) => b === 1).length / bits.length;
}

/** Per layer i: its op (layer i), then one anchor "does node j feed layer i" per j < i, attended from layer j's state. */
export function enasMacroDecisions(layers: number): Decision[] {
  return Array.from({ length: layers }, (_, i): Decision[] => [
    { name: `layers[${i}].op`, choices: ENAS_MACRO_OPS.length, kind: "categorical", layer: i, picks: "op" },
    ...Array.from({ length: i }, (_, j): Decision => ({ name: `layers[${i}].skips[${j}]`, choices: 2, kind: "anchor", layer: i, from: j })),
  ]).flat();
}

/** Checks untrusted JSON against a macro space of `layers` layers; throws GenotypeError naming the first bad field. */
export function validateEnasMacroGenotype(value: unknown, layers: number): EnasMacroGenotype {
  if (!isRecord(value)) throw new GenotypeError("genotype", "must be an object with a `layers` array");
  const given = value.layers;
  if (!Array.isArray(given)) throw new GenotypeError("layers", "must be an array");
  if (given.length !== layers) throw new GenotypeError("layers", `must have ${layers} entries, has ${given.length}`);
  return { layers: given.map((layer, i) => validateLayer(layer, i)) };
}

function validateLayer(layer: unknown, i: number): EnasMacroLayer {
  const path = `layers[${i}]`;
  if (!isRecord(layer)) throw new GenotypeError(path, "must be an object {op, skips}");
  const op = oneOf(layer.op, ENAS_MACRO_OPS, `${path}.op`);
  const { skips } = layer;
  if (!Array.isArray(skips)) throw new GenotypeError(`${path}.skips`, `must be an array of ${i} bits (one per earlier node)`);
  if (skips.length !== i) throw new GenotypeError(`${path}.skips`, `must have ${i} bits (one per earlier node j < ${i}), has ${skips.length}`);
  skips.forEach((b, j) => {
    if (b !== 0 && b !== 1) throw new GenotypeError(`${path}.skips[${j}]`, `must be 0 or 1, got ${JSON.stringify(b)}`);
  });
  return { op, skips: [...skips] };
}
