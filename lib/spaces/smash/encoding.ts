/**
 * The encoding tensor SMASH's HyperNet reads (Brock et al. 2018, section 3.1), at small scale.
 * The paper writes each op's read and write pattern and its hyperparameters into channel slices
 * of a 3-D tensor, one spatial location per slice of weights to generate, zero where the
 * architecture has nothing. Here the tensor is [rows, columns, channels]:
 *
 *   row    r = b * maxOps + i          op slot i of block b (rows past a block's ops are zero);
 *   column q = 0 .. maxLayers          the op's layer: 0 its 1x1 convolution, q >= 1 its q-th conv;
 *   channels, in this order (CHANNEL names below):
 *     read[m]    1 when the op reads bank m           (every present layer of the op)
 *     write[m]   1 when the op writes bank m          (every present layer of the op)
 *     block[b]   one-hot of the op's block
 *     width[w]   one-hot of the op's width factor
 *     kernel[k], dilation[d], groups[g]   one-hot of the op's conv settings (conv layers only, q >= 1)
 *     present    1 where the layer exists
 *     last       1 on the layer whose output is written to the banks
 *
 * So a location is one generated weight tensor, and a convolutional HyperNet sliding over the
 * tensor sees each layer's neighbours: the op's other layers and the ops before and after it.
 * (The paper's tensor lays output-channel slices of a weight along its spatial dimensions too;
 * here one location generates one whole kernel: a reduction.)
 */
import type { MemoryBankGenotype, MemoryBankSpaceOptions } from "./genotypes";

/** One architecture's encoding as plain numbers, [rows][columns][channels], with every index named. */
export interface MemoryBankEncoding {
  /** `b0.op1`: block and op slot of each row. */
  readonly rows: readonly string[];
  /** `1x1`, `conv1`, ...: the layer of each column. */
  readonly columns: readonly string[];
  readonly channels: readonly string[];
  readonly values: number[][][];
}

/** Channel names, in the layout's order. */
export function encodingChannels(options: MemoryBankSpaceOptions): string[] {
  const range = (n: number) => Array.from({ length: n }, (_, i) => i);
  return [
    ...range(options.banks).map((m) => `read${m}`),
    ...range(options.banks).map((m) => `write${m}`),
    ...range(options.blocks).map((b) => `block${b}`),
    ...options.widthFactors.map((w) => `width${w}`),
    ...options.kernels.map((k) => `kernel${k}`),
    ...options.dilations.map((d) => `dilation${d}`),
    ...options.groups.map((g) => `groups${g}`),
    "present",
    "last",
  ];
}

/** The encoding of a valid genotype (the space validates before encoding). */
export function encodeMemoryBank(genotype: MemoryBankGenotype, options: MemoryBankSpaceOptions): MemoryBankEncoding {
  const channels = encodingChannels(options);
  const at = (name: string) => channels.indexOf(name);
  const columns = ["1x1", ...Array.from({ length: options.maxLayers }, (_, q) => `conv${q + 1}`)];
  const rows: string[] = [];
  const values: number[][][] = [];
  for (let b = 0; b < options.blocks; b++) {
    for (let i = 0; i < options.maxOps; i++) {
      rows.push(`b${b}.op${i}`);
      const op = genotype.blocks[b].ops[i];
      values.push(
        columns.map((_, q) => {
          const v = channels.map(() => 0);
          if (!op || q > op.layers) return v;
          const on = [...op.reads.map((m) => `read${m}`), ...op.writes.map((m) => `write${m}`), `block${b}`, `width${op.widthFactor}`, "present"];
          if (q > 0) on.push(`kernel${op.kernel}`, `dilation${op.dilation}`, `groups${op.groups}`);
          if (q === op.layers) on.push("last");
          for (const name of on) v[at(name)] = 1;
          return v;
        }),
      );
    }
  }
  return { rows, columns, channels, values };
}
