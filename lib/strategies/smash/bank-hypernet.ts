/**
 * SMASH's HyperNet on the memory-bank space (Brock et al. 2018, section 3.1): convolutional over
 * the architecture's encoding tensor (spaces/smash/encoding.ts), as the paper's is. With E the
 * encoding, [rows, columns, channels], one location per weight tensor of the architecture,
 *   Z = relu(conv3x3(relu(conv3x3(E, W1) + b1), W2) + b2)        ([rows, columns, hidden])
 *   kernel at location (r, q) = reshape(Z[r, q] A_h + a_h, shape_h)
 * where head h is fixed by the location's block and layer kind: the 1x1 of block b, or a conv of
 * block b with filter size k and g groups. Each head emits the kernel at the block's widest op;
 * an op narrower than that takes a slice (SMASH, too, generates weights for the largest width
 * and slices them), and a 1x1 takes the input rows of the banks it reads. Generating happens
 * inside the caller's gradient tape, so the loss of the main network reaches W, b, A and a.
 *
 * Smaller than the paper's (a DenseNet over the encoding, one location per output-channel slice
 * of a weight): two 3x3 conv layers of `hidden` channels, one location per whole kernel.
 */
import * as tf from "@tensorflow/tfjs";
import type { Rng } from "../../core/random";
import { encodeMemoryBank, encodingChannels } from "../../spaces/smash/encoding";
import { bankChannels, type BankOp, type MemoryBankGenotype, type MemoryBankSpaceOptions } from "../../spaces/smash/genotypes";
import { opKernelShapes, type OpKernels } from "../../spaces/smash/network";
import type { HyperNetOptions } from "./hypernet";
import { applyHead, kernelHead, normalVariable, type KernelHead } from "./kernel-head";

/** A location of the encoding that needs a kernel, and which kernel of which op it is. */
interface Slot {
  readonly block: number;
  readonly op: number;
  /** 0: the 1x1; l >= 1: conv layer l. */
  readonly layer: number;
  readonly location: number;
}

const headKey = (block: number, op: BankOp, layer: number) => (layer === 0 ? `${block} read` : `${block} ${op.kernel} ${op.groups}`);

export class BankHyperNet {
  private readonly conv1: tf.Variable;
  private readonly bias1: tf.Variable;
  private readonly conv2: tf.Variable;
  private readonly bias2: tf.Variable;
  /** By headKey. */
  private readonly heads = new Map<string, KernelHead>();

  constructor(
    readonly space: MemoryBankSpaceOptions,
    readonly options: HyperNetOptions,
    rng: Rng,
  ) {
    const { hidden } = options;
    if (!Number.isInteger(hidden) || hidden < 1) throw new RangeError(`HyperNet needs hidden >= 1, got ${hidden}`);
    const channels = encodingChannels(space).length;
    this.conv1 = normalVariable([3, 3, channels, hidden], Math.sqrt(2 / (9 * channels)), rng);
    this.bias1 = tf.tidy(() => tf.variable(tf.zeros([hidden])));
    this.conv2 = normalVariable([3, 3, hidden, hidden], Math.sqrt(2 / (9 * hidden)), rng);
    this.bias2 = tf.tidy(() => tf.variable(tf.zeros([hidden])));
    const widest = Math.max(...space.widthFactors);
    for (let b = 0; b < space.blocks; b++) {
      const bank = bankChannels(space, b);
      const width = widest * bank;
      this.heads.set(`${b} read`, kernelHead(hidden, [1, 1, space.banks * bank, width], rng));
      for (const k of space.kernels) for (const g of space.groups) this.heads.set(`${b} ${k} ${g}`, kernelHead(hidden, [k, k, width / g, width], rng));
    }
  }

  /** [rows * columns, hidden]: the HyperNet's features at every location of the encoding. */
  private features(genotype: MemoryBankGenotype): tf.Tensor2D {
    const { values } = encodeMemoryBank(genotype, this.space);
    const input = tf.tensor4d([values]);
    const h1 = tf.relu(tf.add(tf.conv2d(input, this.conv1 as tf.Tensor4D, 1, "same"), this.bias1)) as tf.Tensor4D;
    const h2 = tf.relu(tf.add(tf.conv2d(h1, this.conv2 as tf.Tensor4D, 1, "same"), this.bias2));
    return tf.reshape(h2, [values.length * values[0].length, this.options.hidden]);
  }

  /**
   * The kernels of every op of `genotype` (a valid one), by block and op, in the shapes the
   * network needs (spaces/smash/network.ts, opKernelShapes). Differentiable: call it inside the
   * loss function the optimiser differentiates, or another tidy, which frees what it made.
   */
  generate(genotype: MemoryBankGenotype): OpKernels[][] {
    const columns = this.space.maxLayers + 1;
    const slots = new Map<string, Slot[]>();
    genotype.blocks.forEach((block, b) =>
      block.ops.forEach((op, i) => {
        for (let layer = 0; layer <= op.layers; layer++) {
          const key = headKey(b, op, layer);
          slots.set(key, [...(slots.get(key) ?? []), { block: b, op: i, layer, location: (b * this.space.maxOps + i) * columns + layer }]);
        }
      }),
    );
    const features = this.features(genotype);
    const full: tf.Tensor4D[][][] = genotype.blocks.map((block) => block.ops.map(() => []));
    for (const [key, list] of slots) {
      const kernels = applyHead(this.heads.get(key)!, features, list.map((s) => s.location));
      list.forEach((s, n) => {
        full[s.block][s.op][s.layer] = kernels[n];
      });
    }
    return genotype.blocks.map((block, b) => block.ops.map((op, i) => this.fit(op, bankChannels(this.space, b), full[b][i])));
  }

  /** An op's kernels cut from its heads' widest ones: the read banks' input rows, then the op's width. */
  private fit(op: BankOp, bank: number, full: tf.Tensor4D[]): OpKernels {
    const shapes = opKernelShapes(op, bank);
    const rows = op.reads.flatMap((m) => Array.from({ length: bank }, (_, c) => m * bank + c));
    const cut = (kernel: tf.Tensor4D, shape: number[]) => tf.slice(kernel, [0, 0, 0, 0], shape);
    return {
      read: cut(tf.gather(full[0], rows, 2), shapes.read),
      convs: shapes.convs.map((shape, l) => cut(full[l + 1], shape)),
    };
  }

  /** The shape of every kernel `generate` makes for `genotype`, the kernels freed: what a notebook prints. */
  generatedShapes(genotype: MemoryBankGenotype): Array<Array<{ read: number[]; convs: number[][] }>> {
    let shapes: Array<Array<{ read: number[]; convs: number[][] }>> = [];
    tf.tidy(() => {
      shapes = this.generate(genotype).map((block) => block.map((k) => ({ read: [...k.read.shape], convs: k.convs.map((c) => [...c.shape]) })));
    });
    return shapes;
  }

  /** The variables `genotype`'s weights depend on: the trunk and the heads its ops use. */
  usedVariables(genotype: MemoryBankGenotype): tf.Variable[] {
    const keys = new Set(genotype.blocks.flatMap((block, b) => block.ops.flatMap((op) => Array.from({ length: op.layers + 1 }, (_, l) => headKey(b, op, l)))));
    return [this.conv1, this.bias1, this.conv2, this.bias2, ...[...this.heads].filter(([key]) => keys.has(key)).flatMap(([, h]) => [h.kernel, h.bias])];
  }

  variables(): tf.Variable[] {
    return [this.conv1, this.bias1, this.conv2, this.bias2, ...[...this.heads.values()].flatMap((h) => [h.kernel, h.bias])];
  }

  paramCount(): number {
    return this.variables().reduce((n, v) => n + v.size, 0);
  }

  dispose(): void {
    for (const v of this.variables()) v.dispose();
  }
}
