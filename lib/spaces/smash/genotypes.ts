/**
 * SMASH's memory-bank networks (Brock et al. 2018, section 3.1) as plain JSON. A network is a
 * few blocks, one per spatial resolution; each block holds `banks` memory banks, feature maps of
 * the block's bank width. An op reads a subset of the banks (concatenated along channels),
 * applies a 1x1 convolution then `layers` convolutions of one filter size, dilation and group
 * count, and adds its output to a subset of the banks. Ops run in order, so a later op reads
 * what earlier ops wrote: depth (ops per block), width (each op's width factor) and
 * connectivity (which banks are read and written) all vary.
 *
 * Reductions from the paper, named: a fixed number of banks per block and a fixed bank width per
 * block (doubling at each halving of the resolution), where the paper samples both; one filter
 * size, dilation and group count per op, where the paper samples them per layer; the width an
 * op samples is a factor of its block's bank width, and its last layer maps back to the bank
 * width (the paper samples each layer's width).
 */
import { GenotypeError } from "../../core/errors";
import { isRecord, oneOf } from "../../core/validate";

// Type aliases, not interfaces: only aliases are assignable to the `Json` constraint.
export type BankOp = {
  /** Banks read and concatenated, ascending, at least one. */
  reads: number[];
  /** Banks the op's output is added to, ascending, at least one. */
  writes: number[];
  /** The op's width is `widthFactor` x its block's bank width. */
  widthFactor: number;
  /** Convolutions after the 1x1, each `kernel` x `kernel` with this dilation and group count. */
  layers: number;
  kernel: number;
  dilation: number;
  groups: number;
};

export type BankBlock = { ops: BankOp[] };

export type MemoryBankGenotype = { blocks: BankBlock[] };

/** What the space can draw from. */
export interface MemoryBankSpaceOptions {
  /** Blocks, one per resolution; the resolution halves between blocks (the paper: 3). */
  readonly blocks: number;
  /** Memory banks per block. */
  readonly banks: number;
  /** Channels of one bank in the first block; doubled in each later block. */
  readonly bankChannels: number;
  /** Ops per block: 1 to maxOps. */
  readonly maxOps: number;
  /** Convolutions after an op's 1x1: 1 to maxLayers. */
  readonly maxLayers: number;
  readonly widthFactors: readonly number[];
  readonly kernels: readonly number[];
  readonly dilations: readonly number[];
  readonly groups: readonly number[];
}

/** Channels of one bank of block `b`. */
export function bankChannels(options: MemoryBankSpaceOptions, block: number): number {
  return options.bankChannels * 2 ** block;
}

/** The option lists an op's categorical fields draw from, by field. */
export const OP_CHOICES = [
  ["widthFactor", "widthFactors"],
  ["kernel", "kernels"],
  ["dilation", "dilations"],
  ["groups", "groups"],
] as const;

/** Throws RangeError on options no network could be built from: every width must split into every group count. */
export function checkSpaceOptions(options: MemoryBankSpaceOptions): void {
  for (const name of ["blocks", "banks", "bankChannels", "maxOps", "maxLayers"] as const) {
    if (!Number.isInteger(options[name]) || options[name] < 1) throw new RangeError(`MemoryBankSpace needs ${name} >= 1, got ${options[name]}`);
  }
  for (const [, list] of OP_CHOICES) {
    const values = options[list];
    if (values.length === 0 || values.some((v) => !Number.isInteger(v) || v < 1)) throw new RangeError(`MemoryBankSpace option ${list} must be a non-empty list of positive integers`);
  }
  // Every bank and op width is a multiple of the first block's bank width, so that is the one to check.
  for (const g of options.groups) {
    if (options.bankChannels % g !== 0) throw new RangeError(`MemoryBankSpace: groups ${g} does not divide the bank width ${options.bankChannels}`);
  }
}

/** Checks untrusted data against the space's options; every error names the field. */
export function validateMemoryBankGenotype(value: unknown, options: MemoryBankSpaceOptions): MemoryBankGenotype {
  if (!isRecord(value)) throw new GenotypeError("genotype", "must be an object with a `blocks` array");
  const { blocks } = value;
  if (!Array.isArray(blocks)) throw new GenotypeError("blocks", "must be an array");
  if (blocks.length !== options.blocks) throw new GenotypeError("blocks", `must have ${options.blocks} entries, has ${blocks.length}`);
  return {
    blocks: blocks.map((block, b) => {
      const path = `blocks[${b}]`;
      if (!isRecord(block) || !Array.isArray(block.ops)) throw new GenotypeError(`${path}.ops`, "must be an array of ops");
      if (block.ops.length < 1 || block.ops.length > options.maxOps) throw new GenotypeError(`${path}.ops`, `must have 1 to ${options.maxOps} ops, has ${block.ops.length}`);
      return { ops: block.ops.map((op, i) => validateOp(op, options, `${path}.ops[${i}]`)) };
    }),
  };
}

function validateOp(op: unknown, options: MemoryBankSpaceOptions, path: string): BankOp {
  if (!isRecord(op)) throw new GenotypeError(path, "must be an object {reads, writes, widthFactor, layers, kernel, dilation, groups}");
  const reads = validateBanks(op.reads, options.banks, `${path}.reads`);
  const writes = validateBanks(op.writes, options.banks, `${path}.writes`);
  if (!Number.isInteger(op.layers) || (op.layers as number) < 1 || (op.layers as number) > options.maxLayers) {
    throw new GenotypeError(`${path}.layers`, `must be an integer in [1, ${options.maxLayers}], got ${JSON.stringify(op.layers)}`);
  }
  const [widthFactor, kernel, dilation, groups] = OP_CHOICES.map(([field, list]) => oneOf(op[field], options[list], `${path}.${field}`));
  return { reads, writes, widthFactor, layers: op.layers as number, kernel, dilation, groups };
}

/** A non-empty, strictly ascending list of bank indices: the one canonical form. */
function validateBanks(value: unknown, banks: number, path: string): number[] {
  if (!Array.isArray(value) || value.length === 0) throw new GenotypeError(path, "must be a non-empty array of bank indices");
  value.forEach((v, k) => {
    if (!Number.isInteger(v) || v < 0 || v >= banks) throw new GenotypeError(`${path}[${k}]`, `must be a bank index in [0, ${banks}), got ${JSON.stringify(v)}`);
    if (k > 0 && v <= value[k - 1]) throw new GenotypeError(`${path}[${k}]`, "must be greater than the entry before it (ascending, no repeats)");
  });
  return [...value];
}

/** One line per block: `b0: 01>2 w2 3x3 d2 g1 x2 | 2>01 ...` (reads > writes, width factor, kernel, dilation, groups, layers). */
export function formatMemoryBank(genotype: MemoryBankGenotype): string {
  return genotype.blocks
    .map((block, b) => `b${b}: ${block.ops.map((o) => `${o.reads.join("")}>${o.writes.join("")} w${o.widthFactor} ${o.kernel}x${o.kernel} d${o.dilation} g${o.groups} x${o.layers}`).join(" | ")}`)
    .join("\n");
}
