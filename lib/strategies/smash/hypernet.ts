/**
 * SMASH's HyperNet (Brock et al. 2018): a network H whose output is the weights of another.
 * For every conv slot of a sampled architecture (cell c, edge k carrying a convolution),
 *   z = relu(x_{c,k} W + b)                      (x: the slot's encoding input, encoding.ts)
 *   kernel_{c,k} = reshape(z A_{C,op} + a_{C,op}, [k, k, C, C])
 * with one output head (A, a) per channel count C and conv op, shared by the cells of a stage.
 * Only the heads the architecture's ops need are run: each op gathers its slice.
 *
 * This is a smaller HyperNet than the paper's: one hidden layer of `hidden` units (the paper's
 * is a convolutional DenseNet over a 3-D encoding tensor, SMASHv2 about 16M parameters in the
 * main network). Its capacity is `hidden`; the paper's claim that a weaker HyperNet ranks worse
 * is tested by shrinking it. Generating happens inside the caller's gradient tape, so the loss
 * of the main network reaches W, b, A and a.
 */
import * as tf from "@tensorflow/tfjs";
import type { Rng } from "../../core/random";
import { computedEdges } from "../../spaces/nb201/cell";
import { NB201_EDGES, type Nb201Genotype, type Nb201Op } from "../../spaces/nb201/genotypes";
import { encodeNb201, slotInputSize, slotInputs } from "./encoding";
import { applyHead, kernelHead, normalVariable, type KernelHead } from "./kernel-head";

export interface HyperNetOptions {
  /** Units of the hidden layer: the HyperNet's capacity. */
  readonly hidden: number;
}

/** The NAS-Bench-201 ops with weights, and their kernel sizes. */
export const GENERATED_OPS: Partial<Record<Nb201Op, number>> = { nor_conv_1x1: 1, nor_conv_3x3: 3 };

/** Per cell, per edge: the generated kernel of its convolution, null where the edge has none (or is not computed). */
export type GeneratedWeights = Array<Array<tf.Tensor4D | null>>;

export class HyperNet {
  private readonly embedKernel: tf.Variable;
  private readonly embedBias: tf.Variable;
  /** By `${channels} ${op}`. */
  private readonly heads = new Map<string, KernelHead>();

  /** @param cellChannels the channels of every cell of the main network, in order. */
  constructor(
    readonly cellChannels: readonly number[],
    readonly options: HyperNetOptions,
    rng: Rng,
  ) {
    const { hidden } = options;
    if (!Number.isInteger(hidden) || hidden < 1) throw new RangeError(`HyperNet needs hidden >= 1, got ${hidden}`);
    const inputs = slotInputSize(cellChannels.length);
    this.embedKernel = normalVariable([inputs, hidden], Math.sqrt(2 / inputs), rng);
    this.embedBias = tf.tidy(() => tf.variable(tf.zeros([hidden])));
    for (const channels of new Set(cellChannels)) {
      for (const [op, k] of Object.entries(GENERATED_OPS) as Array<[Nb201Op, number]>) {
        this.heads.set(`${channels} ${op}`, kernelHead(hidden, [k, k, channels, channels], rng));
      }
    }
  }

  /**
   * The kernels of `genotype`'s computed convolutions, every cell. Differentiable: call it inside
   * the loss function the optimiser differentiates, or another tidy, which frees what it made.
   */
  generate(genotype: Nb201Genotype): GeneratedWeights {
    const computed = computedEdges(genotype);
    const weights: GeneratedWeights = this.cellChannels.map(() => NB201_EDGES.map(() => null));
    const inputs = slotInputs(encodeNb201(genotype), this.cellChannels.length);
    const hidden = tf.relu(tf.add(tf.matMul(inputs, this.embedKernel as tf.Tensor2D), this.embedBias)) as tf.Tensor2D;
    for (const [key, head] of this.heads) {
      const [channels, op] = key.split(" ");
      const slots = this.cellChannels.flatMap((c, cell) =>
        String(c) === channels ? NB201_EDGES.flatMap((_, k) => (computed[k] && genotype.edges[k] === op ? [{ cell, k }] : [])) : [],
      );
      if (slots.length === 0) continue;
      const kernels = applyHead(head, hidden, slots.map(({ cell, k }) => cell * NB201_EDGES.length + k));
      slots.forEach(({ cell, k }, i) => {
        weights[cell][k] = kernels[i];
      });
    }
    return weights;
  }

  /** The shape of every kernel `generate` makes for `genotype` (null: none), the kernels freed: what a notebook prints. */
  generatedShapes(genotype: Nb201Genotype): Array<Array<number[] | null>> {
    let shapes: Array<Array<number[] | null>> = [];
    tf.tidy(() => {
      shapes = this.generate(genotype).map((cell) => cell.map((kernel) => (kernel ? [...kernel.shape] : null)));
    });
    return shapes;
  }

  variables(): tf.Variable[] {
    return [this.embedKernel, this.embedBias, ...[...this.heads.values()].flatMap((h) => [h.kernel, h.bias])];
  }

  paramCount(): number {
    return this.variables().reduce((n, v) => n + v.size, 0);
  }

  dispose(): void {
    for (const v of this.variables()) v.dispose();
  }
}
