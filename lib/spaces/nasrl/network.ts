/**
 * The network a NAS-RL genotype describes. Each layer is conv -> BatchNorm -> ReLU on the
 * depth-wise concatenation of its inputs (smaller maps zero-padded to the largest); a layer
 * with no input reads the image; every layer no later layer reads ("dangling") feeds the
 * classifier: concatenated the same way, globally average-pooled, then one dense layer.
 * `inputPool` > 1 average-pools the image first (a CPU-scale reduction, not in the paper).
 */
import * as tf from "@tensorflow/tfjs";
import type { Rng } from "../../core/random";
import type { ImageShape } from "../../core/types";
import { BatchNorm, Conv2d, Dense, avgPool, globalAvgPool } from "../../nn/layers";
import { Module } from "../../nn/module";
import { BuiltNetwork, type VariableOwner } from "../../nn/network";
import type { NasRlGenotype, NasRlLayer } from "./genotypes";

/**
 * Concatenates maps along depth, padding each with zeros (split evenly around it) to the
 * largest height and width among them: how NAS-RL joins inputs of different sizes.
 */
export function concatPadded(maps: readonly tf.Tensor4D[]): tf.Tensor4D {
  if (maps.length === 1) return maps[0];
  const height = Math.max(...maps.map((m) => m.shape[1]));
  const width = Math.max(...maps.map((m) => m.shape[2]));
  const padded = maps.map((m) => {
    const dh = height - m.shape[1];
    const dw = width - m.shape[2];
    if (dh === 0 && dw === 0) return m;
    const top = Math.floor(dh / 2);
    const left = Math.floor(dw / 2);
    return tf.pad(m, [[0, 0], [top, dh - top], [left, dw - left], [0, 0]]);
  });
  return tf.concat(padded, 3);
}

/** Indices of layers that no later layer takes as input (the last layer always is one). */
export function danglingLayers(genotype: NasRlGenotype): number[] {
  const used = new Set(genotype.layers.flatMap((l) => l.inputs));
  return genotype.layers.map((_, i) => i).filter((i) => !used.has(i));
}

class ConvBnRelu extends Module {
  private readonly conv: Conv2d;
  private readonly bn: BatchNorm;

  constructor(inChannels: number, layer: NasRlLayer, rng: Rng) {
    super();
    const options = { kernel: [layer.filterHeight, layer.filterWidth] as const, stride: layer.stride, padding: "same" as const };
    this.conv = this.addChild(new Conv2d(inChannels, layer.filters, options, rng));
    this.bn = this.addChild(new BatchNorm(layer.filters));
  }

  apply(x: tf.Tensor4D, training: boolean): tf.Tensor4D {
    return tf.relu(this.bn.apply(this.conv.apply(x), training));
  }
}

export class NasRlNetwork extends BuiltNetwork {
  private readonly convs: ConvBnRelu[];
  private readonly outputs: number[];
  private readonly head: Dense;

  /** `genotype` must already be valid (the space validates before building). */
  constructor(
    private readonly genotype: NasRlGenotype,
    input: ImageShape,
    numClasses: number,
    rng: Rng,
    private readonly inputPool = 1,
  ) {
    super(input);
    const { layers } = genotype;
    const depth = (inputs: number[]) => inputs.reduce((c, j) => c + layers[j].filters, 0);
    this.convs = layers.map((l) => new ConvBnRelu(l.inputs.length === 0 ? input[2] : depth(l.inputs), l, rng));
    this.outputs = danglingLayers(genotype);
    this.head = new Dense(depth(this.outputs), numClasses, rng);
  }

  apply(x: tf.Tensor4D, training: boolean): tf.Tensor2D {
    const image = this.inputPool === 1 ? x : avgPool(x, this.inputPool, this.inputPool);
    const maps: tf.Tensor4D[] = [];
    this.genotype.layers.forEach((layer, i) => {
      const inputs = layer.inputs.length === 0 ? image : concatPadded(layer.inputs.map((j) => maps[j]));
      maps.push(this.convs[i].apply(inputs, training));
    });
    return this.head.apply(globalAvgPool(concatPadded(this.outputs.map((i) => maps[i]))));
  }

  protected parts(): VariableOwner[] {
    return [...this.convs, this.head];
  }
}
