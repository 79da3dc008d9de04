/**
 * A layer-wise macro search space: a plain stack of conv-BN-ReLU layers, each choosing its
 * kernel size, width and whether to pool afterwards; global average pooling and a dense
 * classifier on top. Small enough for CPU, rich enough that choices matter.
 */
import * as tf from "@tensorflow/tfjs";
import { GenotypeError } from "../core/errors";
import type { Rng } from "../core/random";
import { checkTokens, isRecord, oneOf } from "../core/validate";
import type { BuildOptions, Decision, ImageShape, Network, SearchSpace } from "../core/types";
import { BatchNorm, Conv2d, Dense, globalAvgPool, maxPool, avgPool } from "../nn/layers";
import { Module } from "../nn/module";
import { BuiltNetwork, type VariableOwner } from "../nn/network";

export type Pool = "none" | "max" | "avg";
export const POOLS: readonly Pool[] = ["none", "max", "avg"];

// Type aliases, not interfaces: only aliases are assignable to the `Json` constraint.
export type MacroLayer = {
  kernel: number;
  filters: number;
  pool: Pool;
};

export type MacroCnnGenotype = {
  layers: MacroLayer[];
};

export interface MacroCnnOptions {
  readonly minLayers: number;
  readonly maxLayers: number;
  readonly kernels: readonly number[];
  readonly filters: readonly number[];
}

export const DEFAULT_MACRO_OPTIONS: MacroCnnOptions = {
  minLayers: 1,
  maxLayers: 4,
  kernels: [1, 3, 5],
  filters: [8, 16, 32],
};

/** conv -> BN -> ReLU -> optional 2x2 pool, one per genotype layer. */
class MacroBlock extends Module {
  private readonly conv: Conv2d;
  private readonly bn: BatchNorm;

  constructor(
    inChannels: number,
    private readonly layer: MacroLayer,
    rng: Rng,
  ) {
    super();
    this.conv = this.addChild(new Conv2d(inChannels, layer.filters, { kernel: [layer.kernel, layer.kernel] }, rng));
    this.bn = this.addChild(new BatchNorm(layer.filters));
  }

  apply(x: tf.Tensor4D, training: boolean): tf.Tensor4D {
    const h = tf.relu(this.bn.apply(this.conv.apply(x), training));
    if (this.layer.pool === "max") return maxPool(h, 2, 2);
    if (this.layer.pool === "avg") return avgPool(h, 2, 2);
    return h;
  }
}

class MacroCnn extends BuiltNetwork {
  private readonly blocks: MacroBlock[];
  private readonly head: Dense;

  constructor(genotype: MacroCnnGenotype, input: ImageShape, numClasses: number, rng: Rng) {
    super(input);
    let channels = input[2];
    this.blocks = genotype.layers.map((layer) => {
      const block = new MacroBlock(channels, layer, rng);
      channels = layer.filters;
      return block;
    });
    this.head = new Dense(channels, numClasses, rng);
  }

  apply(x: tf.Tensor4D, training: boolean): tf.Tensor2D {
    const features = this.blocks.reduce((h, block) => block.apply(h, training), x);
    return this.head.apply(globalAvgPool(features));
  }

  protected parts(): VariableOwner[] {
    return [...this.blocks, this.head];
  }
}

export class MacroCnnSpace implements SearchSpace<MacroCnnGenotype> {
  readonly name = "macro-cnn";

  constructor(readonly options: MacroCnnOptions = DEFAULT_MACRO_OPTIONS) {
    if (options.minLayers < 1 || options.maxLayers < options.minLayers) {
      throw new RangeError(`MacroCnnSpace needs 1 <= minLayers <= maxLayers, got ${options.minLayers}..${options.maxLayers}`);
    }
  }

  sample(rng: Rng): MacroCnnGenotype {
    const { minLayers, maxLayers } = this.options;
    const depth = minLayers + rng.int(maxLayers - minLayers + 1);
    return { layers: Array.from({ length: depth }, () => this.sampleLayer(rng)) };
  }

  private sampleLayer(rng: Rng): MacroLayer {
    return { kernel: rng.choice(this.options.kernels), filters: rng.choice(this.options.filters), pool: rng.choice(POOLS) };
  }

  /** One edit: change one field of one layer, insert a layer, or delete one (within the depth bounds). */
  mutate(value: MacroCnnGenotype, rng: Rng): MacroCnnGenotype {
    const genotype = this.validate(value);
    const layers = genotype.layers.map((l) => ({ ...l }));
    const { minLayers, maxLayers, kernels, filters } = this.options;
    const edits = ["kernel", "filters", "pool"];
    if (layers.length < maxLayers) edits.push("insert");
    if (layers.length > minLayers) edits.push("delete");
    const edit = rng.choice(edits);
    const at = rng.int(layers.length);
    if (edit === "insert") layers.splice(rng.int(layers.length + 1), 0, this.sampleLayer(rng));
    else if (edit === "delete") layers.splice(at, 1);
    else if (edit === "kernel") layers[at].kernel = rng.choiceExcept(kernels, layers[at].kernel);
    else if (edit === "filters") layers[at].filters = rng.choiceExcept(filters, layers[at].filters);
    else layers[at].pool = rng.choiceExcept(POOLS, layers[at].pool);
    return { layers };
  }

  validate(value: unknown): MacroCnnGenotype {
    if (!isRecord(value)) throw new GenotypeError("genotype", "must be an object with a `layers` array");
    const layers = value.layers;
    const { minLayers, maxLayers } = this.options;
    if (!Array.isArray(layers)) throw new GenotypeError("layers", "must be an array");
    if (layers.length < minLayers || layers.length > maxLayers) {
      throw new GenotypeError("layers", `must have ${minLayers} to ${maxLayers} entries, has ${layers.length}`);
    }
    return { layers: layers.map((layer, i) => this.validateLayer(layer, `layers[${i}]`)) };
  }

  private validateLayer(layer: unknown, path: string): MacroLayer {
    if (!isRecord(layer)) throw new GenotypeError(path, "must be an object {kernel, filters, pool}");
    return {
      kernel: oneOf(layer.kernel, this.options.kernels, `${path}.kernel`),
      filters: oneOf(layer.filters, this.options.filters, `${path}.filters`),
      pool: oneOf(layer.pool, POOLS, `${path}.pool`),
    };
  }

  /** depth, then (kernel, filters, pool) for each of maxLayers slots; unused slots encode as 0. */
  decisions(): Decision[] {
    const { minLayers, maxLayers, kernels, filters } = this.options;
    const perLayer = (i: number): Decision[] => [
      { name: `layers[${i}].kernel`, choices: kernels.length, layer: i },
      { name: `layers[${i}].filters`, choices: filters.length, layer: i },
      { name: `layers[${i}].pool`, choices: POOLS.length, layer: i },
    ];
    const depth: Decision = { name: "depth", choices: maxLayers - minLayers + 1 };
    return [depth, ...Array.from({ length: maxLayers }, (_, i) => perLayer(i)).flat()];
  }

  encode(value: MacroCnnGenotype): number[] {
    const genotype = this.validate(value);
    const { minLayers, maxLayers, kernels, filters } = this.options;
    const slots = Array.from({ length: maxLayers }, (_, i) => {
      const layer = genotype.layers[i];
      return layer ? [kernels.indexOf(layer.kernel), filters.indexOf(layer.filters), POOLS.indexOf(layer.pool)] : [0, 0, 0];
    });
    return [genotype.layers.length - minLayers, ...slots.flat()];
  }

  decode(tokens: readonly number[]): MacroCnnGenotype {
    checkTokens(tokens, this.decisions());
    const { minLayers, kernels, filters } = this.options;
    const depth = minLayers + tokens[0];
    const layers = Array.from({ length: depth }, (_, i) => {
      const [k, f, p] = tokens.slice(1 + 3 * i, 4 + 3 * i);
      return { kernel: kernels[k], filters: filters[f], pool: POOLS[p] };
    });
    return { layers };
  }

  describe(value: MacroCnnGenotype): string {
    const genotype = this.validate(value);
    const layer = (l: MacroLayer) => `${l.kernel}x${l.kernel}x${l.filters}${l.pool === "none" ? "" : `+${l.pool}`}`;
    return genotype.layers.map(layer).join(" > ");
  }

  build(value: MacroCnnGenotype, input: ImageShape, numClasses: number, rng: Rng, options: BuildOptions = {}): Network {
    const genotype = this.validate(value);
    const width = options.widthMultiplier ?? 1;
    const scaled = this.validate(genotype).layers.map((l) => ({ ...l, filters: Math.max(1, Math.round(l.filters * width)) }));
    return new MacroCnn({ layers: scaled }, input, numClasses, rng);
  }
}
